import { Module } from '@nestjs/common';
import { CollectionRunsController } from './collection-runs.controller.js';
import { CollectionRunsService } from './collection-runs.service.js';

@Module({
  controllers: [CollectionRunsController],
  providers: [CollectionRunsService],
  exports: [CollectionRunsService],
})
export class CollectionModule {}
