import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module.js';
import {
  AutomationRecordsController,
  ResourceAutomationsController,
} from './automation-records.controller.js';
import { AutomationRecordsService } from './automation-records.service.js';
import { PendingMatchesController } from './pending-matches.controller.js';
import { PendingMatchesService } from './pending-matches.service.js';

/**
 * Automation correlation: job results per host (/automation-records/), matched to
 * resources by identity rules, the review queue (/pending-matches/) and a resource's
 * automation history (/resources/{id}/automations/).
 */
@Module({
  imports: [ResourcesModule],
  controllers: [AutomationRecordsController, ResourceAutomationsController, PendingMatchesController],
  providers: [AutomationRecordsService, PendingMatchesService],
  exports: [AutomationRecordsService],
})
export class AutomationModule {}
