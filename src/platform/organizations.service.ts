import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import { inTransactionUnique } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { AccessService } from '../rbac/access.service.js';
import { ActivityService, diffFields, recordActivity, SYSTEM_ACTOR } from './activity.service.js';
import type { CreateOrganizationDto, OrganizationDto, UpdateOrganizationDto } from './dto/platform.dto.js';

const SELECT = `o.id, o.name, o.description, o.ansible_id, o.created, o.modified`;

@Injectable()
export class OrganizationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
  ) {}

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<OrganizationDto>> {
    const scope = await this.access.scope(actor, 'organization.view');
    const visible = this.access.scopeCondition(scope, query.params, { organization: 'o.id' });
    return runList(this.db, query, {
      select: SELECT,
      from: 'organizations o',
      where: visible ? [visible] : [],
      map: (r: OrganizationDto) => r,
    });
  }

  /** 404 unless the caller can see the organization. */
  async get(actor: Actor, id: number, manager: EntityManager = this.db.manager): Promise<OrganizationDto> {
    const params = new SqlParams();
    const idParam = params.add(id);
    const visible = this.access.scopeCondition(await this.access.scope(actor, 'organization.view'), params, {
      organization: 'o.id',
    });
    const rows = await manager.query<OrganizationDto[]>(
      `SELECT ${SELECT} FROM organizations o WHERE o.id = ${idParam} ${visible ? `AND ${visible}` : ''}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`Organization ${id} not found.`);
    return rows[0];
  }

  create(actor: Actor, dto: CreateOrganizationDto): Promise<OrganizationDto> {
    this.access.requireSuperuser(actor, 'Only a superuser can create organizations.');
    return this.write(async (manager) => {
      const rows = await manager.query<{ id: number }[]>(
        `INSERT INTO organizations (name, description) VALUES ($1, $2) RETURNING id`,
        [dto.name, dto.description ?? ''],
      );
      const created = await this.get(actor, rows[0].id, manager);
      await this.activity.record(manager, actor, {
        operation: 'create',
        objectType: 'organization',
        objectId: created.id,
        objectRepr: created.name,
        organizationId: created.id,
        changes: diffFields({}, { name: created.name, description: created.description }),
      });
      return created;
    });
  }

  /**
   * The organization a write names by id or name; absent, the one the caller belongs to
   * (superusers: the one that exists) when there is exactly one. A 400 on `field` otherwise.
   */
  async resolveRef(
    actor: Actor,
    ref: number | string | undefined,
    manager: EntityManager = this.db.manager,
    field = 'organization',
  ): Promise<number> {
    if (typeof ref === 'number') return ref;
    if (typeof ref === 'string') {
      if (/^\d{1,9}$/.test(ref)) return Number(ref);
      const rows = await manager.query<{ id: number }[]>(`SELECT id FROM organizations WHERE name = $1`, [
        ref,
      ]);
      if (!rows[0]) throw new ValidationFailedError({ [field]: [`No organization is named "${ref}".`] });
      return rows[0].id;
    }
    // Membership as /organizations/{id}/users/ counts it: a role on the organization or on one of its teams.
    const rows = await manager.query<{ id: number }[]>(
      actor.isSuperuser
        ? `SELECT id FROM organizations ORDER BY id LIMIT 2`
        : `SELECT DISTINCT o.id FROM organizations o JOIN role_assignments ra ON ra.user_id = $1 AND (
             (ra.object_type = 'organization' AND ra.object_id = o.id::text)
             OR (ra.object_type = 'team' AND ra.object_id IN (SELECT t.id::text FROM teams t WHERE t.organization_id = o.id)))
           ORDER BY o.id LIMIT 2`,
      actor.isSuperuser ? [] : [actor.id],
    );
    if (rows.length === 1) return rows[0].id;
    throw new ValidationFailedError({
      [field]: [
        rows.length === 0
          ? `${field} is required (you belong to no organization).`
          : `${field} is required: you belong to several organizations (give an id or a name).`,
      ],
    });
  }

  /**
   * The organization named `name`, created (and recorded as done by `system`) when it does
   * not exist yet: for settings that name one, such as FACTS_ANONYMOUS_ORGANIZATION.
   */
  async ensureNamed(name: string, description: string): Promise<{ id: number; created: boolean }> {
    return this.db.transaction(async (manager) => {
      const inserted = await manager.query<{ id: number }[]>(
        `INSERT INTO organizations (name, description) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id`,
        [name, description],
      );
      if (inserted[0]) {
        await recordActivity(manager, SYSTEM_ACTOR, {
          operation: 'create',
          objectType: 'organization',
          objectId: inserted[0].id,
          objectRepr: name,
          organizationId: inserted[0].id,
          changes: diffFields({}, { name, description }),
        });
        return { id: inserted[0].id, created: true };
      }
      const [existing] = await manager.query<{ id: number }[]>(
        `SELECT id FROM organizations WHERE name = $1`,
        [name],
      );
      return { id: existing.id, created: false };
    });
  }

  update(actor: Actor, id: number, dto: UpdateOrganizationDto): Promise<OrganizationDto> {
    return this.write(async (manager) => {
      const before = await this.get(actor, id, manager);
      await this.access.require(actor, 'organization.change', { organizationId: id });
      await manager.query(
        `UPDATE organizations SET name = $2, description = $3, modified = now() WHERE id = $1`,
        [id, dto.name ?? before.name, dto.description ?? before.description],
      );
      const after = await this.get(actor, id, manager);
      await this.activity.record(manager, actor, {
        operation: 'update',
        objectType: 'organization',
        objectId: id,
        objectRepr: after.name,
        organizationId: id,
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
      const org = await this.get(actor, id, manager);
      this.access.requireSuperuser(actor, 'Only a superuser can delete organizations.');
      const providers = await manager.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM providers WHERE organization_id = $1`,
        [id],
      );
      if (providers[0].n > 0) {
        throw new ConflictError(
          `Organization "${org.name}" still has ${providers[0].n} provider(s); delete or move them first.`,
        );
      }
      await manager.query(
        `DELETE FROM role_assignments WHERE object_type = 'organization' AND object_id = $1`,
        [String(id)],
      );
      await manager.query(
        `DELETE FROM role_assignments WHERE object_type = 'team' AND object_id IN (SELECT id::text FROM teams WHERE organization_id = $1)`,
        [id],
      );
      await manager.query(`DELETE FROM organizations WHERE id = $1`, [id]);
      await this.activity.record(manager, actor, {
        operation: 'delete',
        objectType: 'organization',
        objectId: id,
        objectRepr: org.name,
        organizationId: null,
      });
    });
  }

  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return inTransactionUnique(
      this.db,
      work,
      () => new ValidationFailedError({ name: ['An organization with this name already exists.'] }),
    );
  }
}
