import { Module } from '@nestjs/common';
import { FactsModule } from '../facts/facts.module.js';
import { AlertmanagerProxyController } from './alertmanager-proxy.controller.js';
import { AlertmanagerProxyService } from './alertmanager-proxy.service.js';
import { AlertHistoryController, AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';

/** Alerts: /alerts/, Alertmanager's webhook receiver (/alert_history) and the collector's per-system proxy. */
@Module({
  imports: [FactsModule],
  controllers: [AlertsController, AlertHistoryController, AlertmanagerProxyController],
  providers: [AlertsService, AlertmanagerProxyService],
  exports: [AlertsService],
})
export class AlertingModule {}
