import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import {
  ApiFilterQuery,
  ApiListQuery,
  ApiPaginatedResponse,
  ListQuery,
} from '../common/list/list.decorators.js';
import { InvalidQueryError } from '../common/errors.js';
import { boolParam, singleParam, timestampParam } from '../common/list/query-params.js';
import { ChangesService } from './changes.service.js';
import { ChangeSummaryDto, ResourceChangeDto, TimelineDayDto } from './dto/resource-change.dto.js';
import {
  CHANGE_SUMMARY_QUERY,
  NESTED_CHANGE_LIST,
  RESOURCE_CHANGE_LIST,
  TIMELINE_LIST,
} from './resource-change.list-spec.js';

@ApiTags('changes')
@Controller()
export class ChangesController {
  constructor(private readonly changes: ChangesService) {}

  @Get('resource-changes')
  @ApiEndpoint({
    summary: 'List detected changes, newest first',
    description: 'Changes are never deleted by retention.',
  })
  @ApiListQuery(RESOURCE_CHANGE_LIST)
  @ApiPaginatedResponse(ResourceChangeDto)
  list(@CurrentActor() actor: Actor, @ListQuery(RESOURCE_CHANGE_LIST) query: ParsedListQuery) {
    return this.changes.list(actor, query);
  }

  @Get('resource-changes/summary')
  @ApiEndpoint({
    summary: 'The fleet-wide change timeline: changes per UTC day or week by severity and category',
    description: 'Takes every filter of /resource-changes/; scoped like it.',
  })
  @ApiFilterQuery(CHANGE_SUMMARY_QUERY)
  @ApiOkResponse({ type: ChangeSummaryDto })
  summary(
    @CurrentActor() actor: Actor,
    @ListQuery(CHANGE_SUMMARY_QUERY) query: ParsedListQuery,
    @Query() raw: Record<string, string | string[] | undefined>,
  ) {
    const interval = singleParam(raw, 'interval') ?? 'day';
    if (interval !== 'day' && interval !== 'week')
      throw new InvalidQueryError('interval', `"${interval}" is not one of: day, week.`);
    return this.changes.summary(actor, query, {
      interval,
      fill: boolParam(raw, 'fill'),
      detectedAfter: timestampParam(raw, 'detected_after'),
      detectedBefore: timestampParam(raw, 'detected_before'),
    });
  }

  @Get('resources/:id/changes')
  @ApiEndpoint({ summary: "List a resource's changes, newest first", errors: [404] })
  @ApiListQuery(NESTED_CHANGE_LIST)
  @ApiPaginatedResponse(ResourceChangeDto)
  listForResource(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @ListQuery(NESTED_CHANGE_LIST) query: ParsedListQuery,
  ) {
    return this.changes.listForResource(actor, id, query);
  }

  @Get('resources/:id/timeline')
  @ApiEndpoint({
    summary: "A resource's change timeline: one entry per day (UTC) with counts and a severity summary",
    errors: [404],
  })
  @ApiListQuery(TIMELINE_LIST)
  @ApiPaginatedResponse(TimelineDayDto)
  timeline(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @ListQuery(TIMELINE_LIST) query: ParsedListQuery,
    @Query() raw: Record<string, string | string[] | undefined>,
  ) {
    const fill = boolParam(raw, 'fill')
      ? { dateAfter: timestampParam(raw, 'date_after'), dateBefore: timestampParam(raw, 'date_before') }
      : null;
    return this.changes.timeline(actor, id, query, fill);
  }
}
