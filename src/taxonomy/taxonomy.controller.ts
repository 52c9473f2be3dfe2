import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { ResourceCategoryDto, ResourceTypeDto, VendorTypeMappingDto } from './dto/taxonomy.dto.js';
import {
  RESOURCE_CATEGORY_LIST,
  RESOURCE_TYPE_LIST,
  VENDOR_TYPE_MAPPING_LIST,
} from './taxonomy.list-specs.js';
import { TaxonomyService } from './taxonomy.service.js';

@ApiTags('taxonomy')
@Controller('resource-categories')
export class ResourceCategoriesController {
  constructor(private readonly taxonomy: TaxonomyService) {}

  @Get()
  @ApiEndpoint({ summary: 'List resource categories' })
  @ApiListQuery(RESOURCE_CATEGORY_LIST)
  @ApiPaginatedResponse(ResourceCategoryDto)
  list(@ListQuery(RESOURCE_CATEGORY_LIST) query: ParsedListQuery) {
    return this.taxonomy.listCategories(query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a resource category', errors: [404] })
  @ApiOkResponse({ type: ResourceCategoryDto })
  get(@Param('id', UuidParamPipe) id: string) {
    return this.taxonomy.getCategory(id);
  }
}

@ApiTags('taxonomy')
@Controller('resource-types')
export class ResourceTypesController {
  constructor(private readonly taxonomy: TaxonomyService) {}

  @Get()
  @ApiEndpoint({ summary: 'List resource types' })
  @ApiListQuery(RESOURCE_TYPE_LIST)
  @ApiPaginatedResponse(ResourceTypeDto)
  list(@ListQuery(RESOURCE_TYPE_LIST) query: ParsedListQuery) {
    return this.taxonomy.listTypes(query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a resource type', errors: [404] })
  @ApiOkResponse({ type: ResourceTypeDto })
  get(@Param('id', UuidParamPipe) id: string) {
    return this.taxonomy.getType(id);
  }
}

@ApiTags('taxonomy')
@Controller('vendor-type-mappings')
export class VendorTypeMappingsController {
  constructor(private readonly taxonomy: TaxonomyService) {}

  @Get()
  @ApiEndpoint({ summary: 'List vendor type mappings' })
  @ApiListQuery(VENDOR_TYPE_MAPPING_LIST)
  @ApiPaginatedResponse(VendorTypeMappingDto)
  list(@ListQuery(VENDOR_TYPE_MAPPING_LIST) query: ParsedListQuery) {
    return this.taxonomy.listMappings(query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a vendor type mapping', errors: [404] })
  @ApiOkResponse({ type: VendorTypeMappingDto })
  get(@Param('id', UuidParamPipe) id: string) {
    return this.taxonomy.getMapping(id);
  }
}
