import { Module } from '@nestjs/common';
import { AlertingModule } from '../alerting/alerting.module.js';
import { AutomationModule } from '../automation/automation.module.js';
import { EventsModule } from '../events/events.module.js';
import { ChangesModule } from '../changes/changes.module.js';
import { FactsModule } from '../facts/facts.module.js';
import { TagsModule } from '../tags/tags.module.js';
import { WatchlistsModule } from '../watchlists/watchlists.module.js';
import { ProvidersController } from './providers.controller.js';
import { ProviderDocumentsService } from './provider-documents.service.js';
import { ProvidersService } from './providers.service.js';

@Module({
  imports: [
    ChangesModule,
    FactsModule,
    EventsModule,
    AlertingModule,
    TagsModule,
    WatchlistsModule,
    AutomationModule,
  ],
  controllers: [ProvidersController],
  providers: [ProvidersService, ProviderDocumentsService],
  exports: [ProvidersService],
})
export class ProvidersModule {}
