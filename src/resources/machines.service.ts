import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { NotFoundError } from '../common/errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { AccessService } from '../rbac/access.service.js';
import {
  type MachineDetailDto,
  type MachineDto,
  type MachineLinkDto,
  type MachineProviderDto,
  type MachineResourceRow,
  MACHINE_FIELDS,
  toMachineDetail,
} from './dto/machine.dto.js';
import { MACHINE_PROVIDERS_SQL, MACHINE_TYPES, machinesFrom } from './machine-view.query.js';
import { LAST_SEEN_AT_SQL } from './resource-tracking.sql.js';

interface MachineRow {
  canonical_id: string;
  name: string;
  resource_type: string;
  resource_count: number;
  provider_count: number;
  provider_ids: string[];
  vendors: string[];
  first_discovered_at: Date;
  last_seen_at: Date;
  removed: boolean;
}

/** The API base (…/api/inventory/v1) of a request URL that names `segment` (resources, machines). */
const apiBase = (requestUrl: string, segment: string) =>
  requestUrl.replace(new RegExp(`/${segment}(/.*)?$`), '');
const machineUrl = (base: string, canonicalId: string) =>
  `${base}/machines/${encodeURIComponent(canonicalId)}/`;

/**
 * One view of a machine seen by several providers (pulled or pushed): resources grouped by
 * their canonical identity. Read-only and scoped like resources (provider.view).
 */
@Injectable()
export class MachinesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<MachineDto>> {
    const visible = await this.visible(actor, query.params);
    const from = machinesFrom(visible, query.params.add(MACHINE_TYPES));
    const base = apiBase(query.location.base, 'machines');
    return runList<MachineRow, MachineDto>(this.db, query, {
      select: 'm.*',
      from,
      map: (m) => ({
        canonical_id: m.canonical_id,
        name: m.name,
        resource_type: m.resource_type,
        resource_count: m.resource_count,
        provider_count: m.provider_count,
        vendors: m.vendors,
        providers: [],
        provider_ids: m.provider_ids,
        first_discovered_at: m.first_discovered_at.toISOString(),
        last_seen_at: m.last_seen_at.toISOString(),
        removed: m.removed,
        url: machineUrl(base, m.canonical_id),
      }),
      enrich: (machines) => this.withProviders(machines),
    });
  }

  /** The providers of a page's machines, in one query (restricted to the visible ones). */
  private async withProviders(machines: (MachineDto & { provider_ids?: string[] })[]): Promise<MachineDto[]> {
    const rows = await this.db.query<(MachineProviderDto & { canonical_id: string })[]>(
      MACHINE_PROVIDERS_SQL,
      [machines.map((m) => m.canonical_id), [...new Set(machines.flatMap((m) => m.provider_ids ?? []))]],
    );
    const providers = new Map<string, MachineProviderDto[]>();
    for (const { canonical_id, ...p } of rows)
      providers.set(canonical_id, [...(providers.get(canonical_id) ?? []), p]);
    return machines.map(({ provider_ids: _ids, ...m }) => ({
      ...m,
      providers: providers.get(m.canonical_id) ?? [],
    }));
  }

  async get(actor: Actor, canonicalId: string, requestUrl: string): Promise<MachineDetailDto> {
    const params = new SqlParams();
    const where = [`r.canonical_id = ${params.add(canonicalId)}`, ...(await this.visible(actor, params))];
    const rows = await this.db.query<MachineResourceRow[]>(
      `SELECT r.id, r.name, r.provider_id AS provider, p.name AS provider_name, p.vendor, p.provider_type,
              t.slug AS resource_type_slug, r.vendor_type, r.ems_ref, r.first_discovered_at,
              ${LAST_SEEN_AT_SQL} AS last_seen_at, r.removed_at,
              ${MACHINE_FIELDS.filter((f) => f !== 'name')
                .map((f) => `r.${f}`)
                .join(', ')}
       FROM resources r JOIN providers p ON p.id = r.provider_id JOIN resource_types t ON t.id = r.resource_type_id
       WHERE ${where.join(' AND ')}
       ORDER BY r.removed_at IS NULL DESC, ${LAST_SEEN_AT_SQL} DESC, r.id
       LIMIT 1000`,
      params.values,
    );
    if (!rows.some((r) => MACHINE_TYPES.includes(r.resource_type_slug)))
      throw new NotFoundError(`Machine ${canonicalId} not found.`);
    const base = apiBase(requestUrl, 'machines');
    return toMachineDetail(
      canonicalId,
      rows,
      { machine: machineUrl(base, canonicalId), resource: (id) => `${base}/resources/${id}/` },
      MACHINE_TYPES,
    );
  }

  /** The machine a resource belongs to, when its canonical id names one the caller can see. */
  async linkFor(
    actor: Actor,
    canonicalId: string | null,
    requestUrl: string,
  ): Promise<MachineLinkDto | null> {
    if (!canonicalId) return null;
    const params = new SqlParams();
    const where = [`r.canonical_id = ${params.add(canonicalId)}`, ...(await this.visible(actor, params))];
    const [row] = await this.db.query<{ providers: number; machine: boolean }[]>(
      `SELECT count(DISTINCT r.provider_id)::int AS providers, bool_or(t.slug = ANY(${params.add(MACHINE_TYPES)})) AS machine
       FROM resources r JOIN resource_types t ON t.id = r.resource_type_id WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!row?.machine) return null;
    return {
      canonical_id: canonicalId,
      provider_count: row.providers,
      url: machineUrl(apiBase(requestUrl, 'resources'), canonicalId),
    };
  }

  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'provider.view', params, {
      organization: 'r.organization_id',
      provider: 'r.provider_id',
    });
  }
}
