import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import { UUID_PATTERN } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { AccessService } from '../rbac/access.service.js';
import { ActivityService } from './activity.service.js';
import { grantableUser } from './users.service.js';
import type { CallerRoleDto, RoleTeamAssignmentDto, RoleUserAssignmentDto } from './dto/platform.dto.js';

type Subject = 'user' | 'team';

interface AssignmentRow {
  id: number;
  role_definition: number;
  role_name: string;
  content_type: string | null;
  object_id: string | null;
  source: string;
  created_by: number | null;
  created: Date;
  user?: number;
  username?: string;
  team?: number;
  team_name?: string;
}

const BASE = `ra.id, ra.role_definition_id AS role_definition, rd.name AS role_name, ra.object_type AS content_type,
  ra.object_id, ra.source, ra.created_by_id AS created_by, ra.created`;
const FROM = {
  user: `role_assignments ra JOIN role_definitions rd ON rd.id = ra.role_definition_id JOIN users u ON u.id = ra.user_id`,
  team: `role_assignments ra JOIN role_definitions rd ON rd.id = ra.role_definition_id JOIN teams tm ON tm.id = ra.team_id`,
};
const SELECT = {
  user: `${BASE}, ra.user_id AS user, u.username`,
  team: `${BASE}, ra.team_id AS team, tm.name AS team_name`,
};

const toDto = (row: AssignmentRow) => ({ ...row, created: row.created.toISOString() });

/**
 * Role assignments to users and to teams. Who may grant: superusers anything; an
 * organization admin roles on the organization and on the teams and providers in it;
 * a team admin the team roles of that team. Global roles: superusers only. Nobody grants
 * more than they hold (AccessService.requireHoldsRole).
 */
@Injectable()
export class RoleAssignmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
  ) {}

  /** The roles a user holds, directly or through the teams it has a role on, with the objects' names. */
  rolesOf(userId: number): Promise<CallerRoleDto[]> {
    return this.db.query<CallerRoleDto[]>(
      `SELECT rd.name AS role, rd.id AS role_definition, ra.object_type, ra.object_id,
         CASE ra.object_type
           WHEN 'organization' THEN (SELECT o.name FROM organizations o WHERE o.id::text = ra.object_id)
           WHEN 'team' THEN (SELECT t.name FROM teams t WHERE t.id::text = ra.object_id)
           WHEN 'provider' THEN (SELECT p.name FROM providers p WHERE p.id::text = ra.object_id)
         END AS object_name,
         ra.team_id AS via_team
       FROM role_assignments ra JOIN role_definitions rd ON rd.id = ra.role_definition_id
       WHERE ra.user_id = $1
          OR ra.team_id IN (SELECT m.object_id::int FROM role_assignments m
                            WHERE m.user_id = $1 AND m.object_type = 'team' AND m.object_id ~ '^[0-9]+$')
       ORDER BY ra.team_id NULLS FIRST, rd.name, ra.object_type, ra.object_id`,
      [userId],
    );
  }

  async list(
    actor: Actor,
    subject: Subject,
    query: ParsedListQuery,
  ): Promise<Page<RoleUserAssignmentDto | RoleTeamAssignmentDto>> {
    return runList(this.db, query, {
      select: SELECT[subject],
      from: FROM[subject],
      where: await this.visible(actor, query.params),
      map: (row: AssignmentRow) => toDto(row) as RoleUserAssignmentDto | RoleTeamAssignmentDto,
    });
  }

  async get(actor: Actor, subject: Subject, id: number, manager: EntityManager = this.db.manager) {
    const params = new SqlParams();
    const where = [
      `ra.id = ${params.add(id)}`,
      `ra.${subject}_id IS NOT NULL`,
      ...(await this.visible(actor, params)),
    ];
    const rows = await manager.query<AssignmentRow[]>(
      `SELECT ${SELECT[subject]} FROM ${FROM[subject]} WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`Role assignment ${id} not found.`);
    return toDto(rows[0]);
  }

  async create(
    actor: Actor,
    subject: Subject,
    body: { role_definition: number; object_id?: string | null; subjectId: number },
  ) {
    return this.db.transaction(async (manager) => {
      const roles = await manager.query<
        { id: number; name: string; content_type: string | null; permissions: string[] }[]
      >(`SELECT id, name, content_type, permissions FROM role_definitions WHERE id = $1`, [
        body.role_definition,
      ]);
      const role = roles[0];
      if (!role)
        throw new ValidationFailedError({
          role_definition: [`Role definition ${body.role_definition} does not exist.`],
        });
      const objectId = body.object_id ?? null;
      if ((role.content_type === null) !== (objectId === null)) {
        throw new ValidationFailedError({
          object_id: [
            role.content_type === null
              ? `"${role.name}" is a global role: omit object_id.`
              : `"${role.name}" is given on a ${role.content_type}: object_id is required.`,
          ],
        });
      }
      if (subject === 'user' && !(await grantableUser(this.access, manager, actor, body.subjectId)))
        throw new ValidationFailedError({ user: [`User ${body.subjectId} does not exist.`] });
      const subjectRows = await manager.query<{ name: string }[]>(
        subject === 'user'
          ? `SELECT username AS name FROM users WHERE id = $1`
          : `SELECT name FROM teams WHERE id = $1`,
        [body.subjectId],
      );
      if (!subjectRows[0])
        throw new ValidationFailedError({
          [subject]: [`${subject === 'user' ? 'User' : 'Team'} ${body.subjectId} does not exist.`],
        });
      const organizationId = await this.requireGrant(actor, manager, role.content_type, objectId);
      if (role.content_type !== null && objectId !== null)
        await this.access.requireHoldsRole(actor, role, {
          organizationId: organizationId ?? undefined,
          teamId: role.content_type === 'team' ? Number(objectId) : undefined,
          providerId: role.content_type === 'provider' ? objectId.toLowerCase() : undefined,
        });
      const inserted = await manager.query<{ id: number }[]>(
        `INSERT INTO role_assignments (role_definition_id, ${subject}_id, object_type, object_id, source, created_by_id)
         VALUES ($1, $2, $3, $4, 'local', $5) ON CONFLICT DO NOTHING RETURNING id`,
        [
          role.id,
          body.subjectId,
          role.content_type,
          objectId === null ? null : normalizeObjectId(role.content_type, objectId),
          actor.id,
        ],
      );
      if (!inserted[0]) throw new ConflictError('This role assignment already exists.');
      await this.activity.record(manager, actor, {
        operation: 'grant',
        objectType: `role_${subject}_assignment`,
        objectId: inserted[0].id,
        objectRepr: `${role.name} → ${subjectRows[0].name}`,
        organizationId,
        changes: {
          role: [null, role.name],
          [subject]: [null, subjectRows[0].name],
          object: [null, objectId],
        },
      });
      return this.get(actor, subject, inserted[0].id, manager);
    });
  }

  async remove(actor: Actor, subject: Subject, id: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const assignment = await this.get(actor, subject, id, manager);
      const organizationId = await this.requireGrant(
        actor,
        manager,
        assignment.content_type,
        assignment.object_id,
      );
      await manager.query(`DELETE FROM role_assignments WHERE id = $1`, [id]);
      await this.activity.record(manager, actor, {
        operation: 'revoke',
        objectType: `role_${subject}_assignment`,
        objectId: id,
        objectRepr: `${assignment.role_name} → ${assignment.username ?? assignment.team_name ?? ''}`,
        organizationId,
        changes: { role: [assignment.role_name, null] },
      });
    });
  }

  /** Checks the caller may grant (or revoke) roles on the object; returns the object's organization. */
  private async requireGrant(
    actor: Actor,
    manager: EntityManager,
    contentType: string | null,
    objectId: string | null,
  ): Promise<number | null> {
    if (contentType === null || objectId === null) {
      this.access.requireSuperuser(actor, 'Only a superuser can give or take global roles.');
      return null;
    }
    let organizationId: number;
    let teamId: number | undefined;
    if (contentType === 'organization') {
      organizationId = Number(objectId);
      if (!/^\d+$/.test(objectId) || !(await exists(manager, 'organizations', organizationId)))
        throw notFound(contentType, objectId);
    } else if (contentType === 'team') {
      const rows = /^\d+$/.test(objectId)
        ? await manager.query<{ organization_id: number }[]>(
            `SELECT organization_id FROM teams WHERE id = $1`,
            [Number(objectId)],
          )
        : [];
      if (!rows[0]) throw notFound(contentType, objectId);
      organizationId = rows[0].organization_id;
      teamId = Number(objectId);
    } else {
      const rows = UUID_PATTERN.test(objectId)
        ? await manager.query<{ organization_id: number }[]>(
            `SELECT organization_id FROM providers WHERE id = $1`,
            [objectId],
          )
        : [];
      if (!rows[0]) throw notFound(contentType, objectId);
      organizationId = rows[0].organization_id;
    }
    const orgAdmin = await this.access.can(actor, 'organization.change', { organizationId });
    const teamAdmin =
      teamId !== undefined && (await this.access.can(actor, 'team.change', { teamId, organizationId }));
    if (!orgAdmin && !teamAdmin) throw new ForbiddenError('You cannot manage roles on this object.');
    return organizationId;
  }

  /** Assignments on objects the caller can see, and the caller's own. */
  private async visible(actor: Actor, params: SqlParams): Promise<string[]> {
    const orgScope = await this.access.scope(actor, 'organization.view');
    if (orgScope.all) return [];
    const teamScope = await this.access.scope(actor, 'team.view');
    const providerScope = await this.access.scope(actor, 'provider.view');
    const orgs = params.add(orgScope.organizations.map(String));
    const teamOrgs = params.add(teamScope.organizations);
    const teams = params.add(teamScope.teams.map(String));
    const providerOrgs = params.add(providerScope.organizations);
    const providers = params.add(providerScope.providers);
    return [
      `(ra.user_id = ${params.add(actor.id)}
        OR (ra.object_type = 'organization' AND ra.object_id = ANY(${orgs}::text[]))
        OR (ra.object_type = 'team' AND (ra.object_id = ANY(${teams}::text[])
              OR ra.object_id IN (SELECT id::text FROM teams WHERE organization_id = ANY(${teamOrgs}::int[]))))
        OR (ra.object_type = 'provider' AND (ra.object_id = ANY(${providers}::text[])
              OR ra.object_id IN (SELECT id::text FROM providers WHERE organization_id = ANY(${providerOrgs}::int[])))))`,
    ];
  }
}

function normalizeObjectId(contentType: string | null, objectId: string): string {
  return contentType === 'provider' ? objectId.toLowerCase() : String(Number(objectId));
}

async function exists(manager: EntityManager, table: string, id: number): Promise<boolean> {
  return (await manager.query<unknown[]>(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).length > 0;
}

function notFound(contentType: string, objectId: string) {
  return new ValidationFailedError({ object_id: [`No ${contentType} with id ${objectId}.`] });
}
