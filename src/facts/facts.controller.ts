import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBody, ApiCreatedResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/actor.js';
import { RateLimitedError, UnauthorizedError } from '../common/errors.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { FactsPushBodyDto, PushResultDto } from './dto/push.dto.js';
import { FactsService, type Pusher } from './facts.service.js';
import { HeartbeatsService } from './heartbeats.service.js';
import { GatedPush, PushGate, sendFactInventoryRateLimited } from './push-gate.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * Paths served outside the API prefix, as the existing clients call them. These are the
 * global prefix's exclusions, matched by path-to-regexp v8, whose wildcard is named
 * (`{*path}`: the proxy's every sub-path); the routes themselves are Fastify's (`…/v2/*`).
 */
export const COMPAT_ROUTES = [
  'v1/facts',
  'fact_inventory/v1/facts',
  'api/systems/inventory',
  'api/systems/heartbeat',
  'api/systems/info',
  'api/alert_history',
  'api/services/mimir/alertmanager/api/v2/{*path}',
];
/** Routes whose body limit is FACTS_MAX_BODY_MB instead of Fastify's default. */
export const PUSH_ROUTE = /(^|\/)(facts|api\/systems\/inventory)\/?$/;

/** The declared body size, when the client sent one. */
function contentLength(request: FastifyRequest): number | undefined {
  const raw = request.headers['content-length'];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** POST /facts/: the native push, with system credentials or a user's (system.add). */
@ApiTags('facts')
@Controller('facts')
export class FactsController {
  constructor(
    private readonly facts: FactsService,
    private readonly gate: PushGate,
  ) {}

  @Post()
  @Public()
  @GatedPush('native')
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
    // Admitted by the push gate before the body was read (see push-gate.ts); checked here
    // only where no gate hook ran.
    const admitted = this.gate.admission(request);
    const pusher = admitted?.pusher ?? (await this.facts.pusherFromCredentials(request, organization));
    const document = this.facts.parseBody(body, contentLength(request));
    return this.facts.ingest(pusher, document, admitted?.clientAddress ?? this.gate.clientAddress(request));
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
    private readonly gate: PushGate,
    private readonly heartbeats: HeartbeatsService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Post(['v1/facts', 'fact_inventory/v1/facts'])
  @Public()
  @GatedPush('fact_inventory')
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
    const admitted = this.gate.admission(request);
    let pusher: Pusher;
    if (admitted) pusher = admitted.pusher;
    else {
      const system = await this.facts.systemFromBasic(request);
      pusher = system ? { kind: 'system', system } : await this.facts.anonymousPusher();
    }
    const address = admitted?.clientAddress ?? this.gate.clientAddress(request);
    const document = this.facts.parseBody(body, contentLength(request));
    try {
      await this.facts.ingest(pusher, document, address);
    } catch (error) {
      // Another push from this address won the window since the gate looked.
      if (!(error instanceof RateLimitedError)) throw error;
      await sendFactInventoryRateLimited(reply, error);
      return;
    }
    await reply.status(201).send();
  }

  @Post('api/systems/inventory')
  @Public()
  @GatedPush('agent')
  @ApiBasicAuth()
  @ApiEndpoint({
    summary: 'Collector-agent compatibility: push an inventory',
    description:
      'The body is the agent envelope `{system_id, timestamp, data}` (its `data` is the inventory document) or a bare ' +
      'inventory document; the system comes from HTTP Basic. Stored as an `agent` snapshot, diffed only against the ' +
      "system's previous agent inventory.",
    errors: [400, 401, 403, 413],
  })
  async collectorInventory(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ) {
    const admitted = this.gate.admission(request);
    let system = admitted?.pusher.kind === 'system' ? admitted.pusher.system : null;
    system ??= await this.facts.systemFromBasic(request);
    if (!system)
      throw new UnauthorizedError('System credentials (HTTP Basic system_key:secret) are required.');
    const length = contentLength(request);
    const document = this.facts.parseAgentInventory(body, length);
    const dataSize = length ?? Buffer.byteLength(JSON.stringify(body));
    await this.facts.ingest(
      { kind: 'system', system },
      document,
      admitted?.clientAddress ?? this.gate.clientAddress(request),
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
    const system = await this.facts.systemFromBasic(request);
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
    const system = await this.facts.systemFromBasic(request);
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
