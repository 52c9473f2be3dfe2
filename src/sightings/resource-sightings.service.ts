import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import type { ResourceSightingDto } from './dto/resource-sighting.dto.js';

interface SightingRow extends Omit<ResourceSightingDto, 'seen_at'> {
  seen_at: Date;
}

const SELECT = `s.id, s.resource_id AS resource, r.name AS resource_name, s.provider_id AS provider, s.organization_id AS organization,
  s.collection_run_id AS collection_run, s.seen_at, s.state, s.power_state, s.cpu_count, s.memory_mb, s.disk_gb, s.metrics`;
const FROM = `resource_sightings s JOIN resources r ON r.id = s.resource_id`;

const toDto = (row: SightingRow): ResourceSightingDto => ({ ...row, seen_at: row.seen_at.toISOString() });

@Injectable()
export class ResourceSightingsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  list(query: ParsedListQuery): Promise<Page<ResourceSightingDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      countFrom: 'resource_sightings s',
      map: toDto,
    });
  }

  /** One resource's sightings; the caller has checked that the resource exists. */
  listForResource(resourceId: string, query: ParsedListQuery): Promise<Page<ResourceSightingDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      countFrom: 'resource_sightings s',
      where: [`s.resource_id = ${query.params.add(resourceId)}`],
      map: toDto,
    });
  }

  async get(id: string): Promise<ResourceSightingDto> {
    return toDto(
      await queryOne<SightingRow>(
        this.db,
        `SELECT ${SELECT} FROM ${FROM} WHERE s.id = $1`,
        [id],
        `Sighting ${id} not found.`,
      ),
    );
  }
}
