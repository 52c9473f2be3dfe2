import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { CreateProviderDto, ProviderDto, UpdateProviderDto } from './dto/provider.dto.js';
import { PROVIDER_LIST } from './provider.list-spec.js';
import { ProvidersService } from './providers.service.js';

@ApiTags('providers')
@Controller('providers')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Get()
  @ApiEndpoint({ summary: 'List providers you can see', errors: [401] })
  @ApiListQuery(PROVIDER_LIST)
  @ApiPaginatedResponse(ProviderDto)
  list(@CurrentActor() actor: Actor, @ListQuery(PROVIDER_LIST) query: ParsedListQuery) {
    return this.providers.list(actor, query);
  }

  @Post()
  @ApiEndpoint({ summary: 'Register a provider', errors: [401, 403] })
  @ApiCreatedResponse({ type: ProviderDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateProviderDto) {
    return this.providers.create(actor, body);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a provider', errors: [401, 403, 404] })
  @ApiOkResponse({ type: ProviderDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.providers.get(actor, id);
  }

  @Put(':id')
  @ApiEndpoint({ summary: 'Replace a provider', errors: [401, 403, 404] })
  @ApiOkResponse({ type: ProviderDto })
  replace(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: CreateProviderDto,
  ) {
    return this.providers.replace(actor, id, body);
  }

  @Patch(':id')
  @ApiEndpoint({ summary: 'Update some fields of a provider', errors: [401, 403, 404] })
  @ApiOkResponse({ type: ProviderDto })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateProviderDto,
  ) {
    return this.providers.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({
    summary: 'Delete a provider and everything collected from it',
    errors: [401, 403, 404, 409],
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  remove(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.providers.remove(actor, id);
  }
}
