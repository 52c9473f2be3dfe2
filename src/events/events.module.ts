import { Module } from '@nestjs/common';
import { EventsController } from './events.controller.js';
import { EventStreamsService } from './event-streams.service.js';
import { EventsService } from './events.service.js';

/** The event log: imported by every module that changes the inventory (they append through EventsService). */
@Module({
  controllers: [EventsController],
  providers: [EventsService, EventStreamsService],
  exports: [EventsService],
})
export class EventsModule {}
