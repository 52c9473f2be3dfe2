import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { InvalidQueryError } from '../common/errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { AccessService } from '../rbac/access.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import type { ChangeSummaryDto, ResourceChangeDto, TimelineDayDto } from './dto/resource-change.dto.js';
import { CHANGE_CATEGORIES, CHANGE_SEVERITIES } from './resource-change.enums.js';

interface ChangeRow extends Omit<ResourceChangeDto, 'detected_at'> {
  detected_at: Date;
}

const SELECT = `c.id, c.resource_id AS resource, r.name AS resource_name, c.organization_id AS organization, c.detected_at,
  c.source, c.collection_run_id AS collection_run, c.fact_snapshot_id AS fact_snapshot, c.field_path, c.change_type,
  c.previous_value, c.current_value, c.category, c.severity`;
const FROM = `resource_changes c JOIN resources r ON r.id = c.resource_id`;

const toChangeDto = (row: ChangeRow): ResourceChangeDto => ({
  ...row,
  detected_at: row.detected_at.toISOString(),
});

/** Severity and category counts per day, built from the enums so they stay in step. */
const TIMELINE_COLUMNS = [
  ...CHANGE_SEVERITIES.map((s) => `count(*) FILTER (WHERE severity = '${s}')::int AS "s_${s}"`),
  ...CHANGE_CATEGORIES.map((c) => `count(*) FILTER (WHERE category = '${c}')::int AS "c_${c}"`),
].join(', ');

const TIMELINE_NAMES = [
  ...CHANGE_SEVERITIES.map((s) => `g."s_${s}"`),
  ...CHANGE_CATEGORIES.map((c) => `g."c_${c}"`),
].join(', ');

type TimelineRow = { date: string; changes: number } & Record<string, number>;

export type TimelineInterval = 'day' | 'week';

/** A fill range wider than this many buckets is refused (ten years of days). */
const MAX_FILLED_BUCKETS = 3660;

/**
 * A derived table `g` (date, changes, s_<severity>…, c_<category>…) of the changes in
 * `from`/`where` per UTC day or week; with `fill`, every bucket from `fill.lo` to
 * `fill.hi` (SQL date expressions) appears, with zeros where nothing changed.
 */
function bucketTable(
  interval: TimelineInterval,
  from: string,
  where: string,
  fill: { lo: string; hi: string } | null,
): string {
  const grouped = `SELECT date_trunc('${interval}', detected_at AT TIME ZONE 'UTC')::date AS date, count(*)::int AS changes,
      ${TIMELINE_COLUMNS} FROM ${from} ${where} GROUP BY 1`;
  if (!fill) return `(${grouped}) g`;
  const zeroed = [
    ...CHANGE_SEVERITIES.map((s) => `coalesce(x."s_${s}", 0) AS "s_${s}"`),
    ...CHANGE_CATEGORIES.map((c) => `coalesce(x."c_${c}", 0) AS "c_${c}"`),
  ].join(', ');
  return `(SELECT d::date AS date, coalesce(x.changes, 0) AS changes, ${zeroed}
    FROM generate_series(date_trunc('${interval}', (${fill.lo})::timestamp), (${fill.hi})::timestamp, interval '1 ${interval}') d
    LEFT JOIN (${grouped}) x ON x.date = d::date) g`;
}

function checkFillRange(interval: TimelineInterval, lo: Date | null, hi: Date | null): void {
  if (!lo) return;
  const days = ((hi ?? new Date()).getTime() - lo.getTime()) / 86_400_000;
  if (days / (interval === 'week' ? 7 : 1) > MAX_FILLED_BUCKETS)
    throw new InvalidQueryError(
      'fill',
      `the range holds more than ${MAX_FILLED_BUCKETS} ${interval}s; narrow it.`,
    );
}

function toTimelineDto(row: TimelineRow): TimelineDayDto {
  const severities: Record<string, number> = {};
  const categories: Record<string, number> = {};
  for (const s of CHANGE_SEVERITIES) if (row[`s_${s}`] > 0) severities[s] = row[`s_${s}`];
  for (const c of CHANGE_CATEGORIES) if (row[`c_${c}`] > 0) categories[c] = row[`c_${c}`];
  const highest = [...CHANGE_SEVERITIES].reverse().find((s) => severities[s] > 0) ?? null;
  return { date: row.date, changes: row.changes, highest_severity: highest, severities, categories };
}

/** Detected changes, scoped like resources (provider.view on the organization or the provider). */
@Injectable()
export class ChangesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly resources: ResourcesService,
  ) {}

  /** A provider moved to another organization: its resources' changes move with it (caller's transaction). */
  async moveProvider(manager: EntityManager, providerId: string, organizationId: number): Promise<void> {
    await manager.query(
      `UPDATE resource_changes c SET organization_id = $1 FROM resources r
       WHERE r.id = c.resource_id AND r.provider_id = $2 AND c.organization_id <> $1`,
      [organizationId, providerId],
    );
  }

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<ResourceChangeDto>> {
    const scope = await this.access.scope(actor, 'provider.view');
    const condition = this.access.scopeCondition(scope, query.params, {
      organization: 'c.organization_id',
      provider: 'r.provider_id',
    });
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      where: condition ? [condition] : [],
      map: toChangeDto,
    });
  }

  async listForResource(actor: Actor, id: string, query: ParsedListQuery): Promise<Page<ResourceChangeDto>> {
    await this.resources.assertVisible(actor, id);
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      countFrom: 'resource_changes c',
      where: [`c.resource_id = ${query.params.add(id)}`],
      map: toChangeDto,
    });
  }

  /**
   * Per-day groups (UTC) with change counts and severity and category summaries; with
   * `fill`, every day from the resource's discovery (or `date_after`) to today (or
   * `date_before`), zeros included.
   */
  async timeline(
    actor: Actor,
    id: string,
    query: ParsedListQuery,
    fill: { dateAfter: Date | null; dateBefore: Date | null } | null,
  ): Promise<Page<TimelineDayDto>> {
    await this.resources.assertVisible(actor, id);
    const resource = query.params.add(id);
    let range: { lo: string; hi: string } | null = null;
    if (fill) {
      checkFillRange('day', fill.dateAfter, fill.dateBefore);
      range = {
        lo: fill.dateAfter
          ? `${query.params.add(fill.dateAfter)}::timestamptz AT TIME ZONE 'UTC'`
          : `(SELECT first_discovered_at AT TIME ZONE 'UTC' FROM resources WHERE id = ${resource})`,
        hi: fill.dateBefore
          ? `${query.params.add(fill.dateBefore)}::timestamptz AT TIME ZONE 'UTC'`
          : `now() AT TIME ZONE 'UTC'`,
      };
    }
    const from = bucketTable('day', 'resource_changes', `WHERE resource_id = ${resource}`, range);
    return runList(this.db, query, {
      select: `to_char(g.date, 'YYYY-MM-DD') AS date, g.changes, ${TIMELINE_NAMES}`,
      from,
      map: (row: TimelineRow) => toTimelineDto(row),
    });
  }

  /**
   * The fleet-wide timeline: changes per UTC day or week with severity and category
   * counts, over every change the caller may read that matches the list's filters.
   */
  async summary(
    actor: Actor,
    query: ParsedListQuery,
    options: {
      interval: TimelineInterval;
      fill: boolean;
      detectedAfter: Date | null;
      detectedBefore: Date | null;
    },
  ): Promise<ChangeSummaryDto> {
    const scope = await this.access.scope(actor, 'provider.view');
    const condition = this.access.scopeCondition(scope, query.params, {
      organization: 'c.organization_id',
      provider: 'r.provider_id',
    });
    const conditions = [...(condition ? [condition] : []), ...query.where];
    const where = conditions.length ? `WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '';
    let range: { lo: string; hi: string } | null = null;
    if (options.fill) {
      checkFillRange(options.interval, options.detectedAfter, options.detectedBefore);
      range = {
        lo: options.detectedAfter
          ? `${query.params.add(options.detectedAfter)}::timestamptz AT TIME ZONE 'UTC'`
          : `(SELECT coalesce(min(detected_at), now()) AT TIME ZONE 'UTC' FROM ${FROM} ${where})`,
        hi: options.detectedBefore
          ? `${query.params.add(options.detectedBefore)}::timestamptz AT TIME ZONE 'UTC'`
          : `now() AT TIME ZONE 'UTC'`,
      };
    }
    const rows = await this.db.query<TimelineRow[]>(
      `SELECT to_char(g.date, 'YYYY-MM-DD') AS date, g.changes, ${TIMELINE_NAMES}
       FROM ${bucketTable(options.interval, FROM, where, range)} ORDER BY g.date`,
      query.params.values,
    );
    const results = rows.map(toTimelineDto);
    return { interval: options.interval, count: results.reduce((n, r) => n + r.changes, 0), results };
  }
}
