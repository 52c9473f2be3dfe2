import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { FactsModule } from '../facts/facts.module.js';
import { AlertRuleEvaluator } from './alert-rule-evaluator.js';
import { AlertRulesController } from './alert-rules.controller.js';
import { AlertRulesService } from './alert-rules.service.js';
import { ALERTING_CLOCK, systemClock } from './alerting-clock.js';
import { AlertmanagerClient } from './alertmanager-client.js';
import { AlertmanagerProxyController } from './alertmanager-proxy.controller.js';
import { AlertmanagerProxyService } from './alertmanager-proxy.service.js';
import { AlertmanagerSender } from './alertmanager-sender.js';
import { AlertHistoryController, AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';
import { LinkFailedMonitor } from './link-failed-monitor.js';

/**
 * Alerts: /alerts/, /alert-rules/ and their evaluator over the event log, Alertmanager's
 * webhook receiver (/alert_history) and the collector's per-system proxy.
 */
@Module({
  imports: [FactsModule, EventsModule],
  controllers: [AlertsController, AlertRulesController, AlertHistoryController, AlertmanagerProxyController],
  providers: [
    AlertsService,
    AlertRulesService,
    AlertRuleEvaluator,
    AlertmanagerClient,
    AlertmanagerProxyService,
    AlertmanagerSender,
    LinkFailedMonitor,
    { provide: ALERTING_CLOCK, useFactory: () => ({ now: () => systemClock.now() }) },
  ],
  exports: [AlertsService, AlertRuleEvaluator, AlertmanagerSender, LinkFailedMonitor, ALERTING_CLOCK],
})
export class AlertingModule {}
