import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { InvalidQueryError, NotFoundError } from '../common/errors.js';
import type { Actor } from '../auth/actor.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { SqlParams } from '../common/list/sql-params.js';
import { AccessService } from '../rbac/access.service.js';
import { parseTimestamp } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import type { ResourceSightingDto } from '../sightings/dto/resource-sighting.dto.js';
import { ResourceSightingsService } from '../sightings/resource-sightings.service.js';
import type { ResourceDetailDto, ResourceDiffDto, ResourceDto } from './dto/resource.dto.js';
import { TRACKED } from '../inventory-writer/resource-batch.sql.js';
import { differencesBetween, valuesAt } from '../changes/resource-as-of.query.js';
import type { ResourceHistoryDto } from './dto/resource-history.dto.js';
import { DEFAULT_TIMELINE_LIMIT, loadResourceHistory, MAX_TIMELINE_LIMIT } from './resource-history.query.js';
import { MachinesService } from './machines.service.js';
import type { ResourceSummaryDto } from './dto/resource-summary.dto.js';
import { buildResourceSummary, MAX_SUMMARY_GROUPS } from './resource-summary.query.js';
import { LAST_SEEN_AT_SQL, SEEN_COUNT_SQL } from './resource-tracking.sql.js';
import { resourceTagsOf } from '../tags/dto/tag.dto.js';
import { userTagsOf } from '../tags/resource-tags.sql.js';

type Timestamp = Date | null;
interface ResourceRow extends Omit<
  ResourceDto,
  | 'tags'
  | 'boot_time'
  | 'ems_created_on'
  | 'first_discovered_at'
  | 'last_seen_at'
  | 'removed_at'
  | 'created'
  | 'modified'
> {
  boot_time: Timestamp;
  ems_created_on: Timestamp;
  first_discovered_at: Date;
  last_seen_at: Date;
  removed_at: Timestamp;
  created: Date;
  modified: Date;
}

const COLUMNS = `r.id, r.name, r.provider_id AS provider, p.name AS provider_name, r.organization_id AS organization,
  r.resource_type_id AS resource_type, t.slug AS resource_type_slug, c.slug AS resource_category, r.vendor_type,
  r.ems_ref, r.canonical_id, r.vendor_identifiers, r.state, r.power_state, r.region, r.availability_zone,
  r.cloud_tenant, r.flavor, r.fqdn, r.ip_addresses, r.os_type, r.os_name, r.cpu_count, r.memory_mb, r.disk_gb,
  r.properties, r.provider_tags, r.description, r.boot_time, r.ems_created_on, r.first_discovered_at,
  ${LAST_SEEN_AT_SQL} AS last_seen_at, ${SEEN_COUNT_SQL} AS seen_count, r.removed_at, r.created, r.modified`;
const FROM = `resources r
  JOIN providers p ON p.id = r.provider_id
  JOIN resource_types t ON t.id = r.resource_type_id
  JOIN resource_categories c ON c.id = t.category_id`;

const iso = (value: Timestamp) => value?.toISOString() ?? null;

/** The row as answered; `tags` holds the provider tags until `withUserTags` adds the user tags. */
export function toResourceDto(row: ResourceRow): ResourceDto {
  return {
    ...row,
    tags: resourceTagsOf(row.provider_tags, []),
    boot_time: iso(row.boot_time),
    ems_created_on: iso(row.ems_created_on),
    first_discovered_at: row.first_discovered_at.toISOString(),
    last_seen_at: row.last_seen_at.toISOString(),
    removed_at: iso(row.removed_at),
    created: row.created.toISOString(),
    modified: row.modified.toISOString(),
  };
}

@Injectable()
export class ResourcesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sightings: ResourceSightingsService,
    private readonly access: AccessService,
    private readonly machines: MachinesService,
  ) {}

  /** The resources list; `narrow` adds conditions (alias r, placeholders from query.params), e.g. a watchlist's members. */
  async list(actor: Actor, query: ParsedListQuery, narrow: string[] = []): Promise<Page<ResourceDto>> {
    const where = [...(await this.visible(actor, query.params)), ...narrow];
    return runList(this.db, query, {
      select: COLUMNS,
      from: FROM,
      countFrom: 'resources r',
      deferredJoin: { id: 'r.id' },
      where,
      map: toResourceDto,
      enrich: (results) => this.withUserTags(results),
    });
  }

  /** Adds the user tags of a page of resources (one query, src/tags/resource-tags.sql.ts). */
  private async withUserTags<T extends ResourceDto>(results: T[]): Promise<T[]> {
    const byResource = await userTagsOf(
      this.db,
      results.map((r) => r.id),
    );
    return results.map((r) => ({ ...r, tags: resourceTagsOf(r.provider_tags, byResource.get(r.id) ?? []) }));
  }

  /** What tagging a resource needs to know of it; 404 when it does not exist or is not visible. */
  async tagTarget(
    actor: Actor,
    id: string,
  ): Promise<{ organizationId: number; providerId: string; providerTags: Record<string, unknown> }> {
    const params = new SqlParams();
    const where = [`r.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await this.db.query<
      { organization_id: number; provider_id: string; provider_tags: Record<string, unknown> }[]
    >(
      `SELECT r.organization_id, r.provider_id, r.provider_tags FROM resources r WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`Resource ${id} not found.`);
    return {
      organizationId: rows[0].organization_id,
      providerId: rows[0].provider_id,
      providerTags: rows[0].provider_tags,
    };
  }

  /** Counts per value of up to three fields over the filtered, visible resources (one statement). */
  async summary(actor: Actor, query: ParsedListQuery, groupBy: string[]): Promise<ResourceSummaryDto> {
    const where = [...(await this.visible(actor, query.params)), ...query.where];
    const { sql, names } = buildResourceSummary(groupBy, where, query.params);
    const rows = await this.db.query<Record<string, unknown>[]>(sql, query.params.values);
    const groupCount = Number(rows[0]?.groups ?? 0);
    return {
      group_by: groupBy,
      count: Number(rows[0]?.total ?? 0),
      group_count: groupCount,
      truncated: groupCount > MAX_SUMMARY_GROUPS,
      groups: rows.map((row) => {
        const group: Record<string, unknown> = {};
        names.forEach(({ name, labels }, i) => {
          group[name] = row[`k${i}`];
          for (const label of labels) group[label] = row[label];
        });
        return { ...group, count: Number(row.count) };
      }),
    };
  }

  async get(actor: Actor, id: string, requestUrl: string, asOf?: Date): Promise<ResourceDetailDto> {
    const params = new SqlParams();
    const where = [`r.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await this.db.query<
      (ResourceRow & {
        resource_type_name: string;
        resource_category_name: string;
        provider_vendor: string;
      })[]
    >(
      `SELECT ${COLUMNS}, t.name AS resource_type_name, c.name AS resource_category_name, p.vendor AS provider_vendor
       FROM ${FROM} WHERE ${where.join(' AND ')}`,
      params.values,
    );
    const row = rows[0];
    if (!row) throw new NotFoundError(`Resource ${id} not found.`);
    const counts = await this.db.query<{ relationship_type: string; outgoing: number; incoming: number }[]>(
      `SELECT relationship_type, count(*) FILTER (WHERE source_id = $1)::int AS outgoing,
              count(*) FILTER (WHERE target_id = $1)::int AS incoming
       FROM resource_relationships
       WHERE (source_id = $1 OR target_id = $1) AND removed_at IS NULL
       GROUP BY relationship_type ORDER BY relationship_type`,
      [id],
    );
    const byType: Record<string, { outgoing: number; incoming: number }> = {};
    for (const c of counts) byType[c.relationship_type] = { outgoing: c.outgoing, incoming: c.incoming };
    const [current] = await this.withUserTags([toResourceDto(row)]);
    return {
      ...(asOf ? await this.atTime(current, asOf) : current),
      resource_type_name: row.resource_type_name,
      resource_category_name: row.resource_category_name,
      provider_vendor: row.provider_vendor,
      relationships: {
        outgoing: counts.reduce((n, c) => n + c.outgoing, 0),
        incoming: counts.reduce((n, c) => n + c.incoming, 0),
        by_type: byType,
      },
      machine: await this.machines.linkFor(actor, row.canonical_id, requestUrl),
    };
  }

  /**
   * The resource's tracked fields as they were at `at`, rebuilt from its change rows
   * (src/changes/resource-as-of.query.ts); 404 when it had not been discovered yet or
   * had been removed by then.
   */
  private async atTime(current: ResourceDto, at: Date): Promise<ResourceDto & { as_of: string }> {
    const when = at.toISOString();
    if (new Date(current.first_discovered_at) > at) {
      throw new NotFoundError(
        `Resource ${current.id} did not exist at ${when}: it was first discovered at ${current.first_discovered_at}.`,
      );
    }
    const values = await valuesAt(this.db, current.id, at);
    const removedAt = (values.has('removed_at') ? values.get('removed_at') : current.removed_at) as
      string | null;
    if (removedAt && new Date(removedAt) <= at) {
      throw new NotFoundError(
        `Resource ${current.id} did not exist at ${when}: it had been removed at ${removedAt}.`,
      );
    }
    const then: Record<string, unknown> = {
      ...current,
      properties: { ...current.properties },
      removed_at: null,
    };
    const properties = then.properties as Record<string, unknown>;
    for (const [path, value] of values) {
      if ((TRACKED as readonly string[]).includes(path)) then[path] = value;
      else if (path.startsWith('properties.')) {
        const key = path.slice('properties.'.length);
        if (value === null || value === undefined) delete properties[key];
        else properties[key] = value;
      }
    }
    const lastSeen = await this.sightings.lastSeenAt(current.id, at);
    return {
      ...(then as unknown as ResourceDto),
      last_seen_at: (lastSeen ?? new Date(current.first_discovered_at)).toISOString(),
      as_of: when,
    };
  }

  /** Every tracked field and fact path whose value differs between two times. */
  async diff(
    actor: Actor,
    id: string,
    rawQuery: Record<string, string | string[] | undefined>,
  ): Promise<ResourceDiffDto> {
    const { from, to } = parseDiffQuery(rawQuery);
    await this.identity(actor, id);
    return {
      resource: id,
      from: from.toISOString(),
      to: to.toISOString(),
      differences: await differencesBetween(this.db, id, from, to),
    };
  }

  async listSightings(actor: Actor, id: string, query: ParsedListQuery): Promise<Page<ResourceSightingDto>> {
    await this.identity(actor, id);
    return this.sightings.listForResource(id, query);
  }

  async history(
    actor: Actor,
    id: string,
    rawQuery: Record<string, string | string[] | undefined>,
  ): Promise<ResourceHistoryDto> {
    const window = parseHistoryQuery(rawQuery);
    return loadResourceHistory(this.db, await this.identity(actor, id), window);
  }

  /** 404 unless the resource exists and the caller may see it (for nested lists of other modules). */
  async assertVisible(actor: Actor, id: string): Promise<void> {
    await this.identity(actor, id);
  }

  /** The resource's identity and tracking fields; 404 when it does not exist or is not visible. */
  private async identity(actor: Actor, id: string) {
    const params = new SqlParams();
    const where = [`r.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await this.db.query<Parameters<typeof loadResourceHistory>[1][]>(
      `SELECT r.id, r.canonical_id, r.vendor_identifiers, r.ems_ref, r.name, r.provider_id, r.first_discovered_at,
              ${LAST_SEEN_AT_SQL} AS last_seen_at, ${SEEN_COUNT_SQL} AS seen_count, r.removed_at FROM resources r WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`Resource ${id} not found.`);
    return rows[0];
  }

  /** Resources of the organizations and providers the caller holds provider.view on (alias `r`). */
  visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'provider.view', params, {
      organization: 'r.organization_id',
      provider: 'r.provider_id',
    });
  }
}

/** One ISO 8601 time from a query parameter; 400 when malformed or repeated. */
export function parseTimeParam(name: string, raw: string | string[] | undefined): Date | undefined {
  if (Array.isArray(raw)) throw new InvalidQueryError(name, 'may be given only once.');
  if (raw === undefined || raw === '') return undefined;
  const parsed = parseTimestamp(raw);
  if (!parsed) throw new InvalidQueryError(name, `"${raw}" is not an ISO 8601 date or date-time.`);
  return parsed;
}

/** /diff/: from (required) and to (default now), from before to; anything else is a 400. */
function parseDiffQuery(query: Record<string, string | string[] | undefined>): { from: Date; to: Date } {
  for (const name of Object.keys(query)) {
    if (!['from', 'to'].includes(name))
      throw new InvalidQueryError(name, 'unknown query parameter. Use from, to.');
  }
  const from = parseTimeParam('from', query.from);
  if (!from) throw new InvalidQueryError('from', 'is required (ISO 8601).');
  const to = parseTimeParam('to', query.to) ?? new Date();
  if (from >= to) throw new InvalidQueryError('to', 'must be later than from.');
  return { from, to };
}

/** seen_after, seen_before and timeline_limit; anything else or malformed is a 400. */
export function parseHistoryQuery(query: Record<string, string | string[] | undefined>) {
  const single = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) throw new InvalidQueryError(name, 'may be given only once.');
    return value === undefined || value === '' ? undefined : value;
  };
  for (const name of Object.keys(query)) {
    if (!['seen_after', 'seen_before', 'timeline_limit'].includes(name)) {
      throw new InvalidQueryError(
        name,
        'unknown query parameter. Use seen_after, seen_before, timeline_limit.',
      );
    }
  }
  const timestamp = (name: string): Date | null => parseTimeParam(name, query[name]) ?? null;
  const rawLimit = single('timeline_limit');
  let timelineLimit = DEFAULT_TIMELINE_LIMIT;
  if (rawLimit !== undefined) {
    if (!/^\d{1,6}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_TIMELINE_LIMIT) {
      throw new InvalidQueryError(
        'timeline_limit',
        `must be a whole number from 1 to ${MAX_TIMELINE_LIMIT}.`,
      );
    }
    timelineLimit = Number(rawLimit);
  }
  return { seenAfter: timestamp('seen_after'), seenBefore: timestamp('seen_before'), timelineLimit };
}
