import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { CredentialRequest } from '../auth/auth-throttle.js';
import { AuthenticationService } from '../auth/authentication.service.js';
import { type Authenticator, INVENTORY_PASSPORT, runStrategies, SYSTEM_BASIC } from '../auth/passport.js';
import { ChangeRecorder } from '../changes/change-recorder.js';
import { EventsService } from '../events/events.service.js';
import {
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  ValidationFailedError,
} from '../common/errors.js';
import { addressBucket, ClientAddressResolver } from '../common/http/client-address.js';
import { classifyDatabaseError } from '../common/http/database-errors.js';
import { type FactsConfig, INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { OrganizationsService } from '../platform/organizations.service.js';
import { AccessService } from '../rbac/access.service.js';
import { contentHash, type FactParts } from './fact-document.js';
import { type IngestResult, writePush, writeUnchangedPush } from './fact-ingest.writer.js';
import {
  type NormalizedHost,
  normalizeAnsibleFacts,
  normalizeCollectorInventory,
} from './fact-normalizer.js';
import type { FactSnapshotKind } from './fact-snapshot.entity.js';
import { checkRateLimit } from './push-rate-limits.sql.js';
import { HeartbeatsService } from './heartbeats.service.js';
import { type SystemPrincipal, SystemsService } from './systems.service.js';

export const FACT_PARTS = ['system_facts', 'package_facts', 'local_facts'] as const;

/** Who is pushing: a system with its own credentials, a user with system.add, or an anonymous host. */
export type Pusher =
  | { kind: 'system'; system: SystemPrincipal }
  | { kind: 'user'; actor: Actor; organizationId: number }
  | { kind: 'anonymous'; organizationId: number };

/** A checked push body: what it says, of which kind, and which parts it actually sent. */
export interface PushDocument {
  kind: FactSnapshotKind;
  parts: FactParts;
  /** Parts present in the body; the others carry over from the previous snapshot of this kind. */
  sentParts: (keyof FactParts)[];
  sizeBytes: number;
  /** The host as the document describes it (columns of its resource). */
  host: NormalizedHost;
  /** Whether the document says what the host is (name, OS, hardware); local facts alone do not. */
  describesHost: boolean;
}

/** Keys the collector agent's envelope may carry beside `data`. */
const AGENT_ENVELOPE_KEYS = new Set(['system_id', 'timestamp', 'data', 'system_key', 'version']);
/** The foreign-key retry (a push provider deleted since it was cached) is bounded. */
const PROVIDER_RECREATE_ATTEMPTS = 2;

const PUSH_PROVIDER_NAME = 'Pushed facts (ansible)';
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Push ingestion: checks the body (shape and per-field size), finds out who is pushing,
 * and writes the push (see fact-ingest.writer.ts) into the organization's push
 * provider, created on demand (vendor ansible, type facts, infrastructure bare_metal).
 */
@Injectable()
export class FactsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Facts');
  readonly addresses: ClientAddressResolver;
  private readonly config: FactsConfig;
  /** organization id → its push provider's id, for a minute. */
  private readonly providers = new LRUCache<number, string>({ max: 10_000, ttl: 60_000 });
  private resourceTypes: Map<string, string> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
    private readonly authentication: AuthenticationService,
    @Inject(INVENTORY_PASSPORT) private readonly authenticator: Authenticator,
    private readonly access: AccessService,
    private readonly systems: SystemsService,
    private readonly heartbeats: HeartbeatsService,
    private readonly metrics: MetricsService,
    private readonly organizations: OrganizationsService,
    private readonly changes: ChangeRecorder,
    private readonly events: EventsService,
  ) {
    this.config = config.facts;
    this.addresses = new ClientAddressResolver(config.facts.trustedProxies);
  }

  /**
   * FACTS_ANONYMOUS_ORGANIZATION names the organization anonymous pushes belong to: a name
   * that does not exist yet is created now (as fact_inventory users expect after setting
   * it), an id that does not exist is reported (pushes get 401 until it does).
   */
  async onApplicationBootstrap(): Promise<void> {
    const configured = this.config.anonymousOrganization;
    if (configured === null || !this.db.isInitialized) return;
    if (/^\d{1,9}$/.test(configured)) {
      const rows = await this.db.query<unknown[]>(`SELECT 1 FROM organizations WHERE id = $1::int`, [
        configured,
      ]);
      if (!rows[0])
        this.logger.warn(
          `FACTS_ANONYMOUS_ORGANIZATION=${configured}: no organization has that id; anonymous pushes are refused (401) until it exists`,
        );
      return;
    }
    const { id, created } = await this.organizations.ensureNamed(
      configured,
      'Hosts pushed anonymously (FACTS_ANONYMOUS_ORGANIZATION).',
    );
    if (created)
      this.logger.log(
        `Created organization "${configured}" (id ${id}) for anonymous pushes (FACTS_ANONYMOUS_ORGANIZATION)`,
      );
  }

  /** `{system_facts, package_facts, local_facts}`: objects, a missing one not sent, at least one non-empty, nothing else. */
  parseBody(body: unknown, contentLength?: number): PushDocument {
    if (!isObject(body))
      throw new ValidationFailedError(
        { body: ['must be a JSON object.'] },
        'The body must be a JSON object.',
      );
    const errors: Record<string, string[]> = {};
    for (const key of Object.keys(body)) {
      if (!(FACT_PARTS as readonly string[]).includes(key))
        errors[key] = [`unknown field; expected ${FACT_PARTS.join(', ')}.`];
    }
    const parts: FactParts = { system_facts: {}, package_facts: {}, local_facts: {} };
    const sentParts: (keyof FactParts)[] = [];
    let sizeBytes = 0;
    for (const key of FACT_PARTS) {
      const value = body[key];
      if (value === undefined) continue;
      if (!isObject(value)) {
        errors[key] = ['must be a JSON object.'];
        continue;
      }
      sizeBytes += this.measure(key, value, contentLength);
      parts[key] = value;
      sentParts.push(key);
    }
    if (Object.keys(errors).length > 0) throw new ValidationFailedError(errors);
    if (contentLength !== undefined && contentLength <= this.config.maxFieldBytes) sizeBytes = contentLength;
    if (FACT_PARTS.every((key) => Object.keys(parts[key]).length === 0)) {
      throw new ValidationFailedError(
        {
          system_facts: [
            'at least one of system_facts, package_facts, local_facts must be a non-empty object.',
          ],
        },
        'At least one of system_facts, package_facts, local_facts must be a non-empty object.',
      );
    }
    return {
      kind: 'ansible',
      parts,
      sentParts,
      sizeBytes,
      host: normalizeAnsibleFacts(parts.system_facts),
      describesHost: Object.keys(parts.system_facts).length > 0,
    };
  }

  /**
   * The collector agent's body, in either form its agents send: the envelope
   * `{system_id, timestamp, data}` (its `data` is the document; the envelope's keys are
   * not facts) or a bare inventory document. Stored as an agent snapshot.
   */
  parseAgentInventory(body: unknown, contentLength?: number): PushDocument {
    if (!isObject(body))
      throw new ValidationFailedError(
        { body: ['must be a JSON object.'] },
        'The body must be a JSON object.',
      );
    const enveloped = 'data' in body && Object.keys(body).every((key) => AGENT_ENVELOPE_KEYS.has(key));
    const data = enveloped ? body.data : body;
    if (!isObject(data))
      throw new ValidationFailedError({ data: ['must be a JSON object.'] }, 'data must be a JSON object.');
    if (Object.keys(data).length === 0)
      throw new ValidationFailedError(
        { data: ['must be a non-empty object.'] },
        'The inventory is empty: data must be a non-empty object.',
      );
    const sizeBytes = this.measure('data', data, contentLength) || (contentLength ?? 0);
    return {
      kind: 'agent',
      parts: { system_facts: data, package_facts: {}, local_facts: {} },
      sentParts: [...FACT_PARTS],
      sizeBytes,
      host: normalizeCollectorInventory(data),
      describesHost: true,
    };
  }

  /** The serialized size of one part (413 over FACTS_MAX_FIELD_MB); 0 when the body is too small to exceed it. */
  private measure(name: string, value: unknown, contentLength?: number): number {
    // A body no larger than the field limit cannot hold a field over it: skip measuring (hot path).
    if (contentLength !== undefined && contentLength <= this.config.maxFieldBytes) return 0;
    const size = Buffer.byteLength(JSON.stringify(value));
    if (size > this.config.maxFieldBytes)
      throw new PayloadTooLargeError(
        `${name} is too large: ${size} bytes, at most ${this.config.maxFieldBytes}.`,
      );
    return size;
  }

  /** 429 when an anonymous push from this address (its IPv6 network) is inside its window. */
  async checkAnonymousRateLimit(clientAddress: string): Promise<void> {
    const wait = await checkRateLimit(
      this.db,
      addressBucket(clientAddress, this.config.rateLimitIpv6Prefix),
      this.config.rateLimitMinutes,
    );
    if (wait > 0) throw new RateLimitedError(wait);
  }

  /**
   * The native endpoint's caller: a system (Basic with a system key) or a user whose
   * token or Basic credentials hold system.add on the target organization.
   */
  async pusherFromCredentials(request: CredentialRequest, organization: string | undefined): Promise<Pusher> {
    const system = await this.systemFromBasic(request);
    if (system) return { kind: 'system', system };
    const actor = await this.authentication.authenticate(request);
    if (organization === undefined || !/^\d{1,9}$/.test(organization)) {
      throw new ValidationFailedError(
        { organization: ['is required (an organization id) when pushing with user credentials.'] },
        'Query parameter organization (an organization id) is required when pushing with user credentials.',
      );
    }
    const organizationId = Number(organization);
    await this.access.require(
      actor,
      'system.add',
      { organizationId },
      'You cannot push facts into this organization.',
    );
    return { kind: 'user', actor, organizationId };
  }

  /**
   * The system behind `Authorization: Basic SYS-...:secret` (the system-credentials
   * strategy), or null when the request carries other credentials or none.
   */
  systemFromBasic(request: CredentialRequest): Promise<SystemPrincipal | null> {
    return runStrategies<SystemPrincipal>(this.authenticator, [SYSTEM_BASIC], request, { optional: true });
  }

  /** The organization anonymous fact_inventory pushes belong to; 401 when none is configured. */
  async anonymousPusher(): Promise<Pusher> {
    const configured = this.config.anonymousOrganization;
    if (configured === null)
      throw new UnauthorizedError(
        'Anonymous pushes are not accepted here (FACTS_ANONYMOUS_ORGANIZATION is not set).',
      );
    const rows = await this.db.query<{ id: number }[]>(
      /^\d{1,9}$/.test(configured)
        ? `SELECT id FROM organizations WHERE id = $1::int`
        : `SELECT id FROM organizations WHERE name = $1`,
      [configured],
    );
    if (!rows[0])
      throw new UnauthorizedError(
        `Anonymous pushes are not accepted: organization "${configured}" does not exist.`,
      );
    return { kind: 'anonymous', organizationId: rows[0].id };
  }

  /** Stores one push; also a heartbeat of the pushing system. */
  async ingest(pusher: Pusher, document: PushDocument, clientAddress: string): Promise<IngestResult> {
    const result = await this.store(pusher, document, clientAddress, PROVIDER_RECREATE_ATTEMPTS);
    this.metrics.pushAccepted(result);
    return result;
  }

  private async store(
    pusher: Pusher,
    document: PushDocument,
    clientAddress: string,
    attempts: number,
  ): Promise<IngestResult> {
    const { host } = document;
    const organizationId = pusher.kind === 'system' ? pusher.system.organizationId : pusher.organizationId;
    const providerId = await this.pushProvider(organizationId);
    const resourceTypeId = await this.resourceTypeFor(host.vendorType || 'NA');
    const system = pusher.kind === 'system' ? pusher.system : null;
    // Missing parts count as empty here; writePush merges them from the previous snapshot.
    const sha256 = contentHash(document.parts);
    const target = {
      organizationId,
      providerId,
      resourceTypeId,
      kind: document.kind,
      host,
      hostKey: pushHostKey(pusher, host, clientAddress),
      findByClientAddress: pusher.kind === 'user' && !document.describesHost,
      clientAddress,
      systemId: system?.id ?? null,
      systemResourceId: system?.resourceId ?? null,
      sizeBytes: document.sizeBytes,
      sha256,
    };
    if (pusher.kind !== 'anonymous') {
      // A repeat of the latest snapshot: one statement, no transaction (see writeUnchangedPush).
      const repeat = await writeUnchangedPush(this.db, target);
      if (repeat) {
        if (system && !repeat.systemOk) {
          await this.db.transaction((manager) => this.heartbeats.beat(manager, system.id, repeat.resource));
        }
        delete repeat.systemOk;
        return repeat;
      }
    }
    const run = () =>
      this.db.transaction(async (manager) => {
        const result = await writePush(
          manager,
          {
            ...target,
            parts: document.parts,
            sentParts: document.sentParts,
            describesHost: document.describesHost,
            rateLimit:
              pusher.kind === 'anonymous'
                ? {
                    bucket: addressBucket(clientAddress, this.config.rateLimitIpv6Prefix),
                    minutes: this.config.rateLimitMinutes,
                  }
                : undefined,
          },
          this.changes,
          this.events,
        );
        if (system) await this.heartbeats.beat(manager, system.id, result.resource);
        return result;
      });
    try {
      return await run();
    } catch (error) {
      // The push provider was deleted since it was cached: make it again (a bounded number of times).
      if (classifyDatabaseError(error) !== 'foreign_key' || attempts <= 1) throw error;
      this.providers.delete(organizationId);
      return this.store(pusher, document, clientAddress, attempts - 1);
    }
  }

  /**
   * A provider moved to another organization: the snapshots of its hosts move with it,
   * systems of other organizations let go of its hosts, and the cached push providers are
   * forgotten (a moved push provider is no longer its old organization's).
   */
  async moveProvider(manager: EntityManager, providerId: string, organizationId: number): Promise<void> {
    await manager.query(
      `UPDATE fact_snapshots fs SET organization_id = $1 FROM resources r
       WHERE r.id = fs.resource_id AND r.provider_id = $2 AND fs.organization_id <> $1`,
      [organizationId, providerId],
    );
    await this.systems.moveProvider(manager, providerId, organizationId);
    this.providers.clear();
  }

  /** The organization's push provider, created on first use (and cached for a minute). */
  async pushProvider(organizationId: number, manager: EntityManager = this.db.manager): Promise<string> {
    const cached = this.providers.get(organizationId);
    if (cached) return cached;
    const find = () =>
      manager.query<{ id: string }[]>(
        `SELECT id FROM providers WHERE organization_id = $1 AND vendor = 'ansible' AND provider_type = 'facts'
         ORDER BY created, id LIMIT 1`,
        [organizationId],
      );
    let rows = await find();
    if (!rows[0]) {
      await manager.query(
        `INSERT INTO providers (name, description, organization_id, vendor, provider_type, infrastructure, enabled)
         VALUES ($1, 'Hosts that push their own facts (Ansible, curl, agents). Created on the first push.', $2, 'ansible', 'facts', 'bare_metal', true)
         ON CONFLICT DO NOTHING`,
        [PUSH_PROVIDER_NAME, organizationId],
      );
      rows = await find();
    }
    if (!rows[0]) throw new Error(`Cannot create the push provider of organization ${organizationId}`);
    this.providers.set(organizationId, rows[0].id);
    return rows[0].id;
  }

  /** The taxonomy's canonical type for an ansible vendor type (guest, NA, docker, ...); bare_metal otherwise. */
  private async resourceTypeFor(vendorType: string): Promise<string> {
    if (!this.resourceTypes) {
      const rows = await this.db.query<{ vendor_resource_type: string; resource_type_id: string }[]>(
        `SELECT m.vendor_resource_type, m.resource_type_id FROM vendor_type_mappings m WHERE m.vendor = 'ansible'
         UNION ALL SELECT '*', id FROM resource_types WHERE slug = 'bare_metal'`,
      );
      this.resourceTypes = new Map(rows.map((r) => [r.vendor_resource_type, r.resource_type_id]));
    }
    return this.resourceTypes.get(vendorType) ?? this.resourceTypes.get('*')!;
  }
}

/**
 * The row a push writes, decided by who pushes, never by what the document claims
 * (issue #11 item 2): a system writes its own host (`system:<id>`, or the resource it is
 * already linked to); an anonymous host writes the host of its client address; a user
 * with system.add names the host by its FQDN or hostname (else its address). A pushed
 * canonical_id is stored and searchable, but selects nothing.
 */
export function pushHostKey(pusher: Pusher, host: NormalizedHost, clientAddress: string): string {
  if (pusher.kind === 'system') return `system:${pusher.system.id}`;
  if (pusher.kind === 'user') {
    const name = host.fqdn || host.name;
    if (name) return `host:${name.toLowerCase()}`.slice(0, 512);
  }
  return `address:${clientAddress}`;
}
