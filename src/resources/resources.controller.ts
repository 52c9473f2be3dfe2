import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import {
  ApiFilterQuery,
  ApiListQuery,
  ApiPaginatedResponse,
  ListQuery,
  RequestUrl,
} from '../common/list/list.decorators.js';
import { ResourceSightingDto } from '../sightings/dto/resource-sighting.dto.js';
import { NESTED_SIGHTING_LIST } from '../sightings/resource-sighting.list-specs.js';
import { ResourceDetailDto, ResourceDiffDto, ResourceDto } from './dto/resource.dto.js';
import { ResourceHistoryDto } from './dto/resource-history.dto.js';
import { DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT } from './resource-history.query.js';
import { ResourceSummaryDto } from './dto/resource-summary.dto.js';
import { RESOURCE_LIST, RESOURCE_SUMMARY_QUERY } from './resource.list-spec.js';
import { parseTimeParam, ResourcesService } from './resources.service.js';

@ApiTags('resources')
@Controller('resources')
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  @Get()
  @ApiEndpoint({
    summary: 'List resources',
    description: 'Resources are created by collections and pushes, never through this endpoint.',
  })
  @ApiListQuery(RESOURCE_LIST)
  @ApiPaginatedResponse(ResourceDto)
  list(@CurrentActor() actor: Actor, @ListQuery(RESOURCE_LIST) query: ParsedListQuery) {
    return this.resources.list(actor, query);
  }

  @Get('summary')
  @ApiEndpoint({
    summary: 'Count resources per value of one to three fields (for dashboards)',
    description:
      'Takes every filter of the resources list. `group_by=resource_type&group_by=state` counts per pair; ' +
      '`group_by=tag:env` per value of a provider tag; `group_by=first_discovered_at:week` per week (UTC). ' +
      'Answered by one SQL statement; the largest 1000 groups are listed.',
  })
  @ApiFilterQuery(RESOURCE_SUMMARY_QUERY)
  @ApiOkResponse({ type: ResourceSummaryDto })
  summary(
    @CurrentActor() actor: Actor,
    @ListQuery(RESOURCE_SUMMARY_QUERY) query: ParsedListQuery,
    @Query('group_by') groupBy?: string | string[],
  ) {
    return this.resources.summary(actor, query, groupBy === undefined ? [] : [groupBy].flat());
  }

  @Get(':id')
  @ApiEndpoint({
    summary: 'Get a resource with its type, category, provider, relationship counts and machine',
    errors: [404],
  })
  @ApiQuery({
    name: 'as_of',
    required: false,
    schema: { type: 'string', format: 'date-time' },
    description:
      'Show the tracked fields as they were at this time (ISO 8601), rebuilt from the change history; 404 when the resource did not exist then.',
  })
  @ApiOkResponse({ type: ResourceDetailDto })
  get(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @RequestUrl() url: string,
    @Query('as_of') asOf?: string | string[],
  ) {
    return this.resources.get(actor, id, url, parseTimeParam('as_of', asOf));
  }

  @Get(':id/diff')
  @ApiEndpoint({
    summary: 'What changed on a resource between two times',
    description:
      'Every tracked field, property and pushed fact path whose value at `to` differs from its value at `from`, with the category and severity of its changes.',
    errors: [400, 404],
  })
  @ApiQuery({ name: 'from', required: true, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({
    name: 'to',
    required: false,
    schema: { type: 'string', format: 'date-time' },
    description: 'Default: now.',
  })
  @ApiOkResponse({ type: ResourceDiffDto })
  diff(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: Record<string, string | string[]>,
  ) {
    return this.resources.diff(actor, id, query);
  }

  @Get(':id/sightings')
  @ApiEndpoint({ summary: "List a resource's sightings, newest first", errors: [404] })
  @ApiListQuery(NESTED_SIGHTING_LIST)
  @ApiPaginatedResponse(ResourceSightingDto)
  sightings(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @ListQuery(NESTED_SIGHTING_LIST) query: ParsedListQuery,
  ) {
    return this.resources.listSightings(actor, id, query);
  }

  @Get(':id/history')
  @ApiEndpoint({
    summary: "A resource's aggregated history for dashboards",
    description:
      'identity, tracking, a summary over all sightings (count, distinct states, avg/min/max of cpu_count, memory_mb and disk_gb) and a bounded timeline, oldest first.',
    errors: [404],
  })
  @ApiQuery({
    name: 'seen_after',
    required: false,
    schema: { type: 'string', format: 'date-time' },
    description: 'Timeline window start (ISO 8601).',
  })
  @ApiQuery({
    name: 'seen_before',
    required: false,
    schema: { type: 'string', format: 'date-time' },
    description: 'Timeline window end (ISO 8601).',
  })
  @ApiQuery({
    name: 'timeline_limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_TIMELINE_LIMIT, default: DEFAULT_TIMELINE_LIMIT },
    description: 'How many of the latest sightings in the window the timeline holds.',
  })
  @ApiOkResponse({ type: ResourceHistoryDto })
  history(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: Record<string, string | string[]>,
  ) {
    return this.resources.history(actor, id, query);
  }
}
