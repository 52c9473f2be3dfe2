import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { ApiPaginatedResponse } from '../common/list/list.decorators.js';
import { PluginDetailDto, PluginDto, PluginRefreshDto, PluginTestDto } from './dto/plugin.dto.js';
import { ProviderPluginsService } from './provider-plugins.service.js';

@ApiTags('provider-plugins')
@Controller('provider-plugins')
export class ProviderPluginsController {
  constructor(private readonly plugins: ProviderPluginsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List discovered provider plugins', errors: [401] })
  @ApiPaginatedResponse(PluginDto)
  list(@CurrentActor() actor: Actor) {
    return this.plugins.list(actor);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Re-discover plugins in every replica and worker, without a restart (superusers)',
    errors: [401, 403],
  })
  @ApiOkResponse({ type: PluginRefreshDto })
  refresh(@CurrentActor() actor: Actor) {
    return this.plugins.refresh(actor);
  }

  @Post('upload')
  @ApiEndpoint({
    summary:
      'Upload a plugin archive (.tar.gz with manifest.yml and its module); off unless PLUGIN_UPLOAD_ENABLED=true',
    errors: [401, 403, 409, 413],
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: { archive: { type: 'string', format: 'binary' } },
      required: ['archive'],
    },
  })
  @ApiQuery({
    name: 'force',
    required: false,
    schema: { type: 'boolean', default: false },
    description: 'Replace a plugin with the same key.',
  })
  @ApiCreatedResponse({ type: PluginDetailDto })
  upload(
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Query('force') force?: string | string[],
  ) {
    return this.plugins.upload(actor, request, force);
  }

  @Get(':key')
  @ApiEndpoint({ summary: 'Plugin detail with the contents of its dependency files', errors: [401, 404] })
  @ApiOkResponse({ type: PluginDetailDto })
  get(@CurrentActor() actor: Actor, @Param('key') key: string) {
    return this.plugins.get(actor, key);
  }

  @Post(':key/test')
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Test the connection of every enabled provider of this plugin you may manage',
    errors: [401, 404],
  })
  @ApiOkResponse({ type: PluginTestDto })
  test(@CurrentActor() actor: Actor, @Param('key') key: string) {
    return this.plugins.test(actor, key);
  }
}
