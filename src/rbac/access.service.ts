import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ForbiddenError } from '../common/errors.js';
import type { SqlParams } from '../common/list/sql-params.js';
import type { Permission } from './permissions.js';

/**
 * Where a caller holds one permission: everywhere (superuser, or a global role such as
 * Platform Auditor), or on these organizations, teams and providers. Given directly
 * or through a team the caller is a member of.
 */
export interface Scope {
  all: boolean;
  organizations: number[];
  teams: number[];
  providers: string[];
}

/** Columns an object-scoped query can be matched on. */
export interface ScopeColumns {
  organization?: string;
  team?: string;
  provider?: string;
}

/**
 * RBAC decisions. Lists ask for a Scope once per request and turn it into one SQL
 * condition (`scopeCondition`), so visibility is decided in the database, never by
 * fetching and filtering. Single-object writes ask `require(...)`.
 */
@Injectable()
export class AccessService {
  /** Per request (the Actor object is new on each request) and permission. */
  private readonly cache = new WeakMap<Actor, Map<Permission, Promise<Scope>>>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  scope(actor: Actor, permission: Permission): Promise<Scope> {
    let perActor = this.cache.get(actor);
    if (!perActor) this.cache.set(actor, (perActor = new Map<Permission, Promise<Scope>>()));
    let scope = perActor.get(permission);
    if (!scope) perActor.set(permission, (scope = this.loadScope(actor, permission)));
    return scope;
  }

  private async loadScope(actor: Actor, permission: Permission): Promise<Scope> {
    if (actor.isSuperuser) return { all: true, organizations: [], teams: [], providers: [] };
    const rows = await this.db.query<{ object_type: string | null; object_id: string | null }[]>(
      `WITH my_teams AS (
         SELECT ra.object_id::int AS team_id
         FROM role_assignments ra JOIN role_definitions rd ON rd.id = ra.role_definition_id
         WHERE ra.user_id = $1 AND ra.object_type = 'team' AND 'team.member' = ANY(rd.permissions)
       )
       SELECT DISTINCT ra.object_type, ra.object_id
       FROM role_assignments ra JOIN role_definitions rd ON rd.id = ra.role_definition_id
       WHERE $2 = ANY(rd.permissions) AND (ra.user_id = $1 OR ra.team_id IN (SELECT team_id FROM my_teams))`,
      [actor.id, permission],
    );
    const scope: Scope = { all: false, organizations: [], teams: [], providers: [] };
    for (const row of rows) {
      if (row.object_type === null) scope.all = true;
      else if (row.object_type === 'organization') scope.organizations.push(Number(row.object_id));
      else if (row.object_type === 'team') scope.teams.push(Number(row.object_id));
      else if (row.object_type === 'provider') scope.providers.push(String(row.object_id));
    }
    return scope;
  }

  /**
   * The SQL condition "this row is inside the scope", or null when everything is.
   * A permission on an organization covers the teams and providers in it.
   */
  scopeCondition(scope: Scope, params: SqlParams, columns: ScopeColumns): string | null {
    if (scope.all) return null;
    const parts: string[] = [];
    if (columns.organization && scope.organizations.length)
      parts.push(`${columns.organization} = ANY(${params.add(scope.organizations)}::int[])`);
    if (columns.team && scope.teams.length)
      parts.push(`${columns.team} = ANY(${params.add(scope.teams)}::int[])`);
    if (columns.provider && scope.providers.length)
      parts.push(`${columns.provider} = ANY(${params.add(scope.providers)}::uuid[])`);
    return parts.length ? `(${parts.join(' OR ')})` : 'false';
  }

  /**
   * The WHERE conditions limiting rows to what the caller holds `permission` on
   * (an empty list when it holds it everywhere), for services to add to their queries.
   */
  async visibleWhere(
    actor: Actor,
    permission: Permission,
    params: SqlParams,
    columns: ScopeColumns,
  ): Promise<string[]> {
    const condition = this.scopeCondition(await this.scope(actor, permission), params, columns);
    return condition ? [condition] : [];
  }

  async can(
    actor: Actor,
    permission: Permission,
    object: { organizationId?: number; teamId?: number; providerId?: string },
  ): Promise<boolean> {
    const scope = await this.scope(actor, permission);
    return (
      scope.all ||
      (object.organizationId !== undefined && scope.organizations.includes(object.organizationId)) ||
      (object.teamId !== undefined && scope.teams.includes(object.teamId)) ||
      (object.providerId !== undefined && scope.providers.includes(object.providerId))
    );
  }

  /** 403 unless the caller holds the permission on the object. */
  async require(
    actor: Actor,
    permission: Permission,
    object: { organizationId?: number; teamId?: number; providerId?: string },
    message?: string,
  ): Promise<void> {
    if (!(await this.can(actor, permission, object))) throw new ForbiddenError(message);
  }

  /**
   * Nobody grants more than they hold: 403 unless the caller holds every permission of
   * the role on the object it is given on. `team.member` is membership, not a power (who
   * may manage members is the caller's check); but membership carries every role given to
   * the team, so granting it needs each of those roles' permissions on their objects too.
   */
  async requireHoldsRole(
    actor: Actor,
    role: { name: string; permissions: string[] },
    object: { organizationId?: number; teamId?: number; providerId?: string },
  ): Promise<void> {
    if (actor.isSuperuser) return;
    const missing = await this.notHeld(actor, role.permissions, object);
    if (missing.length)
      throw new ForbiddenError(
        `You cannot grant "${role.name}": you do not hold ${missing.join(', ')} on its object.`,
      );
    if (object.teamId === undefined || !role.permissions.includes('team.member')) return;
    const carried = await this.db.query<
      {
        name: string;
        permissions: string[];
        object_type: string | null;
        object_id: string | null;
        organization_id: number | null;
      }[]
    >(
      `SELECT rd.name, rd.permissions, ra.object_type, ra.object_id,
         CASE ra.object_type
           WHEN 'organization' THEN ra.object_id::int
           WHEN 'team' THEN (SELECT t.organization_id FROM teams t WHERE t.id::text = ra.object_id)
           WHEN 'provider' THEN (SELECT p.organization_id FROM providers p WHERE p.id::text = ra.object_id)
         END AS organization_id
       FROM role_assignments ra JOIN role_definitions rd ON rd.id = ra.role_definition_id
       WHERE ra.team_id = $1 AND (ra.object_type IS DISTINCT FROM 'organization' OR ra.object_id ~ '^[0-9]+$')`,
      [object.teamId],
    );
    for (const grant of carried) {
      const target =
        grant.object_type === null
          ? {}
          : {
              organizationId: grant.organization_id ?? undefined,
              teamId: grant.object_type === 'team' ? Number(grant.object_id) : undefined,
              providerId: grant.object_type === 'provider' ? String(grant.object_id) : undefined,
            };
      const lacking = await this.notHeld(actor, grant.permissions, target);
      if (lacking.length)
        throw new ForbiddenError(
          `You cannot grant "${role.name}" on this team: its members hold "${grant.name}"` +
            `${grant.object_type === null ? ' globally' : ` on ${grant.object_type} ${grant.object_id}`}, and you do not hold ${lacking.join(', ')} there.`,
        );
    }
  }

  private async notHeld(
    actor: Actor,
    permissions: string[],
    object: { organizationId?: number; teamId?: number; providerId?: string },
  ): Promise<string[]> {
    const missing: string[] = [];
    for (const permission of permissions) {
      if (permission === 'team.member') continue;
      if (!(await this.can(actor, permission as Permission, object))) missing.push(permission);
    }
    return missing;
  }

  /** Superusers only (creating organizations, global roles, ...). */
  requireSuperuser(actor: Actor, message = 'Only a superuser can do this.'): void {
    if (!actor.isSuperuser) throw new ForbiddenError(message);
  }
}
