import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

/** The service's metrics registry (global: the queue, the executor and the push path report to it). */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}

/** GET /metrics/ (left out when the inventory is embedded with its own routes off). */
@Module({ controllers: [MetricsController] })
export class MetricsRoutesModule {}
