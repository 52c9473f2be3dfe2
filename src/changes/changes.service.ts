import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { AccessService } from '../rbac/access.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import type { ResourceChangeDto, TimelineDayDto } from './dto/resource-change.dto.js';
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

  /** Per-day groups (UTC) with change counts and severity and category summaries. */
  async timeline(actor: Actor, id: string, query: ParsedListQuery): Promise<Page<TimelineDayDto>> {
    await this.resources.assertVisible(actor, id);
    const from = `(SELECT (detected_at AT TIME ZONE 'UTC')::date AS date, count(*)::int AS changes, ${TIMELINE_COLUMNS}
       FROM resource_changes WHERE resource_id = ${query.params.add(id)} GROUP BY 1) g`;
    return runList(this.db, query, {
      select: `to_char(g.date, 'YYYY-MM-DD') AS date, g.changes, ${TIMELINE_NAMES}`,
      from,
      map: (row: TimelineRow) => toTimelineDto(row),
    });
  }
}
