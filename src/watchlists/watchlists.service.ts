import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { NotFoundError, ValidationFailedError } from '../common/errors.js';
import { inTransactionUnique } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import type { Queryable } from '../common/list/list-runner.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { EventsService } from '../events/events.service.js';
import { ActivityService, diffFields } from '../platform/activity.service.js';
import { AccessService } from '../rbac/access.service.js';
import type { ResourceDto } from '../resources/dto/resource.dto.js';
import {
  normalizeResourceFilter,
  type ResourceFilter,
  resourceFilterConditions,
} from '../resources/resource-filter.js';
import { ResourcesService } from '../resources/resources.service.js';
import {
  type CreateWatchlistDto,
  toWatchlistDto,
  type UpdateWatchlistDto,
  type WatchlistDto,
  type WatchlistResourcesResultDto,
  type WatchlistRow,
} from './dto/watchlist.dto.js';
import { type MembershipChange, WatchlistMembership } from './watchlist-membership.sql.js';
import { WATCHLIST_MEMBER_COUNT_SQL } from './watchlist.list-spec.js';

const SELECT = `w.id, w.organization_id, w.name, w.description, w.watchlist_type, w.filter_query, w.created_by_id,
  ${WATCHLIST_MEMBER_COUNT_SQL}::int AS resource_count, w.evaluated_at, w.created, w.modified`;

/**
 * /watchlists/: organization-scoped CRUD (watchlist.*), static lists' chosen resources,
 * dynamic lists' saved resources filters, and their stored membership, whose changes are
 * `watchlist.member_added` / `watchlist.member_removed` events (src/watchlists/watchlist-membership.sql.ts).
 * Dynamic lists are evaluated when saved, when a tag change may affect them (TagsService
 * calls `tagsChanged` in its transaction), and by the `watchlist-evaluation` job once per
 * cluster every WATCHLIST_EVALUATION_SECONDS.
 */
@Injectable()
export class WatchlistsService {
  private readonly logger = new Logger('Watchlists');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
    private readonly events: EventsService,
    private readonly resources: ResourcesService,
  ) {}

  private membership(manager: Queryable): WatchlistMembership {
    return new WatchlistMembership(this.events, manager);
  }

  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'watchlist.view', params, { organization: 'w.organization_id' });
  }

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<WatchlistDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: 'watchlists w',
      where: await this.visible(actor, query.params),
      map: toWatchlistDto,
    });
  }

  async get(actor: Actor, id: string, manager: Queryable = this.db): Promise<WatchlistDto> {
    const params = new SqlParams();
    const where = [`w.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await manager.query<WatchlistRow[]>(
      `SELECT ${SELECT} FROM watchlists w WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`Watchlist ${id} not found.`);
    return toWatchlistDto(rows[0]);
  }

  /** The filter of a dynamic list (required), none for a static one; 400 naming the bad parameter. */
  private filterFor(type: 'static' | 'dynamic', raw: unknown): ResourceFilter | null {
    if (type === 'static') {
      if (raw !== undefined && raw !== null)
        throw new ValidationFailedError({
          filter_query: ['Static watchlists have no filter (choose resources).'],
        });
      return null;
    }
    if (raw === undefined || raw === null)
      throw new ValidationFailedError({ filter_query: ['Dynamic watchlists need a resources filter.'] });
    return normalizeResourceFilter(raw, 'filter_query');
  }

  async create(actor: Actor, dto: CreateWatchlistDto): Promise<WatchlistDto> {
    const orgs = await this.db.query<{ id: number }[]>(`SELECT id FROM organizations WHERE id = $1`, [
      dto.organization,
    ]);
    const visible =
      orgs.length > 0 &&
      ((await this.access.can(actor, 'organization.view', { organizationId: dto.organization })) ||
        (await this.access.can(actor, 'watchlist.view', { organizationId: dto.organization })));
    if (!visible)
      throw new ValidationFailedError({ organization: [`Organization ${dto.organization} does not exist.`] });
    await this.access.require(
      actor,
      'watchlist.add',
      { organizationId: dto.organization },
      'You cannot add watchlists to this organization.',
    );
    const filter = this.filterFor(dto.watchlist_type, dto.filter_query);
    if (dto.watchlist_type === 'dynamic' && dto.resource_ids !== undefined)
      throw new ValidationFailedError({
        resource_ids: ['Dynamic watchlists choose their resources by filter.'],
      });
    const ids = [...new Set(dto.resource_ids ?? [])];
    await this.checkResources(actor, dto.organization, ids);
    return inTransactionUnique(
      this.db,
      async (manager) => {
        const rows = await manager.query<{ id: string }[]>(
          `INSERT INTO watchlists (organization_id, name, description, watchlist_type, filter_query, created_by_id)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING id`,
          [
            dto.organization,
            dto.name,
            dto.description ?? '',
            dto.watchlist_type,
            filter === null ? null : JSON.stringify(filter),
            actor.id,
          ],
        );
        const id = rows[0].id;
        // The members a list starts with are not changes: no events for them.
        if (ids.length)
          await manager.query(
            `INSERT INTO watchlist_members (watchlist_id, resource_id) SELECT $1, unnest($2::uuid[])`,
            [id, ids],
          );
        const membership = this.membership(manager);
        const [locked] = await membership.lock('w.id = $1', [id]);
        if (locked.watchlist_type === 'dynamic')
          await membership.evaluate(locked, 'saved', actor.username, { quiet: true });
        const created = await this.get(actor, id, manager);
        await this.activity.record(manager, actor, {
          operation: 'create',
          objectType: 'watchlist',
          objectId: id,
          objectRepr: created.name,
          organizationId: created.organization,
          changes: diffFields({}, audit(created)),
        });
        return created;
      },
      () => duplicate(),
    );
  }

  /** A new filter is evaluated at once; the members it adds or drops are events (`via: saved`). */
  async update(actor: Actor, id: string, dto: UpdateWatchlistDto): Promise<WatchlistDto> {
    const before = await this.get(actor, id);
    await this.access.require(actor, 'watchlist.change', { organizationId: before.organization });
    if (dto.organization !== undefined && dto.organization !== before.organization)
      throw new ValidationFailedError({ organization: ['A watchlist cannot move to another organization.'] });
    if (dto.watchlist_type !== undefined && dto.watchlist_type !== before.watchlist_type)
      throw new ValidationFailedError({ watchlist_type: ['The type of a watchlist cannot change.'] });
    const type = before.watchlist_type as 'static' | 'dynamic';
    const filter = dto.filter_query === undefined ? undefined : this.filterFor(type, dto.filter_query);
    return inTransactionUnique(
      this.db,
      async (manager) => {
        const membership = this.membership(manager);
        await membership.lock('w.id = $1', [id]);
        await manager.query(
          `UPDATE watchlists SET name = coalesce($2, name), description = coalesce($3, description),
             filter_query = CASE WHEN $4 THEN $5::jsonb ELSE filter_query END, modified = now()
           WHERE id = $1`,
          [
            id,
            dto.name ?? null,
            dto.description ?? null,
            filter !== undefined,
            filter === undefined || filter === null ? null : JSON.stringify(filter),
          ],
        );
        if (type === 'dynamic' && filter !== undefined) {
          const [locked] = await membership.lock('w.id = $1', [id]);
          await membership.evaluate(locked, 'saved', actor.username);
        }
        const after = await this.get(actor, id, manager);
        await this.activity.record(manager, actor, {
          operation: 'update',
          objectType: 'watchlist',
          objectId: id,
          objectRepr: after.name,
          organizationId: after.organization,
          changes: diffFields(audit(before), audit(after)),
        });
        return after;
      },
      () => duplicate(),
    );
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const list = await this.get(actor, id);
    await this.access.require(actor, 'watchlist.delete', { organizationId: list.organization });
    await this.db.transaction(async (manager) => {
      await manager.query(`DELETE FROM watchlists WHERE id = $1`, [id]);
      await this.activity.record(manager, actor, {
        operation: 'delete',
        objectType: 'watchlist',
        objectId: id,
        objectRepr: list.name,
        organizationId: list.organization,
      });
    });
  }

  /**
   * The current members with the resources list's filters, ordering and paging: a static
   * list's chosen resources; a dynamic list's saved filter evaluated now (the stored
   * membership behind the events catches up within an evaluation interval). Only members
   * the caller may see, of the list's organization.
   */
  async listResources(actor: Actor, id: string, query: ParsedListQuery): Promise<Page<ResourceDto>> {
    const list = await this.get(actor, id);
    const narrow = [`r.organization_id = ${query.params.add(list.organization)}`];
    if (list.watchlist_type === 'dynamic')
      narrow.push(...resourceFilterConditions(list.filter_query ?? {}, query.params, 'filter_query'));
    else
      narrow.push(
        `r.id IN (SELECT m.resource_id FROM watchlist_members m WHERE m.watchlist_id = ${query.params.add(id)})`,
      );
    return this.resources.list(actor, query, narrow);
  }

  /** Resources join (`add`) or leave (`remove`) a static list (watchlist.change). */
  async chooseResources(
    actor: Actor,
    id: string,
    change: 'add' | 'remove',
    resourceIds: string[],
  ): Promise<WatchlistResourcesResultDto> {
    const list = await this.get(actor, id);
    await this.access.require(actor, 'watchlist.change', { organizationId: list.organization });
    if (list.watchlist_type !== 'static')
      throw new ValidationFailedError({
        resource_ids: [
          'A dynamic watchlist chooses its resources by its filter; change filter_query instead.',
        ],
      });
    const ids = [...new Set(resourceIds)];
    if (change === 'add') await this.checkResources(actor, list.organization, ids);
    return this.db.transaction(async (manager) => {
      const membership = this.membership(manager);
      const [locked] = await membership.lock('w.id = $1', [id]);
      const changed = await membership.choose(locked, change, ids, actor.username);
      const count = await manager.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM watchlist_members WHERE watchlist_id = $1`,
        [id],
      );
      const noun = changed === 1 ? 'resource' : 'resources';
      return {
        detail: change === 'add' ? `Added ${changed} ${noun}.` : `Removed ${changed} ${noun}.`,
        changed,
        resource_count: count[0].n,
      };
    });
  }

  /** 400 naming the resources that are not visible resources of the organization. */
  private async checkResources(actor: Actor, organizationId: number, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const params = new SqlParams();
    const where = [
      `r.id = ANY(${params.add(ids)}::uuid[])`,
      `r.organization_id = ${params.add(organizationId)}`,
      ...(await this.resources.visible(actor, params)),
    ];
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT r.id FROM resources r WHERE ${where.map((c) => `(${c})`).join(' AND ')}`,
      params.values,
    );
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length)
      throw new ValidationFailedError({
        resource_ids: missing.map(
          (id) => `Resource ${id} is not a resource of organization ${organizationId}.`,
        ),
      });
  }

  /**
   * A tag change in the organization (TagsService, its transaction): the dynamic lists
   * whose filter uses `tag` are evaluated at once, for the resources changed (or all).
   */
  async tagsChanged(
    manager: EntityManager,
    organizationId: number,
    resourceIds: string[] | null,
    actor: string | null,
  ): Promise<void> {
    const membership = this.membership(manager);
    const lists = await membership.lock(
      `w.organization_id = $1 AND w.watchlist_type = 'dynamic' AND w.filter_query ? 'tag'`,
      [organizationId],
    );
    for (const list of lists)
      await membership.evaluate(list, 'tags_changed', actor, resourceIds ? { only: resourceIds } : {});
  }

  /**
   * A provider moved to another organization (ProvidersService.update, its transaction):
   * its resources leave the old organization's lists (member_removed events).
   */
  async moveProvider(manager: EntityManager, providerId: string, organizationId: number): Promise<void> {
    const membership = this.membership(manager);
    const lists = await membership.lock(
      `w.organization_id <> $2 AND w.id IN (SELECT m.watchlist_id FROM watchlist_members m
         JOIN resources r ON r.id = m.resource_id WHERE r.provider_id = $1)`,
      [providerId, organizationId],
    );
    for (const list of lists) {
      const rows = await manager.query<{ id: string }[]>(
        `SELECT m.resource_id AS id FROM watchlist_members m JOIN resources r ON r.id = m.resource_id
         WHERE m.watchlist_id = $1 AND r.provider_id = $2`,
        [list.id, providerId],
      );
      await membership.choose(
        list,
        'remove',
        rows.map((r) => r.id),
        null,
        'provider_moved',
      );
    }
  }

  /**
   * The `watchlist-evaluation` job (once per cluster): every dynamic list, each in its own
   * transaction, so one slow list never holds the others' locks.
   */
  async evaluateAll(): Promise<{ watchlists: number; members_added: number; members_removed: number }> {
    const ids = await this.db.query<{ id: string }[]>(
      `SELECT id FROM watchlists WHERE watchlist_type = 'dynamic' ORDER BY id`,
    );
    const total: MembershipChange = { added: 0, removed: 0 };
    for (const { id } of ids) {
      try {
        const change = await this.db.transaction(async (manager) => {
          const membership = this.membership(manager);
          const [list] = await membership.lock(`w.id = $1 AND w.watchlist_type = 'dynamic'`, [id]);
          return list ? membership.evaluate(list, 'evaluation', null) : { added: 0, removed: 0 };
        });
        total.added += change.added;
        total.removed += change.removed;
      } catch (error) {
        // One list whose saved filter no longer parses (a filter renamed by an upgrade) must not stop the others.
        this.logger.warn(`Watchlist ${id} was not evaluated: ${(error as Error).message}`);
      }
    }
    return { watchlists: ids.length, members_added: total.added, members_removed: total.removed };
  }
}

const duplicate = () =>
  new ValidationFailedError({ name: ['A watchlist with this name already exists in the organization.'] });

function audit(list: WatchlistDto): Record<string, unknown> {
  return { name: list.name, description: list.description, filter_query: list.filter_query };
}
