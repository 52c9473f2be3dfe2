import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import type { CollectionRunDto } from './dto/collection-run.dto.js';

interface RunRow extends Omit<CollectionRunDto, 'started_at' | 'completed_at' | 'created' | 'modified'> {
  started_at: Date | null;
  completed_at: Date | null;
  created: Date;
  modified: Date;
}

const SELECT = `cr.id, cr.provider_id AS provider, p.name AS provider_name, cr.status, cr.collection_type,
  cr.target_resource_types, cr.task_id, cr.started_at, cr.completed_at, cr.duration_seconds, cr.resources_found,
  cr.resources_created, cr.resources_updated, cr.resources_unchanged, cr.resources_removed, cr.error_message,
  cr.triggered_by, cr.triggered_by_user_id AS triggered_by_user, cr.created, cr.modified`;
const FROM = `collection_runs cr JOIN providers p ON p.id = cr.provider_id`;

export function toCollectionRunDto(row: RunRow): CollectionRunDto {
  return {
    ...row,
    started_at: row.started_at?.toISOString() ?? null,
    completed_at: row.completed_at?.toISOString() ?? null,
    created: row.created.toISOString(),
    modified: row.modified.toISOString(),
  };
}

/** Read access to collection runs. Runs are created only by a provider's collect action. */
@Injectable()
export class CollectionRunsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  list(query: ParsedListQuery): Promise<Page<CollectionRunDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      countFrom: 'collection_runs cr',
      map: toCollectionRunDto,
    });
  }

  async get(id: string): Promise<CollectionRunDto> {
    return toCollectionRunDto(
      await queryOne<RunRow>(
        this.db,
        `SELECT ${SELECT} FROM ${FROM} WHERE cr.id = $1`,
        [id],
        `Collection run ${id} not found.`,
      ),
    );
  }
}
