import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { requestBase } from '../common/list/list.decorators.js';

/** The collections and documents the API serves, in the order a newcomer would explore them. */
export const API_INDEX = [
  'providers',
  'collection-runs',
  'resources',
  'resource-sightings',
  'resource-relationships',
  'resource-categories',
  'resource-types',
  'vendor-type-mappings',
  'property-definitions',
  'ping',
  'health',
  'docs',
  'openapi.json',
] as const;

@ApiTags('index')
@Controller()
export class ApiIndexController {
  @Get()
  @ApiOperation({ summary: 'Index of the API: each endpoint with its URL' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      additionalProperties: { type: 'string', format: 'uri' },
      example: { providers: 'http://localhost:8000/api/inventory/v1/providers/' },
    },
  })
  index(@Req() request: FastifyRequest): Record<string, string> {
    const base = requestBase(request).replace(/\/?$/, '/');
    return Object.fromEntries(
      API_INDEX.map((name) => [name, `${base}${name}${name.includes('.') ? '' : '/'}`]),
    );
  }
}
