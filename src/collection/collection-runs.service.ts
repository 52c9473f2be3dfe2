import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { AccessService } from '../rbac/access.service.js';
import type { CollectionRunDto } from './dto/collection-run.dto.js';

interface RunRow extends Omit<
  CollectionRunDto,
  'started_at' | 'completed_at' | 'cancel_requested_at' | 'created' | 'modified'
> {
  cancel_requested_at: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
  created: Date;
  modified: Date;
}

const SELECT = `cr.id, cr.provider_id AS provider, p.name AS provider_name, cr.status, cr.collection_type,
  cr.target_resource_types, cr.task_id, cr.started_at, cr.completed_at, cr.duration_seconds, cr.resources_found,
  cr.resources_created, cr.resources_updated, cr.resources_unchanged, cr.resources_removed, cr.resources_rejected,
  cr.warnings, cr.error_message, cr.cancel_requested_at,
  cr.triggered_by, cr.triggered_by_user_id AS triggered_by_user, cr.created, cr.modified`;
const FROM = `collection_runs cr JOIN providers p ON p.id = cr.provider_id`;

export function toCollectionRunDto(row: RunRow): CollectionRunDto {
  return {
    ...row,
    started_at: row.started_at?.toISOString() ?? null,
    completed_at: row.completed_at?.toISOString() ?? null,
    cancel_requested_at: row.cancel_requested_at?.toISOString() ?? null,
    created: row.created.toISOString(),
    modified: row.modified.toISOString(),
  };
}

/** Read access to collection runs (of providers the caller can see). Runs are created only by a provider's collect action. */
@Injectable()
export class CollectionRunsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<CollectionRunDto>> {
    const where = await this.visible(actor, query.params);
    return runList(this.db, query, { select: SELECT, from: FROM, where, map: toCollectionRunDto });
  }

  async get(actor: Actor, id: string): Promise<CollectionRunDto> {
    const params = new SqlParams();
    const where = [`cr.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const sql = `SELECT ${SELECT} FROM ${FROM} WHERE ${where.join(' AND ')}`;
    return toCollectionRunDto(
      await queryOne<RunRow>(this.db, sql, params.values, `Collection run ${id} not found.`),
    );
  }

  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'provider.view', params, {
      organization: 'p.organization_id',
      provider: 'cr.provider_id',
    });
  }
}
