import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { ResourceSightingDto } from './dto/resource-sighting.dto.js';
import { RESOURCE_SIGHTING_LIST } from './resource-sighting.list-specs.js';
import { ResourceSightingsService } from './resource-sightings.service.js';

@ApiTags('resources')
@Controller('resource-sightings')
export class ResourceSightingsController {
  constructor(private readonly sightings: ResourceSightingsService) {}

  @Get()
  @ApiEndpoint({
    summary: 'List sightings (point-in-time observations)',
    description: 'Newest first by default.',
  })
  @ApiListQuery(RESOURCE_SIGHTING_LIST)
  @ApiPaginatedResponse(ResourceSightingDto)
  list(@CurrentActor() actor: Actor, @ListQuery(RESOURCE_SIGHTING_LIST) query: ParsedListQuery) {
    return this.sightings.list(actor, query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a sighting', errors: [404] })
  @ApiOkResponse({ type: ResourceSightingDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.sightings.get(actor, id);
  }
}
