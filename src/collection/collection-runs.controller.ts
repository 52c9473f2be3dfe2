import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { COLLECTION_RUN_LIST } from './collection-run.list-spec.js';
import { CollectionRunsService } from './collection-runs.service.js';
import { CollectionRunDto } from './dto/collection-run.dto.js';

@ApiTags('collection-runs')
@Controller('collection-runs')
export class CollectionRunsController {
  constructor(private readonly runs: CollectionRunsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List collection runs', description: 'Newest first by default.' })
  @ApiListQuery(COLLECTION_RUN_LIST)
  @ApiPaginatedResponse(CollectionRunDto)
  list(@CurrentActor() actor: Actor, @ListQuery(COLLECTION_RUN_LIST) query: ParsedListQuery) {
    return this.runs.list(actor, query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a collection run with its status, timing and counters', errors: [404] })
  @ApiOkResponse({ type: CollectionRunDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.runs.get(actor, id);
  }
}
