import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { AuthenticationService } from '../auth/authentication.service.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import { inTransactionUnique } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { AccessService } from '../rbac/access.service.js';
import { ActivityService, diffFields } from './activity.service.js';
import type { CreateUserDto, UpdateUserDto, UserDto } from './dto/platform.dto.js';

export const USER_SELECT = `u.id, u.username, u.email, u.first_name, u.last_name, u.is_superuser, u.is_platform_auditor,
  u.is_active, u.ansible_id, u.last_login, u.created, u.modified`;

export interface UserRow extends Omit<UserDto, 'managed_by_gateway' | 'last_login' | 'created' | 'modified'> {
  ansible_id: string | null;
  last_login: Date | null;
  created: Date;
  modified: Date;
}

/** The response shape: never the password hash. */
export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    is_superuser: row.is_superuser,
    is_platform_auditor: row.is_platform_auditor,
    is_active: row.is_active,
    managed_by_gateway: row.ansible_id !== null,
    ansible_id: row.ansible_id,
    last_login: row.last_login?.toISOString() ?? null,
    created: row.created.toISOString(),
    modified: row.modified.toISOString(),
  };
}

const PUBLIC_FIELDS = (u: UserDto) => ({
  username: u.username,
  email: u.email,
  first_name: u.first_name,
  last_name: u.last_name,
  is_superuser: u.is_superuser,
  is_active: u.is_active,
});

/**
 * Whether a grant may name this user (role_user_assignments, team members) without the
 * answer revealing a user of another organization: superusers may name anyone; others
 * themselves, users they can see (a role in an organization they can see), and users in
 * no organization yet (new accounts). False also when the user does not exist.
 */
export async function grantableUser(
  access: AccessService,
  manager: EntityManager,
  actor: Actor,
  userId: number,
): Promise<boolean> {
  const scope = await access.scope(actor, 'organization.view');
  const rows = await manager.query<{ ok: boolean }[]>(
    `SELECT ($2 OR u.id = $3
        OR NOT EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = u.id)
        OR u.id IN (SELECT ra.user_id FROM role_assignments ra WHERE ra.user_id IS NOT NULL AND (
             (ra.object_type = 'organization' AND ra.object_id = ANY($4::text[]))
             OR (ra.object_type = 'team' AND ra.object_id IN
                   (SELECT id::text FROM teams WHERE organization_id::text = ANY($4::text[])))))) AS ok
     FROM users u WHERE u.id = $1`,
    [userId, actor.isSuperuser || scope.all, actor.id, scope.organizations.map(String)],
  );
  return rows[0]?.ok === true;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
    private readonly authentication: AuthenticationService,
  ) {}

  async list(actor: Actor, query: ParsedListQuery, organizationId?: number): Promise<Page<UserDto>> {
    const where = await this.visible(actor, query.params);
    if (organizationId !== undefined) {
      const orgText = query.params.add(String(organizationId));
      const org = query.params.add(organizationId);
      where.push(
        `u.id IN (SELECT ra.user_id FROM role_assignments ra WHERE ra.user_id IS NOT NULL AND (
           (ra.object_type = 'organization' AND ra.object_id = ${orgText})
           OR (ra.object_type = 'team' AND ra.object_id IN (SELECT id::text FROM teams WHERE organization_id = ${org}))))`,
      );
    }
    return runList(this.db, query, { select: USER_SELECT, from: 'users u', where, map: toUserDto });
  }

  async get(actor: Actor, id: number, manager: EntityManager = this.db.manager): Promise<UserDto> {
    const params = new SqlParams();
    const where = [`u.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await manager.query<UserRow[]>(
      `SELECT ${USER_SELECT} FROM users u WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`User ${id} not found.`);
    return toUserDto(rows[0]);
  }

  me(actor: Actor): Promise<UserDto> {
    return this.get(actor, actor.id);
  }

  create(actor: Actor, dto: CreateUserDto): Promise<UserDto> {
    this.access.requireSuperuser(actor, 'Only a superuser can create users.');
    return this.write(async (manager) => {
      const rows = await manager.query<{ id: number }[]>(
        `INSERT INTO users (username, password_hash, email, first_name, last_name, is_superuser)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          dto.username,
          await this.authentication.hashPassword(dto.password),
          dto.email ?? '',
          dto.first_name ?? '',
          dto.last_name ?? '',
          dto.is_superuser ?? false,
        ],
      );
      const user = await this.get(actor, rows[0].id, manager);
      await this.activity.record(manager, actor, {
        operation: 'create',
        objectType: 'user',
        objectId: user.id,
        objectRepr: user.username,
        organizationId: null,
        changes: diffFields({}, PUBLIC_FIELDS(user)),
      });
      return user;
    });
  }

  /** Superusers change anyone; others only their own password, email and names. */
  update(actor: Actor, id: number, dto: UpdateUserDto): Promise<UserDto> {
    return this.write(async (manager) => {
      const before = await this.get(actor, id, manager);
      if (!actor.isSuperuser) {
        if (actor.id !== id) throw new ForbiddenError('You can only change your own account.');
        if (dto.is_superuser !== undefined || dto.is_active !== undefined || dto.ansible_id !== undefined) {
          throw new ForbiddenError('Only a superuser can change is_superuser, is_active or ansible_id.');
        }
      }
      const ansibleId =
        dto.ansible_id === undefined ? before.ansible_id : (dto.ansible_id?.toLowerCase() ?? null);
      if (ansibleId !== null && ansibleId !== before.ansible_id) {
        const taken = await manager.query<{ id: number }[]>(
          `SELECT id FROM users WHERE ansible_id = $1::uuid AND id <> $2`,
          [ansibleId, id],
        );
        if (taken[0])
          throw new ValidationFailedError({
            ansible_id: [`User ${taken[0].id} is already linked to this gateway user.`],
          });
      }
      if (ansibleId !== null && dto.password !== undefined) {
        throw new ValidationFailedError({
          password: ['This user signs in through the gateway; it has no local password.'],
        });
      }
      await manager.query(
        `UPDATE users SET email = $2, first_name = $3, last_name = $4, is_superuser = $5, is_active = $6,
           password_hash = coalesce($7, password_hash),
           password_changed_at = CASE WHEN $7::text IS NULL THEN password_changed_at ELSE now() END, ansible_id = $8::uuid, modified = now() WHERE id = $1`,
        [
          id,
          dto.email ?? before.email,
          dto.first_name ?? before.first_name,
          dto.last_name ?? before.last_name,
          dto.is_superuser ?? before.is_superuser,
          dto.is_active ?? before.is_active,
          dto.password === undefined ? null : await this.authentication.hashPassword(dto.password),
          ansibleId,
        ],
      );
      const after = await this.get(actor, id, manager);
      const changes = diffFields(PUBLIC_FIELDS(before), PUBLIC_FIELDS(after));
      if (before.ansible_id !== after.ansible_id) changes.ansible_id = [before.ansible_id, after.ansible_id];
      if (dto.password !== undefined) changes.password = ['$encrypted$', '$encrypted$'];
      await this.activity.record(manager, actor, {
        operation: 'update',
        objectType: 'user',
        objectId: id,
        objectRepr: after.username,
        organizationId: null,
        changes,
      });
      this.authentication.forgetCachedCredentials();
      return after;
    });
  }

  async remove(actor: Actor, id: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const user = await this.get(actor, id, manager);
      this.access.requireSuperuser(actor, 'Only a superuser can delete users.');
      if (id === actor.id) throw new ConflictError('You cannot delete your own account.');
      await manager.query(`DELETE FROM users WHERE id = $1`, [id]);
      await this.activity.record(manager, actor, {
        operation: 'delete',
        objectType: 'user',
        objectId: id,
        objectRepr: user.username,
        organizationId: null,
      });
    });
    this.authentication.forgetCachedCredentials();
  }

  /**
   * Everyone sees themselves; superusers and auditors see everyone; others see the
   * users who hold a role in an organization (or one of its teams) they can see.
   */
  private async visible(actor: Actor, params: SqlParams): Promise<string[]> {
    const scope = await this.access.scope(actor, 'organization.view');
    if (scope.all) return [];
    const me = params.add(actor.id);
    const orgs = params.add(scope.organizations.map(String));
    return [
      `(u.id = ${me} OR u.id IN (SELECT ra.user_id FROM role_assignments ra WHERE ra.user_id IS NOT NULL AND (
         (ra.object_type = 'organization' AND ra.object_id = ANY(${orgs}::text[]))
         OR (ra.object_type = 'team' AND ra.object_id IN (SELECT id::text FROM teams WHERE organization_id::text = ANY(${orgs}::text[]))))))`,
    ];
  }

  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return inTransactionUnique(
      this.db,
      work,
      () => new ValidationFailedError({ username: ['A user with this username already exists.'] }),
    );
  }
}
