import { Controller, Get, HttpException, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/actor.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { MetricsService } from './metrics.service.js';

/**
 * Prometheus scrape endpoint. Not in the OpenAPI document. Open unless METRICS_TOKEN
 * is set; then `Authorization: Bearer <METRICS_TOKEN>` is required.
 */
@Public()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
  ) {}

  @Get('metrics')
  @ApiExcludeEndpoint()
  async scrape(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const token = this.config.metricsToken;
    if (token !== null) {
      const header = request.headers.authorization ?? '';
      const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
      const expected = Buffer.from(token);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        reply.header('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new HttpException({ detail: 'The metrics token is missing or wrong.' }, 401);
      }
    }
    const { contentType, body } = await this.metrics.render();
    await reply.header('Content-Type', contentType).header('Cache-Control', 'no-store').send(body);
  }
}
