import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { CreateWebhookDto, UpdateWebhookDto, WebhookDeliveryDto, WebhookDto } from './dto/webhook.dto.js';
import { WEBHOOK_DELIVERY_LIST, WEBHOOK_LIST } from './webhook.list-spec.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @ApiEndpoint({ summary: 'List webhooks (webhook.view)', errors: [401] })
  @ApiListQuery(WEBHOOK_LIST)
  @ApiPaginatedResponse(WebhookDto)
  list(@CurrentActor() actor: Actor, @ListQuery(WEBHOOK_LIST) query: ParsedListQuery) {
    return this.webhooks.list(actor, query);
  }

  @Post()
  @ApiEndpoint({
    summary: 'Create a webhook (webhook.add)',
    description: 'The secret is stored encrypted and never answered.',
    errors: [401, 403],
  })
  @ApiCreatedResponse({ type: WebhookDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateWebhookDto) {
    return this.webhooks.create(actor, body);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a webhook', errors: [401, 404] })
  @ApiOkResponse({ type: WebhookDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.webhooks.get(actor, id);
  }

  @Patch(':id')
  @ApiEndpoint({ summary: 'Change a webhook (webhook.change)', errors: [401, 403, 404] })
  @ApiOkResponse({ type: WebhookDto })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateWebhookDto,
  ) {
    return this.webhooks.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Delete a webhook and its delivery log (webhook.delete)', errors: [401, 403, 404] })
  @ApiNoContentResponse({ description: 'Deleted.' })
  remove(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.webhooks.remove(actor, id);
  }

  @Get(':id/deliveries')
  @ApiEndpoint({ summary: "A webhook's deliveries, newest first", errors: [401, 404] })
  @ApiListQuery(WEBHOOK_DELIVERY_LIST)
  @ApiPaginatedResponse(WebhookDeliveryDto)
  deliveries(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @ListQuery(WEBHOOK_DELIVERY_LIST) query: ParsedListQuery,
  ) {
    return this.webhooks.listDeliveries(actor, id, query);
  }

  @Get(':id/deliveries/:delivery')
  @ApiEndpoint({ summary: 'Get one delivery', errors: [401, 404] })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  delivery(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Param('delivery', UuidParamPipe) delivery: string,
  ) {
    return this.webhooks.getDelivery(actor, id, delivery);
  }

  @Post(':id/deliveries/:delivery/redeliver')
  @HttpCode(202)
  @ApiEndpoint({
    summary: 'Send a delivery again, as a new delivery (webhook.change)',
    errors: [401, 403, 404],
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  redeliver(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Param('delivery', UuidParamPipe) delivery: string,
  ) {
    return this.webhooks.redeliver(actor, id, delivery);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiEndpoint({ summary: 'Send a webhook.test ping (webhook.change)', errors: [401, 403, 404] })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  test(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.webhooks.test(actor, id);
  }
}
