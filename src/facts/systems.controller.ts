import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { CreateSystemDto, SystemDto, SystemWithSecretDto } from './dto/system.dto.js';
import { SYSTEM_LIST } from './system.list-spec.js';
import { SystemsService } from './systems.service.js';

@ApiTags('systems')
@Controller('systems')
export class SystemsController {
  constructor(private readonly systems: SystemsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List systems (push clients) you can see', errors: [401] })
  @ApiListQuery(SYSTEM_LIST)
  @ApiPaginatedResponse(SystemDto)
  list(@CurrentActor() actor: Actor, @ListQuery(SYSTEM_LIST) query: ParsedListQuery) {
    return this.systems.list(actor, query);
  }

  @Post()
  @ApiEndpoint({
    summary: 'Enroll a system',
    description: 'Answers the `secret` once; only its salted hash is stored.',
    errors: [401, 403],
  })
  @ApiCreatedResponse({ type: SystemWithSecretDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateSystemDto) {
    return this.systems.create(actor, body);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a system', errors: [401, 404] })
  @ApiOkResponse({ type: SystemDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.systems.get(actor, id);
  }

  @Post(':id/regenerate-secret')
  @HttpCode(200)
  @ApiEndpoint({ summary: 'Replace the secret (the old one stops working at once)', errors: [401, 403, 404] })
  @ApiOkResponse({ type: SystemWithSecretDto })
  regenerateSecret(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.systems.regenerateSecret(actor, id);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Refuse the system’s pushes and heartbeats (403) until resumed',
    errors: [401, 403, 404],
  })
  @ApiOkResponse({ type: SystemDto })
  suspend(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.systems.suspend(actor, id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiEndpoint({ summary: 'Accept the system’s pushes again', errors: [401, 403, 404] })
  @ApiOkResponse({ type: SystemDto })
  resume(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.systems.resume(actor, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Delete a system (its host resource and history stay)', errors: [401, 403, 404] })
  @ApiNoContentResponse({ description: 'Deleted.' })
  remove(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.systems.remove(actor, id);
  }
}
