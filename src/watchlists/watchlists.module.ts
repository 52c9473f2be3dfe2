import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { WatchlistsController } from './watchlists.controller.js';
import { WatchlistsService } from './watchlists.service.js';

/** Watchlists: /watchlists/, their stored membership and its events (evaluated by the scheduler's job). */
@Module({
  imports: [ResourcesModule, EventsModule],
  controllers: [WatchlistsController],
  providers: [WatchlistsService],
  exports: [WatchlistsService],
})
export class WatchlistsModule {}
