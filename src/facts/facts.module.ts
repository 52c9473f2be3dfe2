import { Module } from '@nestjs/common';
import { SystemCredentialsStrategy } from './system-credentials.strategy.js';
import { EventsModule } from '../events/events.module.js';
import { ChangeRulesModule } from '../changes/change-rules.module.js';
import { PlatformModule } from '../platform/platform.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { FactSnapshotsController, FactSnapshotsService } from './fact-snapshots.controller.js';
import { FactsCompatController, FactsController } from './facts.controller.js';
import { FactsService } from './facts.service.js';
import { HeartbeatsModule } from './heartbeats.module.js';
import { PushGate } from './push-gate.js';
import { SystemsController } from './systems.controller.js';
import { SystemsService } from './systems.service.js';

@Module({
  imports: [ResourcesModule, HeartbeatsModule, PlatformModule, ChangeRulesModule, EventsModule],
  controllers: [SystemsController, FactsController, FactsCompatController, FactSnapshotsController],
  providers: [SystemsService, SystemCredentialsStrategy, FactsService, FactSnapshotsService, PushGate],
  exports: [FactsService, SystemsService, PushGate],
})
export class FactsModule {}
