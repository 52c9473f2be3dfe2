import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBody, ApiCreatedResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/actor.js';
import { RateLimitedError, UnauthorizedError, ValidationFailedError } from '../common/errors.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { FactsPushBodyDto, PushResultDto } from './dto/push.dto.js';
import { normalizeCollectorInventory } from './fact-normalizer.js';
import { FactsService } from './facts.service.js';
import { HeartbeatsService } from './heartbeats.service.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Paths served outside the API prefix, as the existing clients call them. */
export const COMPAT_ROUTES = [
  'v1/facts',
  'fact_inventory/v1/facts',
  'api/systems/inventory',
  'api/systems/heartbeat',
  'api/systems/info',
  'api/alert_history',
  'api/services/mimir/alertmanager/api/v2/*',
];
/** Routes whose body limit is FACTS_MAX_BODY_MB instead of Fastify's default. */
export const PUSH_ROUTE = /(^|\/)(facts|api\/systems\/inventory)\/?$/;

function clientAddress(facts: FactsService, request: FastifyRequest): string {
  const address = facts.addresses.resolve(request.socket.remoteAddress, request.headers);
  if (!address)
    throw new ValidationFailedError({ client_address: ['cannot be determined.'] }, 'Invalid client address.');
  return address;
}

/** The declared body size, when the client sent one. */
function contentLength(request: FastifyRequest): number | undefined {
  const raw = request.headers['content-length'];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** POST /facts/: the native push, with system credentials or a user's (system.add). */
@ApiTags('facts')
@Controller('facts')
export class FactsController {
  constructor(private readonly facts: FactsService) {}

  @Post()
  @Public()
  @ApiBasicAuth()
  @ApiEndpoint({
    summary: 'Push host facts',
    description:
      'Body `{system_facts, package_facts, local_facts}` (each a JSON object when present, at least one non-empty). ' +
      'Authenticate as a system (HTTP Basic `system_key:secret`) or as a user holding system.add on `organization`. ' +
      'An identical payload (same sha256 of the stable facts) stores nothing new: only last_seen_at and seen_count move.',
    errors: [401, 403, 413],
  })
  @ApiQuery({
    name: 'organization',
    required: false,
    schema: { type: 'integer' },
    description: 'Target organization (user credentials only).',
  })
  @ApiBody({ type: FactsPushBodyDto })
  @ApiCreatedResponse({ type: PushResultDto })
  async push(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Query('organization') organization?: string,
  ) {
    const pusher = await this.facts.pusherFromCredentials(request.headers, organization);
    const { parts, sizeBytes } = this.facts.parseBody(body, contentLength(request));
    return this.facts.ingest(pusher, parts, clientAddress(this.facts, request), sizeBytes);
  }
}

/**
 * The two existing clients' protocols, answered as they expect: fact_inventory
 * (`POST /v1/facts`, `/fact_inventory/v1/facts`: anonymous, rate-limited per client
 * address, 201 with an empty body, 429 `Rate limit exceeded. Wait N minutes.` as text)
 * and the collector agent (`/api/systems/inventory` → 202, `/api/systems/heartbeat` →
 * 200, with the agent's `{code, message, data}` envelope).
 */
@ApiTags('compatibility')
@Controller()
export class FactsCompatController {
  constructor(
    private readonly facts: FactsService,
    private readonly heartbeats: HeartbeatsService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Post(['v1/facts', 'fact_inventory/v1/facts'])
  @Public()
  @ApiEndpoint({
    summary: 'fact_inventory compatibility: push facts anonymously',
    description:
      'Same body as /api/inventory/v1/facts/. Hosts belong to FACTS_ANONYMOUS_ORGANIZATION (unset: 401) and are keyed by client address; ' +
      'one accepted submission per address per FACTS_RATE_LIMIT_MINUTES, else 429 `Rate limit exceeded. Wait N minutes.` with Retry-After.',
    errors: [401, 413, 429],
  })
  @ApiBody({ type: FactsPushBodyDto })
  @ApiCreatedResponse({ description: 'Stored (empty body).' })
  async factInventory(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const system = await this.facts.systemFromBasic(request.headers);
    const pusher = system ? { kind: 'system' as const, system } : await this.facts.anonymousPusher();
    const address = clientAddress(this.facts, request);
    const { parts, sizeBytes } = this.facts.parseBody(body, contentLength(request));
    try {
      await this.facts.ingest(pusher, parts, address, sizeBytes);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      await reply
        .status(429)
        .header('Retry-After', String(error.retryAfterSeconds))
        .type('text/plain; charset=utf-8')
        .send(error.message);
      return;
    }
    await reply.status(201).send();
  }

  @Post('api/systems/inventory')
  @Public()
  @ApiBasicAuth()
  @ApiEndpoint({
    summary: 'Collector-agent compatibility: push an inventory',
    description:
      'The raw body is the inventory JSON (`{system_id, timestamp, data}`); the system comes from HTTP Basic.',
    errors: [401, 403, 413],
  })
  async collectorInventory(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const system = await this.facts.systemFromBasic(request.headers);
    if (!system)
      throw new UnauthorizedError('System credentials (HTTP Basic system_key:secret) are required.');
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new ValidationFailedError(
        { body: ['must be a JSON object.'] },
        'The body must be a JSON object.',
      );
    const inventory = body as Record<string, unknown>;
    const dataSize = Number(request.headers['content-length'] ?? Buffer.byteLength(JSON.stringify(body)));
    const { parts, sizeBytes } = this.facts.parseBody({ system_facts: inventory });
    await this.facts.ingest(
      { kind: 'system', system },
      parts,
      clientAddress(this.facts, request),
      sizeBytes,
      normalizeCollectorInventory(inventory),
    );
    await reply.status(202).send({
      code: 202,
      message: 'Inventory received and queued for processing',
      data: {
        system_id: system.id,
        timestamp: new Date().toISOString(),
        data_size: dataSize,
        queue_status: 'queued',
      },
    });
  }

  @Get('api/systems/info')
  @Public()
  @ApiBasicAuth()
  @ApiEndpoint({
    summary: "Collector-agent compatibility: the calling system's own record",
    description: 'In the agent envelope `{code, message, data}`; the system comes from HTTP Basic.',
    errors: [401, 403],
  })
  async collectorSystemInfo(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const system = await this.facts.systemFromBasic(request.headers);
    if (!system)
      throw new UnauthorizedError('System credentials (HTTP Basic system_key:secret) are required.');
    const rows = await this.db.query<
      {
        name: string;
        fqdn: string | null;
        status: string;
        suspended_at: Date | null;
        registered_at: Date | null;
        created: Date;
        organization_id: number;
        organization_name: string;
      }[]
    >(
      `SELECT s.name, nullif(r.fqdn, '') AS fqdn, s.status, s.suspended_at, s.created, s.organization_id,
              o.name AS organization_name,
              (SELECT min(fs.received_at) FROM fact_snapshots fs WHERE fs.system_id = s.id) AS registered_at
       FROM systems s JOIN organizations o ON o.id = s.organization_id LEFT JOIN resources r ON r.id = s.resource_id
       WHERE s.id = $1`,
      [system.id],
    );
    const row = rows[0];
    const iso = (value: Date | null) => value?.toISOString() ?? null;
    await reply.status(200).send({
      code: 200,
      message: 'system info retrieved successfully',
      data: {
        system_id: system.id,
        system_key: system.systemKey,
        name: row.name,
        type: null,
        fqdn: row.fqdn,
        status: row.status,
        suspended: row.suspended_at !== null,
        suspended_at: iso(row.suspended_at),
        deleted: false,
        deleted_at: null,
        registered: row.registered_at !== null,
        registered_at: iso(row.registered_at),
        created_at: row.created.toISOString(),
        organization: {
          id: String(row.organization_id),
          logto_id: '',
          name: row.organization_name,
          type: 'organization',
          suspended: false,
          suspended_at: null,
        },
      },
    });
  }

  @Post('api/systems/heartbeat')
  @Public()
  @ApiBasicAuth()
  @ApiEndpoint({ summary: 'Collector-agent compatibility: heartbeat', errors: [401, 403] })
  async collectorHeartbeat(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const system = await this.facts.systemFromBasic(request.headers);
    if (!system)
      throw new UnauthorizedError('System credentials (HTTP Basic system_key:secret) are required.');
    const at = await this.db.transaction((manager) => this.heartbeats.beat(manager, system.id));
    await reply.status(200).send({
      code: 200,
      message: 'heartbeat acknowledged',
      data: { system_key: system.systemKey, acknowledged: true, last_heartbeat: at.toISOString() },
    });
  }
}
