import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { NotFoundError, ValidationFailedError } from '../common/errors.js';
import { inTransactionUnique } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { modifyReturning } from '../database/modify-returning.js';
import { AccessService } from '../rbac/access.service.js';
import { ActivityService, diffFields } from './activity.service.js';
import type { CreateTeamDto, TeamDto, UpdateTeamDto, UserDto } from './dto/platform.dto.js';
import { OrganizationsService } from './organizations.service.js';
import { grantableUser, USER_SELECT, toUserDto } from './users.service.js';

const SELECT = `t.id, t.name, t.description, t.organization_id AS organization, o.name AS organization_name, t.ansible_id, t.created, t.modified`;
const FROM = `teams t JOIN organizations o ON o.id = t.organization_id`;

@Injectable()
export class TeamsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
    private readonly organizations: OrganizationsService,
  ) {}

  async list(actor: Actor, query: ParsedListQuery, organizationId?: number): Promise<Page<TeamDto>> {
    if (organizationId !== undefined) await this.organizations.get(actor, organizationId);
    const where = await this.visible(actor, query.params);
    if (organizationId !== undefined) where.push(`t.organization_id = ${query.params.add(organizationId)}`);
    return runList(this.db, query, { select: SELECT, from: FROM, where, map: (r: TeamDto) => r });
  }

  async get(actor: Actor, id: number, manager: EntityManager = this.db.manager): Promise<TeamDto> {
    const params = new SqlParams();
    const where = [`t.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await manager.query<TeamDto[]>(
      `SELECT ${SELECT} FROM ${FROM} WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`Team ${id} not found.`);
    return rows[0];
  }

  create(actor: Actor, dto: CreateTeamDto): Promise<TeamDto> {
    return this.write(async (manager) => {
      await this.organizations.get(actor, dto.organization, manager).catch(() => {
        throw new ValidationFailedError({
          organization: [`Organization ${dto.organization} does not exist.`],
        });
      });
      await this.access.require(
        actor,
        'team.add',
        { organizationId: dto.organization },
        'You cannot create teams in this organization.',
      );
      const rows = await manager.query<{ id: number }[]>(
        `INSERT INTO teams (name, organization_id, description) VALUES ($1, $2, $3) RETURNING id`,
        [dto.name, dto.organization, dto.description ?? ''],
      );
      const team = await this.get(actor, rows[0].id, manager);
      await this.activity.record(manager, actor, {
        operation: 'create',
        objectType: 'team',
        objectId: team.id,
        objectRepr: team.name,
        organizationId: team.organization,
        changes: diffFields(
          {},
          { name: team.name, organization: team.organization, description: team.description },
        ),
      });
      return team;
    });
  }

  update(actor: Actor, id: number, dto: UpdateTeamDto): Promise<TeamDto> {
    return this.write(async (manager) => {
      const before = await this.get(actor, id, manager);
      await this.requireOnTeam(actor, 'team.change', before);
      await manager.query(`UPDATE teams SET name = $2, description = $3, modified = now() WHERE id = $1`, [
        id,
        dto.name ?? before.name,
        dto.description ?? before.description,
      ]);
      const after = await this.get(actor, id, manager);
      await this.activity.record(manager, actor, {
        operation: 'update',
        objectType: 'team',
        objectId: id,
        objectRepr: after.name,
        organizationId: after.organization,
        changes: diffFields(
          { name: before.name, description: before.description },
          { name: after.name, description: after.description },
        ),
      });
      return after;
    });
  }

  async remove(actor: Actor, id: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const team = await this.get(actor, id, manager);
      await this.requireOnTeam(actor, 'team.delete', team);
      await manager.query(`DELETE FROM role_assignments WHERE object_type = 'team' AND object_id = $1`, [
        String(id),
      ]);
      await manager.query(`DELETE FROM teams WHERE id = $1`, [id]);
      await this.activity.record(manager, actor, {
        operation: 'delete',
        objectType: 'team',
        objectId: id,
        objectRepr: team.name,
        organizationId: team.organization,
      });
    });
  }

  async members(actor: Actor, id: number, query: ParsedListQuery): Promise<Page<UserDto>> {
    await this.get(actor, id);
    return runList(this.db, query, {
      select: USER_SELECT,
      from: 'users u',
      where: [
        `u.id IN (SELECT ra.user_id FROM role_assignments ra JOIN role_definitions rd ON rd.id = ra.role_definition_id
          WHERE ra.object_type = 'team' AND ra.object_id = ${query.params.add(String(id))} AND 'team.member' = ANY(rd.permissions))`,
      ],
      map: toUserDto,
    });
  }

  async addMember(actor: Actor, id: number, userId: number, admin: boolean): Promise<void> {
    await this.db.transaction(async (manager) => {
      const team = await this.get(actor, id, manager);
      await this.requireOnTeam(actor, 'team.change', team);
      const users = await manager.query<{ username: string }[]>(`SELECT username FROM users WHERE id = $1`, [
        userId,
      ]);
      if (!users[0] || !(await grantableUser(this.access, manager, actor, userId)))
        throw new ValidationFailedError({ user: [`User ${userId} does not exist.`] });
      const roles = await manager.query<{ name: string; permissions: string[] }[]>(
        `SELECT name, permissions FROM role_definitions WHERE name = $1`,
        [admin ? 'Team Admin' : 'Team Member'],
      );
      await this.access.requireHoldsRole(actor, roles[0], {
        teamId: team.id,
        organizationId: team.organization,
      });
      await manager.query(
        `INSERT INTO role_assignments (role_definition_id, user_id, object_type, object_id, source, created_by_id)
         SELECT id, $1, 'team', $2, 'local', $3 FROM role_definitions WHERE name = $4 ON CONFLICT DO NOTHING`,
        [userId, String(id), actor.id, admin ? 'Team Admin' : 'Team Member'],
      );
      await this.activity.record(manager, actor, {
        operation: 'add_member',
        objectType: 'team',
        objectId: id,
        objectRepr: team.name,
        organizationId: team.organization,
        changes: { member: [null, users[0].username], role: [null, admin ? 'Team Admin' : 'Team Member'] },
      });
    });
  }

  async removeMember(actor: Actor, id: number, userId: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const team = await this.get(actor, id, manager);
      await this.requireOnTeam(actor, 'team.change', team);
      const removed = await modifyReturning<{ id: number }>(
        manager,
        `DELETE FROM role_assignments ra USING role_definitions rd
         WHERE rd.id = ra.role_definition_id AND ra.user_id = $1 AND ra.object_type = 'team' AND ra.object_id = $2
           AND 'team.member' = ANY(rd.permissions) RETURNING ra.id`,
        [userId, String(id)],
      );
      if (removed.length === 0) throw new NotFoundError(`User ${userId} is not a member of team ${id}.`);
      await this.activity.record(manager, actor, {
        operation: 'remove_member',
        objectType: 'team',
        objectId: id,
        objectRepr: team.name,
        organizationId: team.organization,
        changes: { member: [userId, null] },
      });
    });
  }

  /** Team permissions come from a role on the team or on its organization. */
  private requireOnTeam(
    actor: Actor,
    permission: 'team.change' | 'team.delete',
    team: TeamDto,
  ): Promise<void> {
    return this.access.require(actor, permission, { teamId: team.id, organizationId: team.organization });
  }

  private async visible(actor: Actor, params: SqlParams): Promise<string[]> {
    const scope = await this.access.scope(actor, 'team.view');
    const condition = this.access.scopeCondition(scope, params, {
      organization: 't.organization_id',
      team: 't.id',
    });
    return condition ? [condition] : [];
  }

  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return inTransactionUnique(
      this.db,
      work,
      () =>
        new ValidationFailedError({ name: ['A team with this name already exists in the organization.'] }),
    );
  }
}
