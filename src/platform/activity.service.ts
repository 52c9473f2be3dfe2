import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import { SqlParams } from '../common/list/sql-params.js';
import { NotFoundError } from '../common/errors.js';
import type { Page } from '../common/list/page.js';
import { AccessService } from '../rbac/access.service.js';
import type { ActivityEntryDto } from './dto/platform.dto.js';

export interface ActivityRecord {
  operation: string;
  objectType: string;
  objectId: string | number;
  objectRepr: string;
  organizationId: number | null;
  /** {field: [before, after]} with secrets already masked. */
  changes?: Record<string, unknown>;
}

/** Field-by-field differences of two plain objects, as {field: [before, after]}. */
export function diffFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (['modified', 'created'].includes(key)) continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      changes[key] = [before[key] ?? null, after[key] ?? null];
  }
  return changes;
}

/** Who did it when no account did: the command line (`inventory users create`, ...) or the service itself. */
export interface ActivityActor {
  id: number | null;
  username: string;
}
export const CLI_ACTOR: ActivityActor = { id: null, username: 'cli' };
export const SYSTEM_ACTOR: ActivityActor = { id: null, username: 'system' };

/**
 * Appends one entry, in the caller's transaction. The service's writes go through
 * ActivityService.record; the command line, which runs without the Nest application,
 * calls this with CLI_ACTOR.
 */
export async function recordActivity(
  manager: Pick<EntityManager, 'query'>,
  actor: ActivityActor,
  entry: ActivityRecord,
): Promise<void> {
  await manager.query(
    `INSERT INTO activity_stream (actor_id, actor_username, operation, object_type, object_id, object_repr, changes, organization_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      actor.id,
      actor.username,
      entry.operation,
      entry.objectType,
      String(entry.objectId),
      entry.objectRepr.slice(0, 512),
      JSON.stringify(entry.changes ?? {}),
      entry.organizationId,
    ],
  );
}

const SELECT = `a.id, a.created AS timestamp, a.actor_id AS actor, a.actor_username, a.operation, a.object_type, a.object_id,
  a.object_repr, a.changes, a.organization_id AS organization`;

/** The audit trail: every create, update, delete and action, written in the same transaction as the change. */
@Injectable()
export class ActivityService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /**
   * A provider moved to another organization: the entries about it and its collection
   * runs move with it, so members of the old organization no longer read them.
   */
  async moveProvider(manager: EntityManager, providerId: string, organizationId: number): Promise<void> {
    await manager.query(
      `UPDATE activity_stream SET organization_id = $1
       WHERE organization_id IS DISTINCT FROM $1 AND (
         (object_type = 'provider' AND object_id = $2::uuid::text)
         OR (object_type = 'collection_run' AND object_id IN (SELECT id::text FROM collection_runs WHERE provider_id = $2::uuid)))`,
      [organizationId, providerId],
    );
  }

  async record(manager: EntityManager, actor: Actor, entry: ActivityRecord): Promise<void> {
    await recordActivity(manager, actor, entry);
  }

  /** Entries of organizations the caller can see, plus the caller's own actions. */
  async list(actor: Actor, query: ParsedListQuery): Promise<Page<ActivityEntryDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: 'activity_stream a',
      where: await this.visible(actor, query),
      map: (row: ActivityEntryDto) => row,
    });
  }

  async get(actor: Actor, id: string): Promise<ActivityEntryDto> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError(`Activity entry ${id} not found.`);
    const params = new SqlParams();
    const idParam = params.add(id);
    const where = await this.visibleWith(actor, params);
    return queryOne<ActivityEntryDto>(
      this.db,
      `SELECT ${SELECT} FROM activity_stream a WHERE a.id = ${idParam}::bigint ${where ? `AND ${where}` : ''}`,
      params.values,
      `Activity entry ${id} not found.`,
    );
  }

  private async visible(actor: Actor, query: ParsedListQuery): Promise<string[]> {
    const condition = await this.visibleWith(actor, query.params);
    return condition ? [condition] : [];
  }

  private async visibleWith(actor: Actor, params: SqlParams): Promise<string | null> {
    const scope = await this.access.scope(actor, 'organization.view');
    if (scope.all) return null;
    return `(a.actor_id = ${params.add(actor.id)} OR a.organization_id = ANY(${params.add(scope.organizations)}::int[]))`;
  }
}
