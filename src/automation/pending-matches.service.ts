import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { ActivityService } from '../platform/activity.service.js';
import { AccessService } from '../rbac/access.service.js';
import {
  type BulkResolveResultDto,
  type PendingMatchActionDto,
  type PendingMatchDto,
  type PendingMatchRow,
  type ResolveAction,
  toPendingMatchDto,
} from './dto/pending-match.dto.js';

const SELECT = `pm.id, pm.organization_id, pm.record_id, a.job_id, a.job_name, a.host_name, a.smbios_serial, a.bios_uuid,
  a.mac_addresses, a.ip_addresses, a.fqdn, a.hostname, pm.resource_id, r.name AS resource_name,
  t.slug AS resource_type_slug, pm.match_rule, pm.match_confidence, pm.candidate_count, pm.status, pm.resolved_by_id,
  pm.resolved_at, pm.created, pm.modified`;
const FROM = `pending_matches pm JOIN automation_records a ON a.id = pm.record_id
  JOIN resources r ON r.id = pm.resource_id JOIN resource_types t ON t.id = r.resource_type_id`;

/**
 * /pending-matches/: proposals below the auto-match threshold or ambiguous, which a
 * person with automation_record.change confirms or rejects. A decision is remembered per
 * (organization, host name, resource) in automation_host_decisions: a confirmed pair
 * matches later records of the host first, a rejected one is never proposed again.
 */
@Injectable()
export class PendingMatchesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
  ) {}

  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'automation_record.view', params, {
      organization: 'pm.organization_id',
    });
  }

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<PendingMatchDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      where: await this.visible(actor, query.params),
      map: toPendingMatchDto,
    });
  }

  async get(actor: Actor, id: string): Promise<PendingMatchDto> {
    const rows = await this.load(this.db.manager, actor, [id], false);
    if (!rows[0]) throw new NotFoundError(`Pending match ${id} not found.`);
    return toPendingMatchDto(rows[0]);
  }

  private async load(
    manager: EntityManager,
    actor: Actor,
    ids: string[],
    lock: boolean,
  ): Promise<PendingMatchRow[]> {
    const params = new SqlParams();
    const where = [`pm.id = ANY(${params.add(ids)}::uuid[])`, ...(await this.visible(actor, params))];
    return manager.query<PendingMatchRow[]>(
      `SELECT ${SELECT} FROM ${FROM} WHERE ${where.join(' AND ')} ${lock ? 'FOR UPDATE OF pm' : ''}`,
      params.values,
    );
  }

  resolveOne(actor: Actor, id: string, action: ResolveAction): Promise<PendingMatchDto> {
    return this.resolve(actor, [{ pending_match_id: id, action }]).then((result) => result.results[0]);
  }

  /**
   * Decides several pending matches at once, all or nothing: every one must exist, be
   * visible (else 404), be in an organization where the caller holds
   * automation_record.change (else 403) and still be pending (else 409); a record gets
   * at most one confirmation. Confirming one candidate supersedes the record's others.
   */
  async resolve(actor: Actor, actions: PendingMatchActionDto[]): Promise<BulkResolveResultDto> {
    const ids = actions.map((a) => a.pending_match_id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate)
      throw new ValidationFailedError({ actions: [`Pending match ${duplicate} is listed more than once.`] });
    return this.db.transaction(async (manager) => {
      // Records first, in the order POST /automation-records/ writes them (job_id, host_name),
      // then their pending matches: the same lock order as a post, so the two never deadlock.
      await manager.query(
        `SELECT a.id FROM automation_records a
         WHERE a.id IN (SELECT record_id FROM pending_matches WHERE id = ANY($1::uuid[]))
         ORDER BY a.job_id, a.host_name FOR UPDATE`,
        [ids],
      );
      const rows = await this.load(manager, actor, ids, true);
      const byId = new Map(rows.map((row) => [row.id, row]));
      const missing = ids.find((id) => !byId.has(id));
      if (missing) throw new NotFoundError(`Pending match ${missing} not found.`);
      for (const row of rows)
        if (
          !(await this.access.can(actor, 'automation_record.change', { organizationId: row.organization_id }))
        )
          throw new ForbiddenError(
            `You cannot resolve the pending matches of organization ${row.organization_id}.`,
          );
      const decided = rows.find((row) => row.status !== 'pending');
      if (decided)
        throw new ConflictError(`Pending match ${decided.id} is already ${decided.status}.`, {
          status: decided.status,
        });
      const confirms = actions
        .filter((a) => a.action === 'confirm')
        .map((a) => byId.get(a.pending_match_id)!);
      const rejects = actions.filter((a) => a.action === 'reject').map((a) => byId.get(a.pending_match_id)!);
      const confirmedRecords = confirms.map((row) => row.record_id);
      const twice = confirmedRecords.find((id, i) => confirmedRecords.indexOf(id) !== i);
      if (twice)
        throw new ValidationFailedError({
          actions: [`Two candidates of automation record ${twice} are confirmed; a record is one resource.`],
        });
      if (confirms.length > 0) await this.confirm(manager, actor, confirms);
      if (rejects.length > 0) await this.reject(manager, actor, rejects);
      for (const row of [...confirms, ...rejects]) {
        const action = confirms.includes(row) ? 'confirm' : 'reject';
        await this.activity.record(manager, actor, {
          operation: action,
          objectType: 'pending_match',
          objectId: row.id,
          objectRepr: `${row.host_name} → ${row.resource_name}`.slice(0, 512),
          organizationId: row.organization_id,
          changes: {
            status: ['pending', action === 'confirm' ? 'confirmed' : 'rejected'],
            record: row.record_id,
            resource: row.resource_id,
            match_rule: row.match_rule,
            match_confidence: Number(row.match_confidence),
          },
        });
      }
      const after = await this.load(manager, actor, ids, false);
      const order = new Map(ids.map((id, i) => [id, i]));
      after.sort((x, y) => order.get(x.id)! - order.get(y.id)!);
      return { processed: after.length, results: after.map(toPendingMatchDto) };
    });
  }

  /** The record is this resource: the match, the record's other candidates superseded, the pair remembered. */
  private async confirm(manager: EntityManager, actor: Actor, rows: PendingMatchRow[]): Promise<void> {
    const ids = rows.map((row) => row.id);
    await manager.query(
      `UPDATE pending_matches SET status = 'confirmed', resolved_by_id = $2, resolved_at = now(), modified = now()
       WHERE id = ANY($1::uuid[])`,
      [ids, actor.id],
    );
    await manager.query(
      `UPDATE automation_records a SET resource_id = pm.resource_id, match_status = 'confirmed',
         match_rule = pm.match_rule, match_confidence = pm.match_confidence, matched_at = now(), modified = now()
       FROM pending_matches pm WHERE pm.id = ANY($1::uuid[]) AND a.id = pm.record_id`,
      [ids],
    );
    await manager.query(
      `UPDATE pending_matches o SET status = 'superseded', resolved_by_id = $2, resolved_at = now(), modified = now()
       FROM pending_matches pm
       WHERE pm.id = ANY($1::uuid[]) AND o.record_id = pm.record_id AND o.id <> pm.id AND o.status = 'pending'`,
      [ids, actor.id],
    );
    await this.remember(manager, actor, ids, 'confirmed');
  }

  /** The record is not this resource: never proposed again; a record without candidates left is rejected. */
  private async reject(manager: EntityManager, actor: Actor, rows: PendingMatchRow[]): Promise<void> {
    const ids = rows.map((row) => row.id);
    await manager.query(
      `UPDATE pending_matches SET status = 'rejected', resolved_by_id = $2, resolved_at = now(), modified = now()
       WHERE id = ANY($1::uuid[])`,
      [ids, actor.id],
    );
    await manager.query(
      `UPDATE automation_records a SET match_status = 'rejected', resource_id = NULL, matched_at = NULL, modified = now()
       WHERE a.id IN (SELECT record_id FROM pending_matches WHERE id = ANY($1::uuid[]))
         AND a.match_status = 'pending'
         AND NOT EXISTS (SELECT 1 FROM pending_matches o WHERE o.record_id = a.id AND o.status = 'pending')`,
      [ids],
    );
    await this.remember(manager, actor, ids, 'rejected');
  }

  private async remember(
    manager: EntityManager,
    actor: Actor,
    pendingIds: string[],
    decision: 'confirmed' | 'rejected',
  ): Promise<void> {
    await manager.query(
      `INSERT INTO automation_host_decisions (organization_id, host_name, resource_id, decision, decided_by_id)
       SELECT DISTINCT pm.organization_id, a.host_name, pm.resource_id, $2, $3::int
       FROM pending_matches pm JOIN automation_records a ON a.id = pm.record_id
       WHERE pm.id = ANY($1::uuid[])
       ON CONFLICT (organization_id, host_name, resource_id) DO UPDATE SET decision = EXCLUDED.decision,
         decided_by_id = EXCLUDED.decided_by_id, modified = now()`,
      [pendingIds, decision, actor.id],
    );
  }
}
