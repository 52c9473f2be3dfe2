import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { ChangeRulesModule } from '../changes/change-rules.module.js';
import { CollectionController } from './collection.controller.js';
import { CollectionQueue } from './collection-queue.js';
import { CollectionRunsController } from './collection-runs.controller.js';
import { CollectionRunsService } from './collection-runs.service.js';
import { CollectionService } from './collection.service.js';
import { CollectionWorker } from './collection-worker.js';

@Module({
  imports: [ChangeRulesModule, EventsModule],
  controllers: [CollectionRunsController, CollectionController],
  providers: [CollectionRunsService, CollectionService, CollectionQueue, CollectionWorker],
  exports: [CollectionRunsService, CollectionService, CollectionQueue, CollectionWorker],
})
export class CollectionModule {}
