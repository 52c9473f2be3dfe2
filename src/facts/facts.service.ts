import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { AuthenticationService } from '../auth/authentication.service.js';
import { ChangeRecorder } from '../changes/change-recorder.js';
import { EventsService } from '../events/events.service.js';
import { PayloadTooLargeError, UnauthorizedError, ValidationFailedError } from '../common/errors.js';
import { classifyDatabaseError } from '../common/http/database-errors.js';
import { type FactsConfig, INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { OrganizationsService } from '../platform/organizations.service.js';
import { AccessService } from '../rbac/access.service.js';
import { ClientAddressResolver } from './client-address.js';
import { contentHash, type FactParts } from './fact-document.js';
import { type IngestResult, writePush, writeUnchangedPush } from './fact-ingest.writer.js';
import { type NormalizedHost, normalizeAnsibleFacts } from './fact-normalizer.js';
import { HeartbeatsService } from './heartbeats.service.js';
import { type SystemPrincipal, SystemsService } from './systems.service.js';

export const FACT_PARTS = ['system_facts', 'package_facts', 'local_facts'] as const;

/** Who is pushing: a system with its own credentials, a user with system.add, or an anonymous host. */
export type Pusher =
  | { kind: 'system'; system: SystemPrincipal }
  | { kind: 'user'; actor: Actor; organizationId: number }
  | { kind: 'anonymous'; organizationId: number };

type Headers = Record<string, string | string[] | undefined>;

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
  private readonly providers = new Map<number, { id: string; expires: number }>();
  private resourceTypes: Map<string, string> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
    private readonly authentication: AuthenticationService,
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

  /** `{system_facts, package_facts, local_facts}`: objects, a missing one empty, at least one non-empty, nothing else. */
  parseBody(body: unknown, contentLength?: number): { parts: FactParts; sizeBytes: number } {
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
    const parts = { system_facts: {}, package_facts: {}, local_facts: {} };
    let sizeBytes = 0;
    for (const key of FACT_PARTS) {
      const value = body[key];
      if (value === undefined) continue;
      if (!isObject(value)) {
        errors[key] = ['must be a JSON object.'];
        continue;
      }
      // A body no larger than the field limit cannot hold a field over it: skip measuring (hot path).
      const size =
        contentLength !== undefined && contentLength <= this.config.maxFieldBytes
          ? 0
          : Buffer.byteLength(JSON.stringify(value));
      if (size > this.config.maxFieldBytes)
        throw new PayloadTooLargeError(
          `${key} is too large: ${size} bytes, at most ${this.config.maxFieldBytes}.`,
        );
      sizeBytes += size;
      parts[key] = value;
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
    return { parts, sizeBytes };
  }

  /**
   * The native endpoint's caller: a system (Basic with a system key) or a user whose
   * token or Basic credentials hold system.add on the target organization.
   */
  async pusherFromCredentials(headers: Headers, organization: string | undefined): Promise<Pusher> {
    const system = await this.systemFromBasic(headers);
    if (system) return { kind: 'system', system };
    const actor = await this.authentication.authenticate(headers);
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

  /** The system behind `Authorization: Basic SYS-...:secret`, or null for other credentials. */
  async systemFromBasic(headers: Headers): Promise<SystemPrincipal | null> {
    const authorization = [headers.authorization].flat()[0];
    if (!authorization || !/^Basic\s+/i.test(authorization)) return null;
    const decoded = Buffer.from(authorization.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1 || !decoded.startsWith('SYS-')) return null;
    return this.systems.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
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
  async ingest(
    pusher: Pusher,
    parts: FactParts,
    clientAddress: string,
    sizeBytes: number,
    host: NormalizedHost = normalizeAnsibleFacts(parts.system_facts),
  ): Promise<IngestResult> {
    const result = await this.store(pusher, parts, clientAddress, sizeBytes, host);
    this.metrics.pushAccepted(result);
    return result;
  }

  private async store(
    pusher: Pusher,
    parts: FactParts,
    clientAddress: string,
    sizeBytes: number,
    host: NormalizedHost,
  ): Promise<IngestResult> {
    const organizationId = pusher.kind === 'system' ? pusher.system.organizationId : pusher.organizationId;
    const providerId = await this.pushProvider(organizationId);
    const resourceTypeId = await this.resourceTypeFor(host.vendorType);
    const system = pusher.kind === 'system' ? pusher.system : null;
    const sha256 = contentHash(parts);
    if (pusher.kind !== 'anonymous') {
      // A repeat of the latest snapshot: one statement, no transaction (see writeUnchangedPush).
      const repeat = await writeUnchangedPush(this.db, {
        organizationId,
        providerId,
        resourceTypeId,
        host,
        clientAddress,
        systemId: system?.id ?? null,
        systemResourceId: system?.resourceId ?? null,
        sizeBytes,
        sha256,
      });
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
            organizationId,
            providerId,
            resourceTypeId,
            parts,
            host,
            clientAddress,
            systemId: system?.id ?? null,
            systemResourceId: system?.resourceId ?? null,
            sizeBytes,
            sha256,
            rateLimit:
              pusher.kind === 'anonymous'
                ? { bucket: clientAddress, minutes: this.config.rateLimitMinutes }
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
      // The push provider was deleted since it was cached: make it again, once.
      if (classifyDatabaseError(error) !== 'foreign_key') throw error;
      this.providers.delete(organizationId);
      return this.store(pusher, parts, clientAddress, sizeBytes, host);
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
    if (cached && cached.expires > Date.now()) return cached.id;
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
    this.providers.set(organizationId, { id: rows[0].id, expires: Date.now() + 60_000 });
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
