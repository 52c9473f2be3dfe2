import { Module } from '@nestjs/common';
import { FactsModule } from '../facts/facts.module.js';
import { AlertmanagerProxyController } from './alertmanager-proxy.controller.js';
import { AlertmanagerProxyService } from './alertmanager-proxy.service.js';

/** Alerts: the collector's per-system Alertmanager proxy. */
@Module({
  imports: [FactsModule],
  controllers: [AlertmanagerProxyController],
  providers: [AlertmanagerProxyService],
})
export class AlertingModule {}
