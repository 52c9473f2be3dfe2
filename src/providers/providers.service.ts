import { TagsService } from '../tags/tags.service.js';
import { WatchlistsService } from '../watchlists/watchlists.service.js';
import { randomUUID } from 'node:crypto';
import { AlertsService } from '../alerting/alerts.service.js';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { maskUrlCredentials } from '../common/crypto/scrub.js';
import { providerSecrets, SECRET_BOX, SecretBox } from '../common/crypto/secret-box.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import { inTransactionUnique } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { ActivityService, diffFields } from '../platform/activity.service.js';
import { ChangesService } from '../changes/changes.service.js';
import { EventsService } from '../events/events.service.js';
import { FactsService } from '../facts/facts.service.js';
import { OrganizationsService } from '../platform/organizations.service.js';
import { AutomationRecordsService } from '../automation/automation-records.service.js';
import { moveProviderInventory } from '../inventory-writer/organization-move.sql.js';
import { AccessService } from '../rbac/access.service.js';
import { ACTIVE_RUN_STATUSES } from '../collection/collection-run.enums.js';
import { CollectionRunEntity } from '../collection/collection-run.entity.js';
import {
  MASK,
  maskSecrets,
  NAME_ONLY,
  sealSecrets,
  storedSecretPaths,
  withoutSecrets,
  type SecretPolicy,
} from './connection-config.js';
import {
  checkConnectionConfig,
  isDestinationParameter,
  secretPolicy,
} from '../plugins/connection-parameters.js';
import { PluginsService } from '../plugins/plugins.service.js';
import { nextRun } from '../collection/schedule.js';
import type { CreateProviderDto, ProviderDto, UpdateProviderDto } from './dto/provider.dto.js';
import type { Infrastructure } from './provider.enums.js';
import { ProviderEntity } from './provider.entity.js';

interface ProviderRow {
  id: string;
  name: string;
  description: string;
  organization_id: number;
  organization_name: string;
  vendor: string;
  provider_type: string;
  infrastructure: string;
  endpoint: string;
  connection_config: Record<string, unknown>;
  enabled: boolean;
  last_collection_at: Date | null;
  schedule: string | null;
  next_collection_at: Date | null;
  created_by: number | null;
  created_by_username: string | null;
  modified_by: number | null;
  modified_by_username: string | null;
  created: Date;
  modified: Date;
}

const SELECT = `p.id, p.name, p.description, p.organization_id, o.name AS organization_name, p.vendor, p.provider_type,
  p.infrastructure, p.endpoint, p.connection_config, p.enabled, p.last_collection_at, p.schedule, p.next_collection_at, p.created_by_id AS created_by,
  cu.username AS created_by_username, p.modified_by_id AS modified_by, mu.username AS modified_by_username, p.created, p.modified`;
const FROM = `providers p JOIN organizations o ON o.id = p.organization_id
  LEFT JOIN users cu ON cu.id = p.created_by_id LEFT JOIN users mu ON mu.id = p.modified_by_id`;

/** A masked configuration with `user:password@` of the URLs in its strings masked too. */
const maskUrlsIn = (value: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value), (_key, inner: unknown) =>
    typeof inner === 'string' ? maskUrlCredentials(inner) : inner,
  ) as Record<string, unknown>;

/** Top-level URLs sent back as answered (`https://user:***@host`) keep the stored value. */
const keepMaskedUrls = (next: Record<string, unknown>, stored: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(next).map(([key, value]) => {
      const before = Object.hasOwn(stored, key) ? stored[key] : undefined;
      return typeof value === 'string' &&
        typeof before === 'string' &&
        value !== before &&
        value === maskUrlCredentials(before)
        ? [key, before]
        : [key, value];
    }),
  );

/** The response shape; the only place connection_config leaves the service, masked. */
export function toProviderDto(row: ProviderRow): ProviderDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    organization: row.organization_id,
    organization_name: row.organization_name,
    vendor: row.vendor,
    provider_type: row.provider_type,
    plugin: `${row.vendor}:${row.provider_type}`,
    infrastructure: row.infrastructure,
    endpoint: maskUrlCredentials(row.endpoint, true),
    connection_config: maskUrlsIn(maskSecrets(row.connection_config)),
    enabled: row.enabled,
    last_collection_at: row.last_collection_at?.toISOString() ?? null,
    schedule: row.schedule,
    next_collection_at: row.next_collection_at?.toISOString() ?? null,
    created_by: row.created_by,
    created_by_username: row.created_by_username,
    modified_by: row.modified_by,
    modified_by_username: row.modified_by_username,
    created: row.created.toISOString(),
    modified: row.modified.toISOString(),
  };
}

/** What the activity stream records of a provider (connection_config masked). */
const auditFields = (p: ProviderDto) => ({
  name: p.name,
  description: p.description,
  organization: p.organization,
  vendor: p.vendor,
  provider_type: p.provider_type,
  infrastructure: p.infrastructure,
  endpoint: p.endpoint,
  connection_config: p.connection_config,
  enabled: p.enabled,
  schedule: p.schedule,
});

/**
 * Providers, scoped by RBAC: lists and reads show what the caller holds
 * `provider.view` on (through the organization or the provider itself); writes need
 * `provider.add` on the organization, or `provider.change` / `provider.delete`.
 */
@Injectable()
export class ProvidersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
    private readonly plugins: PluginsService,
    private readonly organizations: OrganizationsService,
    private readonly changes: ChangesService,
    private readonly facts: FactsService,
    private readonly events: EventsService,
    private readonly alerts: AlertsService,
    private readonly tags: TagsService,
    private readonly watchlists: WatchlistsService,
    private readonly automation: AutomationRecordsService,
  ) {}

  /**
   * `vendor:provider_type` must name an installed plugin, and the connection settings
   * (and endpoint) must satisfy it; the schedule must parse. Returns the plugin's secret
   * parameter names and the next scheduled time.
   */
  private checkAgainstPlugin(fields: {
    vendor: string;
    providerType: string;
    endpoint: string;
    config: Record<string, unknown>;
    schedule: string | null;
    /** False on a PATCH that leaves plugin, endpoint and connection settings alone. */
    checkPlugin?: boolean;
  }): { policy: SecretPolicy; next: Date | null } {
    const key = `${fields.vendor}:${fields.providerType}`;
    const registered = this.plugins.registry.get(key);
    if (fields.checkPlugin === false) {
      const next = fields.schedule === null ? null : nextRun(fields.schedule, new Date());
      if (next !== null && !(next instanceof Date))
        throw new ValidationFailedError({ schedule: [next.error] });
      return { policy: registered ? secretPolicy(registered.plugin.manifest) : NAME_ONLY, next };
    }
    if (!registered) {
      const installed = this.plugins.registry
        .list()
        .map((p) => p.key)
        .join(', ');
      throw new ValidationFailedError({
        provider_type: [`No plugin "${key}" is installed. Installed: ${installed}.`],
      });
    }
    const manifest = registered.plugin.manifest;
    const errors = checkConnectionConfig(manifest, fields.config);
    if (manifest.requires_endpoint && !fields.endpoint.trim())
      errors.endpoint = [`${key} needs an endpoint (host name or URL).`];
    let next: Date | null = null;
    if (fields.schedule !== null) {
      const parsed = nextRun(fields.schedule, new Date());
      if (parsed instanceof Date) next = parsed;
      else errors.schedule = [parsed.error];
    }
    if (Object.keys(errors).length) throw new ValidationFailedError(errors);
    return { policy: secretPolicy(manifest), next };
  }

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<ProviderDto>> {
    const where = await this.visible(actor, query.params);
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      countFrom: 'providers p',
      where,
      map: toProviderDto,
    });
  }

  async get(actor: Actor, id: string, manager: EntityManager = this.db.manager): Promise<ProviderDto> {
    const params = new SqlParams();
    const where = [`p.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await manager.query<ProviderRow[]>(
      `SELECT ${SELECT} FROM ${FROM} WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`Provider ${id} not found.`);
    return toProviderDto(rows[0]);
  }

  create(actor: Actor, dto: CreateProviderDto): Promise<ProviderDto> {
    return this.write(async (manager) => {
      const organizationId = await this.organizations.resolveRef(actor, dto.organization, manager);
      await this.checkOrganizationAndName(actor, manager, organizationId, dto.name, null);
      const schedule = dto.schedule?.trim() || null;
      const plugin = this.checkAgainstPlugin({
        vendor: dto.vendor,
        providerType: dto.provider_type,
        endpoint: dto.endpoint ?? '',
        config: dto.connection_config ?? {},
        schedule,
      });
      // The id is chosen here: each secret is sealed bound to its provider.
      const id = randomUUID();
      const provider = manager.create(ProviderEntity, {
        id,
        name: dto.name,
        description: dto.description ?? '',
        organizationId,
        vendor: dto.vendor,
        providerType: dto.provider_type,
        infrastructure: dto.infrastructure as Infrastructure,
        endpoint: dto.endpoint ?? '',
        connectionConfig: sealSecrets(
          dto.connection_config ?? {},
          providerSecrets(this.secrets, id),
          {},
          'connection_config',
          plugin.policy,
        ),
        schedule,
        nextCollectionAt: plugin.next,
        enabled: dto.enabled ?? true,
        createdById: actor.id,
        modifiedById: actor.id,
      });
      const saved = await manager.save(provider);
      const created = await this.get(actor, saved.id, manager);
      await this.activity.record(manager, actor, {
        operation: 'create',
        objectType: 'provider',
        objectId: created.id,
        objectRepr: created.name,
        organizationId: created.organization,
        changes: diffFields({}, auditFields(created)),
      });
      return created;
    });
  }

  /** PUT: every field is replaced; optional fields left out return to their defaults. */
  replace(actor: Actor, id: string, dto: CreateProviderDto): Promise<ProviderDto> {
    return this.update(actor, id, {
      description: '',
      endpoint: '',
      connection_config: {},
      enabled: true,
      schedule: null,
      ...dto,
    });
  }

  /** PATCH: only the fields given change. */
  update(actor: Actor, id: string, dto: UpdateProviderDto): Promise<ProviderDto> {
    return this.write(async (manager) => {
      const before = await this.get(actor, id, manager);
      await this.access.require(actor, 'provider.change', {
        organizationId: before.organization,
        providerId: id,
      });
      const provider = await manager.findOne(ProviderEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!provider) throw new NotFoundError(`Provider ${id} not found.`);
      const organizationId =
        dto.organization === undefined
          ? provider.organizationId
          : await this.organizations.resolveRef(actor, dto.organization, manager);
      const name = dto.name ?? provider.name;
      if (organizationId !== provider.organizationId || name !== provider.name) {
        await this.checkOrganizationAndName(actor, manager, organizationId, name, id);
      }
      if (organizationId !== provider.organizationId) {
        // A move takes the provider out of one tenant and into another: rights on the
        // provider alone (Provider Admin) or on the target alone are not enough.
        for (const org of [provider.organizationId, organizationId]) {
          if (!(await this.access.can(actor, 'provider.change', { organizationId: org })))
            throw new ForbiddenError(
              'Moving a provider needs provider.change on both its current and its new organization.',
            );
        }
      }
      if (organizationId !== provider.organizationId) {
        // Every organization-scoped row of the provider moves, each through the module that
        // owns its table; test/e2e/organization-move.e2e-spec.ts checks every table with an
        // organization_id column, so a new one cannot be forgotten.
        await this.facts.moveProvider(manager, id, organizationId);
        await this.changes.moveProvider(manager, id, organizationId);
        await moveProviderInventory(manager, id, organizationId);
        await this.activity.moveProvider(manager, id, organizationId);
        await this.events.moveProvider(manager, id, organizationId);
        await this.alerts.moveProvider(manager, id, organizationId);
        await this.tags.moveProvider(manager, id, organizationId);
        await this.watchlists.moveProvider(manager, id, organizationId);
        await this.automation.moveProvider(manager, id, organizationId);
      }
      const vendor = dto.vendor ?? provider.vendor;
      const providerType = dto.provider_type ?? provider.providerType;
      if (dto.connection_config !== undefined)
        dto = { ...dto, connection_config: keepMaskedUrls(dto.connection_config, provider.connectionConfig) };
      // The endpoint as answered (`user:***@host`) sent back keeps the stored one.
      const endpoint =
        dto.endpoint === undefined || dto.endpoint === maskUrlCredentials(provider.endpoint, true)
          ? provider.endpoint
          : dto.endpoint;
      const schedule = dto.schedule === undefined ? provider.schedule : dto.schedule?.trim() || null;
      // A schedule of a provider no plugin collects (the push provider) would only start failing runs.
      const unschedulable =
        dto.schedule !== undefined &&
        schedule !== null &&
        this.plugins.whyNotCollectable(vendor, providerType);
      if (unschedulable) throw new ValidationFailedError({ schedule: [unschedulable] });
      const plainConfig = dto.connection_config ?? maskSecrets(provider.connectionConfig);
      const plugin = this.checkAgainstPlugin({
        vendor,
        providerType,
        endpoint,
        config: plainConfig,
        schedule,
        checkPlugin: [dto.vendor, dto.provider_type, dto.endpoint, dto.connection_config].some(
          (v) => v !== undefined,
        ),
      });
      const connectionConfig = this.sealForUpdate(
        provider,
        dto,
        { vendor, providerType, endpoint },
        plugin.policy,
      );
      const scheduleChanged = schedule !== provider.schedule;
      manager.merge(ProviderEntity, provider, {
        name,
        organizationId,
        description: dto.description ?? provider.description,
        vendor,
        providerType,
        infrastructure: (dto.infrastructure as Infrastructure | undefined) ?? provider.infrastructure,
        endpoint,
        schedule,
        nextCollectionAt: scheduleChanged ? plugin.next : provider.nextCollectionAt,
        enabled: dto.enabled ?? provider.enabled,
        connectionConfig,
        modifiedById: actor.id,
      });
      await manager.save(provider);
      const after = await this.get(actor, id, manager).catch(() => null);
      const result = after ?? (await this.getUnscoped(id, manager));
      const changes = diffFields(auditFields(before), auditFields(result));
      const secretsChanged =
        JSON.stringify(provider.connectionConfig) !== JSON.stringify(before.connection_config) &&
        dto.connection_config !== undefined;
      if (secretsChanged && !changes.connection_config)
        changes.connection_config = ['$encrypted$', '$encrypted$'];
      await this.activity.record(manager, actor, {
        operation: 'update',
        objectType: 'provider',
        objectId: id,
        objectRepr: result.name,
        organizationId: result.organization,
        changes,
      });
      return result;
    });
  }

  /**
   * The connection settings a PATCH/PUT stores. Stored secrets go only where they went
   * before: when the endpoint, the plugin (vendor, provider_type) or a destination
   * parameter (`endpoint_url`, `allow_http`, `verify_ssl`, ...) changes, every stored
   * secret must be sent again (400 naming each one; the mask is refused then), so
   * someone who may edit a provider but never saw its password cannot point it at a
   * host of theirs and receive the password with the next test or collection.
   */
  private sealForUpdate(
    provider: ProviderEntity,
    dto: UpdateProviderDto,
    target: { vendor: string; providerType: string; endpoint: string },
    policy: SecretPolicy,
  ): Record<string, unknown> {
    const stored = provider.connectionConfig;
    const changed: string[] = [];
    if (target.endpoint !== provider.endpoint) changed.push('endpoint');
    if (target.vendor !== provider.vendor) changed.push('vendor');
    if (target.providerType !== provider.providerType) changed.push('provider_type');
    if (dto.connection_config !== undefined) {
      const next = dto.connection_config;
      const keys = new Set([...Object.keys(stored), ...Object.keys(next)]);
      for (const key of keys) {
        if (!isDestinationParameter(key)) continue;
        if (JSON.stringify(stored[key] ?? null) !== JSON.stringify(next[key] ?? null))
          changed.push(`connection_config.${key}`);
      }
    }
    const secrets = storedSecretPaths(stored, policy);
    if (changed.length === 0 || secrets.length === 0) {
      return dto.connection_config === undefined
        ? stored
        : sealSecrets(
            dto.connection_config,
            providerSecrets(this.secrets, provider.id),
            stored,
            'connection_config',
            policy,
          );
    }
    const why = `Changing ${changed.join(', ')} requires the stored secrets again`;
    if (dto.connection_config === undefined) {
      throw new ValidationFailedError(
        Object.fromEntries(
          secrets.map((path) => [path, [`${why}: send "${path.slice('connection_config.'.length)}".`]]),
        ),
        `${why} (${secrets.join(', ')}).`,
      );
    }
    return sealSecrets(
      dto.connection_config,
      providerSecrets(this.secrets, provider.id),
      withoutSecrets(stored, policy),
      'connection_config',
      policy,
      `${why}; "${MASK}" cannot keep this one: send the real value.`,
    );
  }

  /** Deletes the provider with everything collected from it (resources, sightings, runs). */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const provider = await this.get(actor, id, manager);
      await this.access.require(actor, 'provider.delete', {
        organizationId: provider.organization,
        providerId: id,
      });
      await manager.query(`SELECT id FROM providers WHERE id = $1 FOR UPDATE`, [id]);
      const active = await manager
        .createQueryBuilder(CollectionRunEntity, 'cr')
        .where('cr.provider_id = :id AND cr.status IN (:...statuses)', { id, statuses: ACTIVE_RUN_STATUSES })
        .getOne();
      if (active) {
        throw new ConflictError('A collection run of this provider is pending or running; cancel it first.', {
          collection_run: active.id,
        });
      }
      await manager.query(`DELETE FROM role_assignments WHERE object_type = 'provider' AND object_id = $1`, [
        id,
      ]);
      await manager.delete(ProviderEntity, { id });
      await this.activity.record(manager, actor, {
        operation: 'delete',
        objectType: 'provider',
        objectId: id,
        objectRepr: provider.name,
        organizationId: provider.organization,
      });
    });
  }

  /** The SQL condition limiting providers to those the caller can see. */
  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'provider.view', params, {
      organization: 'p.organization_id',
      provider: 'p.id',
    });
  }

  private async getUnscoped(id: string, manager: EntityManager): Promise<ProviderDto> {
    const rows = await manager.query<ProviderRow[]>(`SELECT ${SELECT} FROM ${FROM} WHERE p.id = $1`, [id]);
    return toProviderDto(rows[0]);
  }

  /**
   * The organization must exist for the caller (else 400, as for any unknown id in a
   * body), the caller must be allowed to add providers there (else 403), and the name
   * must be free in it (else 400 on `name`).
   */
  private async checkOrganizationAndName(
    actor: Actor,
    manager: EntityManager,
    organizationId: number,
    name: string,
    selfId: string | null,
  ) {
    const orgs = await manager.query<{ name: string }[]>(`SELECT name FROM organizations WHERE id = $1`, [
      organizationId,
    ]);
    const visible =
      orgs.length > 0 &&
      ((await this.access.can(actor, 'organization.view', { organizationId })) ||
        (await this.access.can(actor, 'provider.view', { organizationId })));
    if (!visible)
      throw new ValidationFailedError({ organization: [`Organization ${organizationId} does not exist.`] });
    await this.access.require(
      actor,
      'provider.add',
      { organizationId },
      'You cannot add providers to this organization.',
    );
    const clash = await manager.query<{ id: string }[]>(
      `SELECT id FROM providers WHERE organization_id = $1 AND name = $2 AND ($3::uuid IS NULL OR id <> $3::uuid)`,
      [organizationId, name, selfId],
    );
    if (clash.length > 0) throw this.nameTaken(orgs[0].name);
  }

  private nameTaken(organizationName: string) {
    return new ValidationFailedError({
      name: [`A provider with this name already exists in organization "${organizationName}".`],
    });
  }

  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return inTransactionUnique(this.db, work, () => this.nameTaken('this organization'));
  }
}
