import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { HeartbeatsModule } from '../facts/heartbeats.module.js';
import { JobScheduler } from './job-scheduler.js';
import { RetentionService } from './retention.service.js';

/** Periodic jobs of the worker role: heartbeat check, retention, history pruning. */
@Module({
  imports: [HeartbeatsModule, EventsModule],
  providers: [RetentionService, JobScheduler],
  exports: [RetentionService, JobScheduler],
})
export class RetentionModule {}
