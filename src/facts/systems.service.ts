import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { AuthThrottle, type ThrottleState } from '../auth/auth-throttle.js';
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationFailedError } from '../common/errors.js';
import { inTransactionUnique } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { modifyReturning } from '../database/modify-returning.js';
import { EventsService } from '../events/events.service.js';
import { ActivityService, diffFields } from '../platform/activity.service.js';
import { AccessService } from '../rbac/access.service.js';
import type { CreateSystemDto, SystemDto, SystemWithSecretDto } from './dto/system.dto.js';
import { generateSystemSecret, hashSystemSecret, verifySystemSecret } from './system-secrets.js';

interface SystemRow {
  id: string;
  name: string;
  description: string;
  organization_id: number;
  organization_name: string;
  system_key: string;
  status: string;
  suspended_at: Date | null;
  last_heartbeat_at: Date | null;
  resource_id: string | null;
  created: Date;
  modified: Date;
}

const SELECT = `sy.id, sy.name, sy.description, sy.organization_id, o.name AS organization_name, sy.system_key, sy.status,
  sy.suspended_at, sy.last_heartbeat_at, sy.resource_id, sy.created, sy.modified`;
const FROM = `systems sy JOIN organizations o ON o.id = sy.organization_id`;

export function toSystemDto(row: SystemRow): SystemDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    organization: row.organization_id,
    organization_name: row.organization_name,
    system_key: row.system_key,
    status: row.status,
    suspended: row.suspended_at !== null,
    suspended_at: row.suspended_at?.toISOString() ?? null,
    last_heartbeat_at: row.last_heartbeat_at?.toISOString() ?? null,
    resource: row.resource_id,
    created: row.created.toISOString(),
    modified: row.modified.toISOString(),
  };
}

/** An authenticated push client. */
export interface SystemPrincipal {
  id: string;
  systemKey: string;
  organizationId: number;
  resourceId: string | null;
  status: string;
}

const KEY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** `SYS-XXXX-XXXX-XXXX-XXXX`: 16 characters of an unambiguous alphabet (80 bits). */
export function generateSystemKey(): string {
  const groups = Array.from({ length: 4 }, () =>
    Array.from({ length: 4 }, () => KEY_ALPHABET[randomInt(KEY_ALPHABET.length)]).join(''),
  );
  return `SYS-${groups.join('-')}`;
}

const auditFields = (s: SystemDto) => ({
  name: s.name,
  description: s.description,
  organization: s.organization,
  system_key: s.system_key,
});

/**
 * Systems: push clients with their own credentials. The secret is generated, shown once
 * and stored as its SHA-256 (see system-secrets.ts for why not scrypt) (create, regenerate-secret); lists and reads need
 * `system.view`, writes `system.add` / `system.change` on the organization.
 */
@Injectable()
export class SystemsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly throttle: AuthThrottle,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
    private readonly events: EventsService,
  ) {}

  /**
   * A provider moved to another organization: systems of other organizations that were
   * linked to one of its hosts are unlinked (a system stays in its own organization; its
   * next push finds or creates its host there), so none points into the new organization.
   */
  async moveProvider(manager: EntityManager, providerId: string, organizationId: number): Promise<void> {
    await manager.query(
      `UPDATE systems s SET resource_id = NULL, modified = now() FROM resources r
       WHERE r.id = s.resource_id AND r.provider_id = $1 AND s.organization_id <> $2`,
      [providerId, organizationId],
    );
  }

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<SystemDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      countFrom: 'systems sy',
      where: await this.visible(actor, query.params),
      map: toSystemDto,
    });
  }

  async get(actor: Actor, id: string, manager: EntityManager = this.db.manager): Promise<SystemDto> {
    const params = new SqlParams();
    const where = [`sy.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await manager.query<SystemRow[]>(
      `SELECT ${SELECT} FROM ${FROM} WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`System ${id} not found.`);
    return toSystemDto(rows[0]);
  }

  async create(actor: Actor, dto: CreateSystemDto): Promise<SystemWithSecretDto> {
    const orgs = await this.db.query<{ id: number }[]>(`SELECT id FROM organizations WHERE id = $1`, [
      dto.organization,
    ]);
    const visible =
      orgs.length > 0 &&
      ((await this.access.can(actor, 'organization.view', { organizationId: dto.organization })) ||
        (await this.access.can(actor, 'system.view', { organizationId: dto.organization })));
    if (!visible)
      throw new ValidationFailedError({ organization: [`Organization ${dto.organization} does not exist.`] });
    await this.access.require(
      actor,
      'system.add',
      { organizationId: dto.organization },
      'You cannot add systems to this organization.',
    );
    const secret = generateSystemSecret();
    const secretHash = hashSystemSecret(secret);
    return inTransactionUnique(
      this.db,
      async (manager) => {
        const rows = await manager.query<{ id: string }[]>(
          `INSERT INTO systems (name, description, organization_id, system_key, secret_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [dto.name, dto.description ?? '', dto.organization, generateSystemKey(), secretHash],
        );
        const created = await this.get(actor, rows[0].id, manager);
        await this.events.append(manager, [
          {
            type: 'system.enrolled',
            organizationId: dto.organization,
            systemId: created.id,
            payload: { name: created.name, system_key: created.system_key },
          },
        ]);
        await this.activity.record(manager, actor, {
          operation: 'create',
          objectType: 'system',
          objectId: created.id,
          objectRepr: created.name,
          organizationId: created.organization,
          changes: diffFields({}, auditFields(created)),
        });
        return { ...created, secret };
      },
      () =>
        new ValidationFailedError({ name: ['A system with this name already exists in the organization.'] }),
    );
  }

  async regenerateSecret(actor: Actor, id: string): Promise<SystemWithSecretDto> {
    const secret = generateSystemSecret();
    const secretHash = hashSystemSecret(secret);
    return this.action(actor, id, 'regenerate_secret', `secret_hash = $2`, [secretHash], (s) => ({
      ...s,
      secret,
    }));
  }

  suspend(actor: Actor, id: string): Promise<SystemDto> {
    return this.action(actor, id, 'suspend', `suspended_at = coalesce(suspended_at, now())`, [], (s) => s);
  }

  resume(actor: Actor, id: string): Promise<SystemDto> {
    return this.action(actor, id, 'resume', `suspended_at = NULL`, [], (s) => s);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const system = await this.get(actor, id, manager);
      await this.access.require(actor, 'system.change', { organizationId: system.organization });
      await manager.query(`DELETE FROM systems WHERE id = $1`, [id]);
      await this.activity.record(manager, actor, {
        operation: 'delete',
        objectType: 'system',
        objectId: id,
        objectRepr: system.name,
        organizationId: system.organization,
      });
    });
  }

  private async action<T>(
    actor: Actor,
    id: string,
    operation: string,
    set: string,
    params: unknown[],
    shape: (system: SystemDto) => T,
  ): Promise<T> {
    return this.db.transaction(async (manager) => {
      const before = await this.get(actor, id, manager);
      await this.access.require(actor, 'system.change', { organizationId: before.organization });
      await modifyReturning(
        manager,
        `UPDATE systems SET ${set}, modified = now() WHERE id = $1 RETURNING id`,
        [id, ...params],
      );
      const after = await this.get(actor, id, manager);
      await this.activity.record(manager, actor, {
        operation,
        objectType: 'system',
        objectId: id,
        objectRepr: after.name,
        organizationId: after.organization,
        changes:
          operation === 'regenerate_secret'
            ? { secret: ['$encrypted$', '$encrypted$'] }
            : { suspended: [before.suspended, after.suspended] },
      });
      return shape(after);
    });
  }

  /**
   * Checks `system_key:secret` (HTTP Basic) from `clientAddress`. Unknown key or wrong
   * secret → 401, counted by the failed-authentication throttle; a key (from this
   * address) or an address over its cap → 429 before anything is verified; a suspended
   * system → 403. One read fetches the row and the throttle's state.
   */
  async authenticate(systemKey: string, secret: string, clientAddress: string): Promise<SystemPrincipal> {
    const buckets = this.throttle.buckets('system', systemKey, clientAddress);
    const rows = await this.db.query<
      (ThrottleState & {
        id: string | null;
        organization_id: number;
        resource_id: string | null;
        status: string;
        secret_hash: string | null;
        suspended_at: Date | null;
      })[]
    >(
      `SELECT th.throttle_wait, th.throttle_failures,
              s.id, s.organization_id, s.resource_id, s.status, s.secret_hash, s.suspended_at
       FROM ${this.throttle.stateSql('$2', '$3')} th LEFT JOIN systems s ON s.system_key = $1`,
      [systemKey, buckets.all, buckets.principal],
    );
    const row = rows[0];
    this.throttle.refuseIfLocked('system', row);
    const { ok, upgrade } = await verifySystemSecret(secret, row.secret_hash);
    this.throttle.observe('system', ok ? 'verified' : 'rejected');
    if (row.id === null || row.secret_hash === null || !ok) {
      await this.throttle.recordFailure(buckets);
      throw new UnauthorizedError('Invalid system credentials.');
    }
    await this.throttle.reset(buckets, row);
    if (upgrade)
      // An old scrypt hash: rewritten in the SHA-256 form (unless the secret was regenerated meanwhile).
      await this.db.query(`UPDATE systems SET secret_hash = $2 WHERE id = $1 AND secret_hash = $3`, [
        row.id,
        hashSystemSecret(secret),
        row.secret_hash,
      ]);
    if (row.suspended_at !== null) throw new ForbiddenError('This system is suspended.');
    return {
      id: row.id,
      systemKey,
      organizationId: row.organization_id,
      resourceId: row.resource_id,
      status: row.status,
    };
  }

  private async visible(actor: Actor, params: SqlParams): Promise<string[]> {
    const scope = await this.access.scope(actor, 'system.view');
    const condition = this.access.scopeCondition(scope, params, { organization: 'sy.organization_id' });
    return condition ? [condition] : [];
  }
}
