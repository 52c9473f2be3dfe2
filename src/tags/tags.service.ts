import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ForbiddenError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import { inTransactionUnique } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import type { Queryable } from '../common/list/list-runner.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { EventsService } from '../events/events.service.js';
import { ActivityService, diffFields } from '../platform/activity.service.js';
import { AccessService } from '../rbac/access.service.js';
import { normalizeResourceFilter, resourceFilterConditions } from '../resources/resource-filter.js';
import { ResourcesService } from '../resources/resources.service.js';
import { WatchlistsService } from '../watchlists/watchlists.service.js';
import {
  type BulkResourceTagsDto,
  type BulkResourceTagsResultDto,
  type ChangeResourceTagsDto,
  type CreateTagDto,
  parseTagRef,
  type ResourceTagDto,
  resourceTagsOf,
  type TagDto,
  type TagRow,
  toTagDto,
  type UpdateTagDto,
} from './dto/tag.dto.js';
import {
  assignedPairs,
  lockOrganizationTags,
  missingPairs,
  tagEventsSelect,
  type TagEventType,
  userTagsOf,
} from './resource-tags.sql.js';
import { TAG_RESOURCE_COUNT_SQL } from './tag.list-spec.js';

const SELECT = `t.id, t.organization_id, t.key, t.value, t.color, t.description, ${TAG_RESOURCE_COUNT_SQL}::int AS resource_count,
  t.created, t.modified`;

/** Where a tag change came from (the events' `via`). */
type Via = 'resource' | 'bulk' | 'tag_changed' | 'tag_deleted' | 'provider_moved';

/**
 * User tags: /tags/ (organization-scoped CRUD, tag.*), and their assignment to resources
 * (resource.tag): one resource's set/add/remove, and bulk by a resources filter, all in
 * set-based SQL. Every assignment change is a `resource.tagged` / `resource.untagged`
 * event written in the same transaction (src/tags/resource-tags.sql.ts).
 */
@Injectable()
export class TagsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
    private readonly events: EventsService,
    private readonly resources: ResourcesService,
    private readonly watchlists: WatchlistsService,
  ) {}

  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'tag.view', params, { organization: 't.organization_id' });
  }

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<TagDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: 'tags t',
      where: await this.visible(actor, query.params),
      map: toTagDto,
    });
  }

  async get(actor: Actor, id: string, manager: Queryable = this.db): Promise<TagDto> {
    const params = new SqlParams();
    const where = [`t.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await manager.query<TagRow[]>(
      `SELECT ${SELECT} FROM tags t WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`Tag ${id} not found.`);
    return toTagDto(rows[0]);
  }

  async create(actor: Actor, dto: CreateTagDto): Promise<TagDto> {
    const orgs = await this.db.query<{ id: number }[]>(`SELECT id FROM organizations WHERE id = $1`, [
      dto.organization,
    ]);
    const visible =
      orgs.length > 0 &&
      ((await this.access.can(actor, 'organization.view', { organizationId: dto.organization })) ||
        (await this.access.can(actor, 'tag.view', { organizationId: dto.organization })));
    if (!visible)
      throw new ValidationFailedError({ organization: [`Organization ${dto.organization} does not exist.`] });
    await this.access.require(
      actor,
      'tag.add',
      { organizationId: dto.organization },
      'You cannot add tags to this organization.',
    );
    return inTransactionUnique(
      this.db,
      async (manager) => {
        const rows = await manager.query<{ id: string }[]>(
          `INSERT INTO tags (organization_id, key, value, color, description) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [
            dto.organization,
            dto.key,
            dto.value ?? '',
            dto.color?.toLowerCase() ?? null,
            dto.description ?? '',
          ],
        );
        const created = await this.get(actor, rows[0].id, manager);
        await this.activity.record(manager, actor, {
          operation: 'create',
          objectType: 'tag',
          objectId: created.id,
          objectRepr: created.name,
          organizationId: created.organization,
          changes: diffFields({}, audit(created)),
        });
        return created;
      },
      () => duplicate(dto.key, dto.value ?? ''),
    );
  }

  /** A new key or value renames the tag on every resource: each is untagged from the old name and tagged with the new. */
  async update(actor: Actor, id: string, dto: UpdateTagDto): Promise<TagDto> {
    const before = await this.get(actor, id);
    await this.access.require(actor, 'tag.change', { organizationId: before.organization });
    if (dto.organization !== undefined && dto.organization !== before.organization)
      throw new ValidationFailedError({ organization: ['A tag cannot move to another organization.'] });
    const key = dto.key ?? before.key;
    const value = dto.value ?? before.value;
    const renamed = key !== before.key || value !== before.value;
    return inTransactionUnique(
      this.db,
      async (manager) => {
        await lockOrganizationTags(manager, before.organization);
        const carriers = `SELECT x.resource_id, x.tag_id FROM resource_tags x WHERE x.tag_id = $1`;
        if (renamed)
          await this.appendTagEvents(manager, 'resource.untagged', carriers, [id], 'tag_changed', actor);
        await manager.query(
          `UPDATE tags SET key = $2, value = $3, color = CASE WHEN $4 THEN $5 ELSE color END,
             description = coalesce($6, description), modified = now()
           WHERE id = $1`,
          [
            id,
            key,
            value,
            dto.color !== undefined,
            dto.color?.toLowerCase() ?? null,
            dto.description ?? null,
          ],
        );
        if (renamed) {
          await this.appendTagEvents(manager, 'resource.tagged', carriers, [id], 'tag_changed', actor);
          await this.watchlists.tagsChanged(manager, before.organization, null, actor.username);
        }
        const after = await this.get(actor, id, manager);
        await this.activity.record(manager, actor, {
          operation: 'update',
          objectType: 'tag',
          objectId: id,
          objectRepr: after.name,
          organizationId: after.organization,
          changes: diffFields(audit(before), audit(after)),
        });
        return after;
      },
      () => duplicate(key, value),
    );
  }

  /** Deletes the tag; every resource that carried it is untagged (events in the same transaction). */
  async remove(actor: Actor, id: string): Promise<void> {
    const tag = await this.get(actor, id);
    await this.access.require(actor, 'tag.delete', { organizationId: tag.organization });
    await this.db.transaction(async (manager) => {
      await lockOrganizationTags(manager, tag.organization);
      await this.appendTagEvents(
        manager,
        'resource.untagged',
        `SELECT x.resource_id, x.tag_id FROM resource_tags x WHERE x.tag_id = $1`,
        [id],
        'tag_deleted',
        actor,
      );
      await manager.query(`DELETE FROM tags WHERE id = $1`, [id]);
      await this.watchlists.tagsChanged(manager, tag.organization, null, actor.username);
      await this.activity.record(manager, actor, {
        operation: 'delete',
        objectType: 'tag',
        objectId: id,
        objectRepr: tag.name,
        organizationId: tag.organization,
      });
    });
  }

  /** Both kinds of tags of a resource the caller can see. */
  async resourceTags(actor: Actor, resourceId: string, db: Queryable = this.db): Promise<ResourceTagDto[]> {
    const target = await this.resources.tagTarget(actor, resourceId);
    return resourceTagsOf(target.providerTags, (await userTagsOf(db, [resourceId])).get(resourceId) ?? []);
  }

  /** `set`, or `add` and/or `remove`, on one resource (resource.tag on its organization or provider). */
  async changeResourceTags(
    actor: Actor,
    resourceId: string,
    dto: ChangeResourceTagsDto,
  ): Promise<ResourceTagDto[]> {
    if (dto.set !== undefined && (dto.add !== undefined || dto.remove !== undefined))
      throw new ValidationFailedError({ set: ['Send either set, or add and/or remove, not both.'] });
    if (dto.set === undefined && dto.add === undefined && dto.remove === undefined)
      throw new ValidationFailedError({ add: ['Send set, add or remove.'] });
    const target = await this.resources.tagTarget(actor, resourceId);
    await this.access.require(
      actor,
      'resource.tag',
      { organizationId: target.organizationId, providerId: target.providerId },
      'You cannot tag this resource.',
    );
    return this.db.transaction(async (manager) => {
      await lockOrganizationTags(manager, target.organizationId);
      const org = target.organizationId;
      const where: Where = (params) => Promise.resolve([`r.id = ${params.add(resourceId)}`]);
      if (dto.set !== undefined) {
        const ids = await this.resolve(manager, org, dto.set, 'set');
        await this.untag(
          manager,
          where,
          (p) => `NOT (x.tag_id = ANY(${p.add(ids)}::uuid[]))`,
          'resource',
          actor,
        );
        await this.tag(manager, where, ids, 'resource', actor);
      } else {
        const adding = await this.resolve(manager, org, dto.add ?? [], 'add');
        const removing = await this.resolve(manager, org, dto.remove ?? [], 'remove');
        if (adding.some((id) => removing.includes(id)))
          throw new ValidationFailedError({ remove: ['A tag cannot be both added and removed.'] });
        if (removing.length)
          await this.untag(
            manager,
            where,
            (p) => `x.tag_id = ANY(${p.add(removing)}::uuid[])`,
            'resource',
            actor,
          );
        await this.tag(manager, where, adding, 'resource', actor);
      }
      await this.watchlists.tagsChanged(manager, org, [resourceId], actor.username);
      return resourceTagsOf(
        target.providerTags,
        (await userTagsOf(manager, [resourceId])).get(resourceId) ?? [],
      );
    });
  }

  /**
   * Tags and untags every resource of one organization that a resources filter selects
   * (the list's own filters) and that the caller may see and tag: four statements, whatever
   * the number of resources.
   */
  async bulk(actor: Actor, dto: BulkResourceTagsDto): Promise<BulkResourceTagsResultDto> {
    const filter = normalizeResourceFilter(dto.filter, 'filter');
    if (Object.keys(filter).length === 0)
      throw new ValidationFailedError({
        filter: ['needs at least one parameter (removed=false selects every current resource).'],
      });
    if (!dto.add?.length && !dto.remove?.length)
      throw new ValidationFailedError({ add: ['Send add and/or remove.'] });
    const tagScope = await this.access.scope(actor, 'resource.tag');
    if (
      !tagScope.all &&
      !tagScope.organizations.includes(dto.organization) &&
      tagScope.providers.length === 0
    )
      throw new ForbiddenError('You cannot tag resources of this organization.');
    return this.db.transaction(async (manager) => {
      await lockOrganizationTags(manager, dto.organization);
      const adding = await this.resolve(manager, dto.organization, dto.add ?? [], 'add');
      const removing = await this.resolve(manager, dto.organization, dto.remove ?? [], 'remove');
      if (adding.some((id) => removing.includes(id)))
        throw new ValidationFailedError({ remove: ['A tag cannot be both added and removed.'] });
      const where: Where = async (params) => {
        const taggable = this.access.scopeCondition(tagScope, params, {
          organization: 'r.organization_id',
          provider: 'r.provider_id',
        });
        return [
          `r.organization_id = ${params.add(dto.organization)}`,
          ...(await this.resources.visible(actor, params)),
          ...(taggable ? [taggable] : []),
          ...resourceFilterConditions(filter, params, 'filter'),
        ];
      };
      const params = new SqlParams();
      const matched = await manager.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM resources r WHERE ${(await where(params)).map((c) => `(${c})`).join(' AND ')}`,
        params.values,
      );
      const untagged = removing.length
        ? await this.untag(manager, where, (p) => `x.tag_id = ANY(${p.add(removing)}::uuid[])`, 'bulk', actor)
        : 0;
      const tagged = await this.tag(manager, where, adding, 'bulk', actor);
      if (tagged + untagged > 0)
        await this.watchlists.tagsChanged(manager, dto.organization, null, actor.username);
      return { matched: matched[0].n, tagged, untagged };
    });
  }

  /**
   * A provider moved to another organization (ProvidersService.update, its transaction):
   * its resources lose the tags of their old organization (untagged events), since tags
   * never cross organizations.
   */
  async moveProvider(manager: EntityManager, providerId: string, organizationId: number): Promise<void> {
    const pairs = `SELECT x.resource_id, x.tag_id FROM resource_tags x JOIN resources r ON r.id = x.resource_id
      JOIN tags tg ON tg.id = x.tag_id WHERE r.provider_id = $1 AND tg.organization_id <> $2`;
    await this.appendTagEvents(
      manager,
      'resource.untagged',
      pairs,
      [providerId, organizationId],
      'provider_moved',
      null,
    );
    await manager.query(
      `DELETE FROM resource_tags x USING resources r, tags tg
       WHERE r.id = x.resource_id AND tg.id = x.tag_id AND r.provider_id = $1 AND tg.organization_id <> $2`,
      [providerId, organizationId],
    );
  }

  /** Tag ids of `key=value` refs in the organization; unknown tags are a 400 (as NetBox: tags are created first). */
  private async resolve(
    manager: Queryable,
    organizationId: number,
    refs: string[],
    field: string,
  ): Promise<string[]> {
    if (refs.length === 0) return [];
    const parsed = refs.map(parseTagRef);
    const rows = await manager.query<{ id: string; key: string; value: string }[]>(
      `SELECT t.id, t.key, t.value FROM tags t
       WHERE t.organization_id = $1 AND (t.key, t.value) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
      [organizationId, parsed.map((p) => p.key), parsed.map((p) => p.value)],
    );
    const found = new Map(rows.map((r) => [`${r.key}=${r.value}`, r.id]));
    const unknown = parsed.map((p) => `${p.key}=${p.value}`).filter((name) => !found.has(name));
    if (unknown.length)
      throw new ValidationFailedError({
        [field]: unknown.map(
          (name) =>
            `"${name}" is not a tag of organization ${organizationId} (create it with POST /tags/ first).`,
        ),
      });
    return [...new Set(found.values())];
  }

  /** Assigns the tags to the resources of `where` that lack them; returns how many resources got one. */
  private async tag(
    manager: EntityManager,
    where: Where,
    tagIds: string[],
    via: Via,
    actor: Actor | null,
  ): Promise<number> {
    if (tagIds.length === 0) return 0;
    // Each statement gets its own parameters: PostgreSQL refuses parameters a statement does not use.
    const pairs = async (params: SqlParams) => missingPairs(await where(params), params.add(tagIds));
    const events = new SqlParams();
    const resources = await this.appendTagEvents(
      manager,
      'resource.tagged',
      await pairs(events),
      events,
      via,
      actor,
    );
    if (resources > 0) {
      const params = new SqlParams();
      await manager.query(
        `INSERT INTO resource_tags (resource_id, tag_id) ${await pairs(params)} ON CONFLICT DO NOTHING`,
        params.values,
      );
    }
    return resources;
  }

  /** Takes the tags `tagCondition` (alias x) selects off the resources of `where`; returns how many resources lost one. */
  private async untag(
    manager: EntityManager,
    where: Where,
    tagCondition: (params: SqlParams) => string,
    via: Via,
    actor: Actor | null,
  ): Promise<number> {
    const pairs = async (params: SqlParams) => assignedPairs(await where(params), tagCondition(params));
    const events = new SqlParams();
    const resources = await this.appendTagEvents(
      manager,
      'resource.untagged',
      await pairs(events),
      events,
      via,
      actor,
    );
    if (resources > 0) {
      const params = new SqlParams();
      await manager.query(
        `DELETE FROM resource_tags d USING (${await pairs(params)}) p WHERE d.resource_id = p.resource_id AND d.tag_id = p.tag_id`,
        params.values,
      );
    }
    return resources;
  }

  /** One event per resource of `pairs` (placeholders from `params`, or `$1…` of a plain list); returns how many. */
  private appendTagEvents(
    manager: Queryable,
    type: TagEventType,
    pairs: string,
    params: SqlParams | unknown[],
    via: Via,
    actor: Actor | null,
  ): Promise<number> {
    let sqlParams = params as SqlParams;
    if (Array.isArray(params)) {
      sqlParams = new SqlParams();
      for (const value of params) sqlParams.add(value);
    }
    const select = tagEventsSelect(type, pairs, sqlParams, via, actor?.username ?? null);
    return this.events.appendFrom(manager, select, sqlParams.values);
  }
}

/** The resources a tag change works on: conditions over `resources r`, placeholders added to `params`. */
type Where = (params: SqlParams) => Promise<string[]>;

const duplicate = (key: string, value: string) =>
  new ValidationFailedError({ value: [`A tag ${key}=${value} already exists in the organization.`] });

function audit(tag: TagDto): Record<string, unknown> {
  return { key: tag.key, value: tag.value, color: tag.color, description: tag.description };
}
