import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { type Actor, CurrentActor, Public } from '../auth/actor.js';
import { NotConfiguredError, UnauthorizedError } from '../common/errors.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { ALERT_LIST } from './alert.list-spec.js';
import { AlertsService } from './alerts.service.js';
import { AlertDto, AlertTotalsDto } from './dto/alert.dto.js';

@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiEndpoint({
    summary: 'List alerts, newest first',
    description:
      "Alerts of the organizations the caller holds alert.view on: Alertmanager's (POST /alert_history).",
  })
  @ApiListQuery(ALERT_LIST)
  @ApiPaginatedResponse(AlertDto)
  list(@CurrentActor() actor: Actor, @ListQuery(ALERT_LIST) query: ParsedListQuery) {
    return this.alerts.list(actor, query);
  }

  @Get('totals')
  @ApiEndpoint({ summary: 'Firing alerts by severity (for dashboards)' })
  @ApiOkResponse({ type: AlertTotalsDto })
  totals(@CurrentActor() actor: Actor) {
    return this.alerts.totals(actor);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get an alert', errors: [404] })
  @ApiOkResponse({ type: AlertDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.alerts.get(actor, id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @ApiEndpoint({ summary: 'Acknowledge an alert (alert.change)', errors: [403, 404] })
  @ApiOkResponse({ type: AlertDto })
  acknowledge(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.alerts.acknowledge(actor, id);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiEndpoint({ summary: 'Resolve an alert here (alert.change)', errors: [403, 404] })
  @ApiOkResponse({ type: AlertDto })
  resolve(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.alerts.resolve(actor, id);
  }
}

/**
 * Alertmanager's webhook receiver (payload version 4), as the collector serves it at
 * `/api/alert_history` (also under the API prefix): `Authorization: Bearer
 * <ALERT_HISTORY_TOKEN>`, 204 when recorded.
 */
@ApiTags('alerts')
@Controller()
export class AlertHistoryController {
  constructor(
    private readonly alerts: AlertsService,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
  ) {}

  @Post(['api/alert_history', 'alert_history'])
  @Public()
  @ApiBearerAuth('alertHistoryToken')
  @ApiEndpoint({
    summary: "Alertmanager webhook receiver: record Alertmanager's notifications as alerts",
    description:
      'Bearer ALERT_HISTORY_TOKEN. Each alert belongs to the organization of the system its `system_key` label names; others are skipped. At most 1000 alerts per notification.',
    errors: [401, 413],
  })
  @ApiNoContentResponse({ description: 'Recorded.' })
  async receive(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const token = this.config.alerting.alertHistoryToken;
    if (token === null)
      throw new NotConfiguredError('No ALERT_HISTORY_TOKEN is configured: notifications are refused.');
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(/^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : '');
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new UnauthorizedError('The alert history token is missing or wrong.');
    await this.alerts.recordAlertmanagerWebhook(body);
    await reply.status(204).send();
  }
}
