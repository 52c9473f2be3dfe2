import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { PENDING_MATCH_LIST } from './automation.list-spec.js';
import {
  BulkResolvePendingMatchesDto,
  BulkResolveResultDto,
  MAX_RESOLVE_ACTIONS,
  PendingMatchDto,
  ResolvePendingMatchDto,
} from './dto/pending-match.dto.js';
import { PendingMatchesService } from './pending-matches.service.js';

@ApiTags('automation')
@Controller('pending-matches')
export class PendingMatchesController {
  constructor(private readonly pending: PendingMatchesService) {}

  @Get()
  @ApiEndpoint({
    summary: 'List proposed matches of automation records (automation_record.view)',
    description: '`?status=pending` is the review queue; decided ones stay listed with their decision.',
    errors: [401],
  })
  @ApiListQuery(PENDING_MATCH_LIST)
  @ApiPaginatedResponse(PendingMatchDto)
  list(@CurrentActor() actor: Actor, @ListQuery(PENDING_MATCH_LIST) query: ParsedListQuery) {
    return this.pending.list(actor, query);
  }

  @Post('resolve')
  @HttpCode(200)
  @ApiEndpoint({
    summary: `Confirm or reject up to ${MAX_RESOLVE_ACTIONS} pending matches at once (automation_record.change)`,
    description: 'All or nothing: an unknown id is a 404, one already decided a 409, and nothing is changed.',
    errors: [401, 403, 404, 409],
  })
  @ApiOkResponse({ type: BulkResolveResultDto })
  resolveMany(@CurrentActor() actor: Actor, @Body() body: BulkResolvePendingMatchesDto) {
    return this.pending.resolve(actor, body.actions);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a pending match', errors: [401, 404] })
  @ApiOkResponse({ type: PendingMatchDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.pending.get(actor, id);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Confirm or reject a pending match (automation_record.change)',
    description:
      'confirm: the record is matched to the resource, its other candidates are superseded and later records ' +
      'of the same host name match this resource first (rule `confirmed`). reject: the pair is never proposed again.',
    errors: [401, 403, 404, 409],
  })
  @ApiOkResponse({ type: PendingMatchDto })
  resolve(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: ResolvePendingMatchDto,
  ) {
    return this.pending.resolveOne(actor, id, body.action);
  }
}
