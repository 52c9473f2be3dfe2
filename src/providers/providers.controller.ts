import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { CreateProviderDto, ProviderDto, UpdateProviderDto } from './dto/provider.dto.js';
import { PROVIDER_LIST } from './provider.list-spec.js';
import { ProviderDocumentDto } from './dto/provider-document.dto.js';
import { ProviderDocumentsService } from './provider-documents.service.js';
import { ProvidersService } from './providers.service.js';

@ApiTags('providers')
@Controller('providers')
export class ProvidersController {
  constructor(
    private readonly providers: ProvidersService,
    private readonly documents: ProviderDocumentsService,
  ) {}

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

  @Get(':id/document')
  @ApiEndpoint({
    summary: 'The document stored with the provider (what file:import collects), without its content',
    errors: [401, 403, 404],
  })
  @ApiOkResponse({ type: ProviderDocumentDto })
  getDocument(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.documents.get(actor, id);
  }

  @Put(':id/document')
  @ApiEndpoint({
    summary: 'Upload (or replace) the document of a file:import provider: CSV, JSON or YAML, at most 64 MB',
    errors: [401, 403, 404, 413],
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: { file: { type: 'string', format: 'binary' } },
      required: ['file'],
    },
  })
  @ApiOkResponse({ type: ProviderDocumentDto })
  putDocument(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Req() request: FastifyRequest,
  ) {
    return this.documents.put(actor, id, request);
  }

  @Delete(':id/document')
  @HttpCode(204)
  @ApiEndpoint({ summary: "Delete the provider's document", errors: [401, 403, 404] })
  @ApiNoContentResponse({ description: 'Deleted.' })
  deleteDocument(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.documents.remove(actor, id);
  }
}
