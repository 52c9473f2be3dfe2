import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { ResourceRelationshipDto } from './dto/resource-relationship.dto.js';
import { RESOURCE_RELATIONSHIP_LIST } from './resource-relationship.list-spec.js';
import { ResourceRelationshipsService } from './resource-relationships.service.js';

@ApiTags('resources')
@Controller('resource-relationships')
export class ResourceRelationshipsController {
  constructor(private readonly relationships: ResourceRelationshipsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List relationships between resources' })
  @ApiListQuery(RESOURCE_RELATIONSHIP_LIST)
  @ApiPaginatedResponse(ResourceRelationshipDto)
  list(@CurrentActor() actor: Actor, @ListQuery(RESOURCE_RELATIONSHIP_LIST) query: ParsedListQuery) {
    return this.relationships.list(actor, query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a relationship', errors: [404] })
  @ApiOkResponse({ type: ResourceRelationshipDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.relationships.get(actor, id);
  }
}
