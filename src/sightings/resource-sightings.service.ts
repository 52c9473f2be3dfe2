import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { AccessService } from '../rbac/access.service.js';
import type { ResourceSightingDto } from './dto/resource-sighting.dto.js';

interface SightingRow extends Omit<ResourceSightingDto, 'seen_at'> {
  seen_at: Date;
}

const SELECT = `s.id, s.resource_id AS resource, r.name AS resource_name, s.provider_id AS provider,
  s.organization_id AS organization, s.collection_run_id AS collection_run, s.seen_at, s.state, s.power_state,
  s.cpu_count, s.memory_mb, s.disk_gb, s.metrics`;
const FROM = `resource_sightings s JOIN resources r ON r.id = s.resource_id`;

const toDto = (row: SightingRow): ResourceSightingDto => ({ ...row, seen_at: row.seen_at.toISOString() });

@Injectable()
export class ResourceSightingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<ResourceSightingDto>> {
    const where = await this.visible(actor, query.params);
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      countFrom: 'resource_sightings s',
      where,
      map: toDto,
    });
  }

  /** One resource's sightings; the caller has checked that it may see the resource. */
  listForResource(resourceId: string, query: ParsedListQuery): Promise<Page<ResourceSightingDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      countFrom: 'resource_sightings s',
      where: [`s.resource_id = ${query.params.add(resourceId)}`],
      map: toDto,
    });
  }

  /** When one resource was last seen at or before `at` (null: not seen by then); the caller has checked access. */
  async lastSeenAt(resourceId: string, at: Date): Promise<Date | null> {
    const rows = await this.db.query<{ seen_at: Date | null }[]>(
      `SELECT max(seen_at) AS seen_at FROM resource_sightings WHERE resource_id = $1 AND seen_at <= $2`,
      [resourceId, at],
    );
    return rows[0]?.seen_at ?? null;
  }

  async get(actor: Actor, id: string): Promise<ResourceSightingDto> {
    const params = new SqlParams();
    const where = [`s.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const sql = `SELECT ${SELECT} FROM ${FROM} WHERE ${where.join(' AND ')}`;
    return toDto(await queryOne<SightingRow>(this.db, sql, params.values, `Sighting ${id} not found.`));
  }

  /** Organization and provider are copied onto each sighting, so scoping needs no join. */
  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'provider.view', params, {
      organization: 's.organization_id',
      provider: 's.provider_id',
    });
  }
}
