import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { ChangeRulesModule } from '../changes/change-rules.module.js';
import { HeartbeatsService } from './heartbeats.service.js';

/** The systems' status machine, shared by the push API and the worker's periodic check. */
@Module({
  imports: [ChangeRulesModule, EventsModule],
  providers: [HeartbeatsService],
  exports: [HeartbeatsService],
})
export class HeartbeatsModule {}
