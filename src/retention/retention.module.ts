import { Module } from '@nestjs/common';
import { AlertingModule } from '../alerting/alerting.module.js';
import { EventsModule } from '../events/events.module.js';
import { HeartbeatsModule } from '../facts/heartbeats.module.js';
import { WatchlistsModule } from '../watchlists/watchlists.module.js';
import { JobScheduler } from './job-scheduler.js';
import { RetentionService } from './retention.service.js';

/** Periodic jobs of the worker role: heartbeat check, LinkFailed check, retention, history pruning. */
@Module({
  imports: [HeartbeatsModule, EventsModule, AlertingModule, WatchlistsModule],
  providers: [RetentionService, JobScheduler],
  exports: [RetentionService, JobScheduler],
})
export class RetentionModule {}
