import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { PropertyDefinitionDto } from './dto/property-definition.dto.js';
import { PROPERTY_DEFINITION_LIST } from './property-definition.list-spec.js';
import { PropertyDefinitionsService } from './property-definitions.service.js';

@ApiTags('taxonomy')
@Controller('property-definitions')
export class PropertyDefinitionsController {
  constructor(private readonly definitions: PropertyDefinitionsService) {}

  @Get()
  @ApiEndpoint({
    summary: 'List property definitions',
    description:
      'The schema contract for Resource.properties: which keys collectors write, per resource type.',
  })
  @ApiListQuery(PROPERTY_DEFINITION_LIST)
  @ApiPaginatedResponse(PropertyDefinitionDto)
  list(@ListQuery(PROPERTY_DEFINITION_LIST) query: ParsedListQuery) {
    return this.definitions.list(query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a property definition', errors: [404] })
  @ApiOkResponse({ type: PropertyDefinitionDto })
  get(@Param('id', UuidParamPipe) id: string) {
    return this.definitions.get(id);
  }
}
