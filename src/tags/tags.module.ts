import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { WatchlistsModule } from '../watchlists/watchlists.module.js';
import { ResourceTagsController, TagsController } from './tags.controller.js';
import { TagsService } from './tags.service.js';

/** User tags: /tags/ and tagging resources (their events go to the event log). */
@Module({
  imports: [ResourcesModule, EventsModule, WatchlistsModule],
  controllers: [TagsController, ResourceTagsController],
  providers: [TagsService],
  exports: [TagsService],
})
export class TagsModule {}
