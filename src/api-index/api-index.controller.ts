import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ROUTE_TABLE, RouteTable } from '../common/http/method-not-allowed.js';
import { requestBase } from '../common/list/list.decorators.js';

/** The collections a newcomer explores first; every other one follows in alphabetical order. */
const FIRST = [
  'providers',
  'collection-runs',
  'provider-plugins',
  'resources',
  'resource-sightings',
  'resource-relationships',
  'resource-changes',
  'resource-categories',
  'resource-types',
  'vendor-type-mappings',
  'property-definitions',
  'systems',
  'facts',
];

/**
 * The top-level endpoints under `prefix`, from the registered routes (so a new module
 * shows up without editing a list): the first path segment of each route, once.
 */
export function apiIndexNames(routePaths: string[], prefix: string): string[] {
  const root = `/${prefix.replace(/^\/+|\/+$/g, '')}/`;
  const names = new Set<string>();
  const relative = routePaths
    .filter((path) => path.startsWith(root))
    .map((path) => path.slice(root.length).replace(/\/+$/, ''));
  const routed = new Set(relative);
  for (const path of relative) {
    const first = path.split('/')[0];
    if (!first || first.startsWith(':') || first.includes('*')) continue;
    // A segment without a route of its own (auth/) is listed by its routes (auth/login).
    if (routed.has(first)) names.add(first);
    else if (!path.includes(':') && !path.includes('*')) names.add(path);
  }
  const rank = (name: string) => (FIRST.includes(name) ? FIRST.indexOf(name) : FIRST.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

@ApiTags('index')
@Controller()
export class ApiIndexController {
  constructor(@Inject(ROUTE_TABLE) private readonly routes: RouteTable) {}

  @Get()
  @ApiOperation({ summary: 'Index of the API: every endpoint with its URL (generated from the routes)' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      additionalProperties: { type: 'string', format: 'uri' },
      example: { providers: 'http://localhost:8000/api/inventory/v1/providers/' },
    },
  })
  index(@Req() request: FastifyRequest): Record<string, string> {
    const base = requestBase(request).replace(/\/?$/, '/');
    // This route's own path is the prefix the inventory is mounted under (standalone or embedded).
    const prefix = request.routeOptions.url ?? '';
    return Object.fromEntries(
      apiIndexNames(this.routes.routePaths(), prefix).map((name) => [
        name,
        `${base}${name}${name.includes('.') ? '' : '/'}`,
      ]),
    );
  }
}
