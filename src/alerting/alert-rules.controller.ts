import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { ALERT_RULE_LIST } from './alert-rule.list-spec.js';
import { AlertRulesService } from './alert-rules.service.js';
import { AlertRuleDto, CreateAlertRuleDto, UpdateAlertRuleDto } from './dto/alert-rule.dto.js';

@ApiTags('alerts')
@Controller('alert-rules')
export class AlertRulesController {
  constructor(private readonly rules: AlertRulesService) {}

  @Get()
  @ApiEndpoint({
    summary: 'List alert rules (alert_rule.view)',
    description:
      'Every organization has the built-in rules LinkFailed, Collection run failed, Resource removed and Critical change.',
    errors: [401],
  })
  @ApiListQuery(ALERT_RULE_LIST)
  @ApiPaginatedResponse(AlertRuleDto)
  list(@CurrentActor() actor: Actor, @ListQuery(ALERT_RULE_LIST) query: ParsedListQuery) {
    return this.rules.list(actor, query);
  }

  @Post()
  @ApiEndpoint({ summary: 'Create an alert rule (alert_rule.add)', errors: [401, 403] })
  @ApiCreatedResponse({ type: AlertRuleDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateAlertRuleDto) {
    return this.rules.create(actor, body);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get an alert rule', errors: [401, 404] })
  @ApiOkResponse({ type: AlertRuleDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.rules.get(actor, id);
  }

  @Patch(':id')
  @ApiEndpoint({
    summary: 'Change an alert rule, built-in ones too (alert_rule.change)',
    errors: [401, 403, 404],
  })
  @ApiOkResponse({ type: AlertRuleDto })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateAlertRuleDto,
  ) {
    return this.rules.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({
    summary: 'Delete an alert rule (alert_rule.delete); built-in ones are 409 (disable them)',
    errors: [401, 403, 404, 409],
  })
  @ApiNoContentResponse({ description: 'Deleted; its alerts stay, without a rule.' })
  remove(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.rules.remove(actor, id);
  }
}
