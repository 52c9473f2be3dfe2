import { applyDecorators, createParamDecorator, type ExecutionContext, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProperty, ApiQuery, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  allFilters,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  parseListQuery,
  type ParsedListQuery,
} from './list-query.js';
import type { FilterDef, ListSpec } from './list-spec.js';

type SchemaFor = { type: string; format?: string; enum?: string[] };

function schemaFor(def: FilterDef): SchemaFor {
  switch (def.type) {
    case 'string':
      return { type: 'string' };
    case 'uuid':
      return { type: 'string', format: 'uuid' };
    case 'int':
      return { type: 'integer' };
    case 'number':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'string', enum: [...(def.enumValues ?? [])] };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
  }
}

/** Documents a list's page, page_size, format, fields, ordering and (ApiFilterQuery) its filters in OpenAPI. */
export function ApiListQuery(spec: ListSpec) {
  const decorators = [
    ApiQuery({ name: 'page', required: false, schema: { type: 'integer', minimum: 1, default: 1 } }),
    ApiQuery({
      name: 'page_size',
      required: false,
      description: `Results per page (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}; larger values are capped).`,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
    }),
    ApiQuery({
      name: 'limit',
      required: false,
      description: `NetBox style, instead of page/page_size: results per page (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).`,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE },
    }),
    ApiQuery({
      name: 'offset',
      required: false,
      description: 'NetBox style, with limit: results to skip (default 0).',
      schema: { type: 'integer', minimum: 0 },
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      description:
        'Keyset paging instead of page/offset: send `cursor=` (empty) for the first page, then follow `next`, which carries the cursor after the last row (deep pages cost what the first does; `previous` is null). With page_size or limit; bound to the ordering.',
      schema: { type: 'string' },
    }),
    ApiQuery({
      name: 'format',
      required: false,
      description:
        "json (default): one page. csv or ndjson: every matching row, streamed in the list's order (paging parameters are ignored); also chosen by `Accept: text/csv` or `Accept: application/x-ndjson`.",
      schema: { type: 'string', enum: ['json', 'csv', 'ndjson'] },
    }),
    ApiQuery({
      name: 'fields',
      required: false,
      description: 'Comma-separated result fields to keep (e.g. `id,name`); the others are left out.',
      schema: { type: 'string' },
    }),
    ApiQuery({
      name: 'ordering',
      required: false,
      description: `Comma-separated fields, "-" for descending. Fields: ${Object.keys(spec.ordering).join(', ')}. Default: ${spec.defaultOrdering.join(',')}.`,
      schema: { type: 'string' },
    }),
  ];
  return applyDecorators(...decorators, ApiFilterQuery(spec));
}

/** Documents a spec's search, extra parameters and every filter and lookup (no paging or ordering). */
export function ApiFilterQuery(spec: ListSpec) {
  const decorators: MethodDecorator[] = [];
  if (spec.search) {
    decorators.push(
      ApiQuery({
        name: 'search',
        required: false,
        description: spec.search.description,
        schema: { type: 'string' },
      }),
    );
  }
  for (const [name, description] of Object.entries(spec.extraParams ?? {})) {
    decorators.push(ApiQuery({ name, required: false, description, schema: { type: 'string' } }));
  }
  for (const [name, def] of Object.entries(allFilters(spec))) {
    const schema = schemaFor(def);
    decorators.push(
      ApiQuery({
        name,
        required: false,
        description: def.description,
        ...(def.multi
          ? { schema: { type: 'array', items: schema }, style: 'form', explode: true }
          : { schema }),
      }),
    );
  }
  return applyDecorators(...decorators);
}

/** The request's own URL (scheme, host, path), for the `next`/`previous` links. */
export function requestBase(request: FastifyRequest): string {
  const forwardedProto = request.headers['x-forwarded-proto'];
  const proto =
    (Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto)?.split(',')[0] ?? request.protocol;
  const host = request.headers.host ?? 'localhost';
  // originalUrl keeps the path the client used (e.g. /api/v1/... behind a stripping gateway).
  const path = (request.originalUrl ?? request.url).split('?')[0];
  return `${proto}://${host}${path}`;
}

/** The request's own URL without its query (for links to related objects). */
export const RequestUrl = createParamDecorator((_: unknown, ctx: ExecutionContext): string =>
  requestBase(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

/** Parses the request's query string against a list spec (400 on anything malformed). */
export const ListQuery = createParamDecorator((spec: ListSpec, ctx: ExecutionContext): ParsedListQuery => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const query = (request.query ?? {}) as Record<string, string | string[]>;
  return parseListQuery(spec, query, { base: requestBase(request), query }, [], request.headers.accept);
});

const paginatedClasses = new Map<Type, Type>();

/** A `{count, next, previous, results: [Dto]}` class for OpenAPI, made once per DTO. */
export function Paginated(dto: Type): Type {
  const existing = paginatedClasses.get(dto);
  if (existing) return existing;
  class PaginatedDto {
    @ApiProperty({ example: 1 }) count: number;
    @ApiProperty({ type: String, format: 'uri', nullable: true }) next: string | null;
    @ApiProperty({ type: String, format: 'uri', nullable: true }) previous: string | null;
    @ApiProperty({ type: () => [dto] }) results: unknown[];
  }
  Object.defineProperty(PaginatedDto, 'name', { value: `Paginated${dto.name.replace(/Dto$/, '')}List` });
  paginatedClasses.set(dto, PaginatedDto);
  return PaginatedDto;
}

export function ApiPaginatedResponse(dto: Type) {
  const paginated = Paginated(dto);
  return applyDecorators(
    ApiExtraModels(paginated, dto),
    ApiOkResponse({ description: 'One page of results.', schema: { $ref: getSchemaPath(paginated) } }),
  );
}
