import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, ForbiddenError, ValidationFailedError } from '../common/errors.js';
import { inTransactionUnique } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { AccessService } from '../rbac/access.service.js';
import { PERMISSIONS_BY_CONTENT_TYPE, type ContentType, type Permission } from '../rbac/permissions.js';
import { ActivityService, diffFields } from './activity.service.js';
import type {
  CreateRoleDefinitionDto,
  RoleDefinitionDto,
  UpdateRoleDefinitionDto,
} from './dto/platform.dto.js';

const SELECT = `rd.id, rd.name, rd.description, rd.permissions, rd.content_type, rd.managed, rd.created, rd.modified`;

/** Global roles may hold any permission; object roles only those that make sense on the object. */
function checkPermissions(contentType: string | null, permissions: string[]): void {
  if (contentType === null) return;
  const allowed = PERMISSIONS_BY_CONTENT_TYPE[contentType as ContentType];
  const wrong = permissions.filter((p) => !allowed.includes(p as Permission));
  if (wrong.length) {
    throw new ValidationFailedError({
      permissions: [`Not applicable to a ${contentType} role: ${wrong.join(', ')}.`],
    });
  }
}

@Injectable()
export class RoleDefinitionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
  ) {}

  list(query: ParsedListQuery): Promise<Page<RoleDefinitionDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: 'role_definitions rd',
      map: (r: RoleDefinitionDto) => r,
    });
  }

  get(id: number, manager: EntityManager = this.db.manager): Promise<RoleDefinitionDto> {
    return queryOne(
      manager,
      `SELECT ${SELECT} FROM role_definitions rd WHERE rd.id = $1`,
      [id],
      `Role definition ${id} not found.`,
    );
  }

  /** Superusers, and organization admins (for roles on objects, not global ones). */
  async create(actor: Actor, dto: CreateRoleDefinitionDto): Promise<RoleDefinitionDto> {
    if (!actor.isSuperuser) {
      const adminSomewhere = (await this.access.scope(actor, 'organization.change')).organizations.length > 0;
      if (!adminSomewhere)
        throw new ForbiddenError('Only superusers and organization admins can create role definitions.');
      if (dto.content_type === null) throw new ForbiddenError('Only a superuser can create global roles.');
    }
    checkPermissions(dto.content_type, dto.permissions);
    return this.write(async (manager) => {
      const rows = await manager.query<{ id: number }[]>(
        `INSERT INTO role_definitions (name, description, permissions, content_type, managed) VALUES ($1, $2, $3, $4, false) RETURNING id`,
        [dto.name, dto.description ?? '', dto.permissions, dto.content_type],
      );
      const role = await this.get(rows[0].id, manager);
      await this.activity.record(manager, actor, {
        operation: 'create',
        objectType: 'role_definition',
        objectId: role.id,
        objectRepr: role.name,
        organizationId: null,
        changes: diffFields(
          {},
          { name: role.name, permissions: role.permissions, content_type: role.content_type },
        ),
      });
      return role;
    });
  }

  update(actor: Actor, id: number, dto: UpdateRoleDefinitionDto): Promise<RoleDefinitionDto> {
    this.access.requireSuperuser(actor, 'Only a superuser can change role definitions.');
    return this.write(async (manager) => {
      const before = await this.get(id, manager);
      if (before.managed)
        throw new ConflictError(`"${before.name}" is a managed role and cannot be changed.`);
      const permissions = dto.permissions ?? before.permissions;
      checkPermissions(before.content_type, permissions);
      await manager.query(
        `UPDATE role_definitions SET name = $2, description = $3, permissions = $4, modified = now() WHERE id = $1`,
        [id, dto.name ?? before.name, dto.description ?? before.description, permissions],
      );
      const after = await this.get(id, manager);
      await this.activity.record(manager, actor, {
        operation: 'update',
        objectType: 'role_definition',
        objectId: id,
        objectRepr: after.name,
        organizationId: null,
        changes: diffFields(
          { name: before.name, description: before.description, permissions: before.permissions },
          { name: after.name, description: after.description, permissions: after.permissions },
        ),
      });
      return after;
    });
  }

  async remove(actor: Actor, id: number): Promise<void> {
    this.access.requireSuperuser(actor, 'Only a superuser can delete role definitions.');
    await this.db.transaction(async (manager) => {
      const role = await this.get(id, manager);
      if (role.managed) throw new ConflictError(`"${role.name}" is a managed role and cannot be deleted.`);
      await manager.query(`DELETE FROM role_definitions WHERE id = $1`, [id]);
      await this.activity.record(manager, actor, {
        operation: 'delete',
        objectType: 'role_definition',
        objectId: id,
        objectRepr: role.name,
        organizationId: null,
      });
    });
  }

  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return inTransactionUnique(
      this.db,
      work,
      () => new ValidationFailedError({ name: ['A role definition with this name already exists.'] }),
    );
  }
}
