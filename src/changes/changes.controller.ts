import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { ChangesService } from './changes.service.js';
import { ResourceChangeDto, TimelineDayDto } from './dto/resource-change.dto.js';
import { NESTED_CHANGE_LIST, RESOURCE_CHANGE_LIST, TIMELINE_LIST } from './resource-change.list-spec.js';

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
  ) {
    return this.changes.timeline(actor, id, query);
  }
}
