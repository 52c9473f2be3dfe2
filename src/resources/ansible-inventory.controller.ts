import { Readable } from 'node:stream';
import { Controller, Get, Injectable, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { ApiFilterQuery, requestBase } from '../common/list/list.decorators.js';
import {
  ANSIBLE_INVENTORY_PARAMS,
  openAnsibleInventory,
  parseAnsibleInventoryQuery,
} from './ansible-inventory.query.js';
import { RESOURCE_LIST } from './resource.list-spec.js';
import { ResourcesService } from './resources.service.js';

@Injectable()
export class AnsibleInventoryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly resources: ResourcesService,
  ) {}

  /** The inventory document as a stream of JSON text; every 400 and the first rows come before it starts. */
  async open(actor: Actor, query: Record<string, string | string[]>, base: string): Promise<Readable> {
    const parsed = parseAnsibleInventoryQuery(query, { base, query });
    const visible = await this.resources.visible(actor, parsed.params);
    return Readable.from(await openAnsibleInventory(this.db, parsed, visible), { objectMode: false });
  }
}

@ApiTags('ansible')
@Controller('ansible-inventory')
export class AnsibleInventoryController {
  constructor(private readonly inventory: AnsibleInventoryService) {}

  @Get()
  @ApiEndpoint({
    summary: 'The resources as an Ansible inventory (what ansible-inventory --list prints)',
    description:
      "Groups `{hosts, vars, children}`, `all` and `ungrouped`, and `_meta.hostvars`, so Ansible never calls back per host. Takes every resources filter; without a category or resource type filter it lists the compute category, without `removed` only resources still present. Host variables: `ansible_host` (the resource property `ansible_host`, else its first IP address, else its FQDN), `ansible_connection` (the property, else `winrm` for Windows) and the resource's fields under the prefix (default `inventory_`): identity, provider, organization, type, state, location, cluster, OS, sizes, properties, tags and a summary of the latest pushed facts. Streamed; not paged.",
  })
  @ApiFilterQuery(RESOURCE_LIST)
  @ApiQuery({
    name: 'group_by',
    required: false,
    description: ANSIBLE_INVENTORY_PARAMS.group_by,
    schema: { type: 'array', items: { type: 'string' } },
    style: 'form',
    explode: true,
  })
  @ApiQuery({
    name: 'hostvars_prefix',
    required: false,
    description: ANSIBLE_INVENTORY_PARAMS.hostvars_prefix,
    schema: { type: 'string', default: 'inventory_' },
  })
  @ApiQuery({
    name: 'hostname',
    required: false,
    description: ANSIBLE_INVENTORY_PARAMS.hostname,
    schema: { type: 'string', enum: ['name', 'fqdn', 'id'], default: 'name' },
  })
  @ApiOkResponse({
    description: 'The inventory in the JSON format of `ansible-inventory --list`.',
    schema: {
      type: 'object',
      properties: {
        _meta: {
          type: 'object',
          properties: { hostvars: { type: 'object', additionalProperties: { type: 'object' } } },
        },
        all: { type: 'object' },
        ungrouped: { type: 'object' },
      },
      additionalProperties: {
        type: 'object',
        properties: {
          hosts: { type: 'array', items: { type: 'string' } },
          vars: { type: 'object' },
          children: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  })
  async get(
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const query = (request.query ?? {}) as Record<string, string | string[]>;
    const body = await this.inventory.open(actor, query, requestBase(request));
    await reply
      .header('Content-Type', 'application/json; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .send(body);
  }
}
