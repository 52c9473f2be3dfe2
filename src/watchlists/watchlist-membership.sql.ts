import type { Queryable } from '../common/list/list-runner.js';
import { SqlParams } from '../common/list/sql-params.js';
import type { EventsService } from '../events/events.service.js';
import { type ResourceFilter, resourceFilterConditions } from '../resources/resource-filter.js';

/** Why a membership changed (the events' `via`). */
export type MembershipVia = 'chosen' | 'saved' | 'tags_changed' | 'evaluation' | 'provider_moved';

export interface LockedWatchlist {
  id: string;
  organization_id: number;
  name: string;
  watchlist_type: 'static' | 'dynamic';
  filter_query: ResourceFilter | null;
}

export interface MembershipChange {
  added: number;
  removed: number;
}

/**
 * The stored membership of watchlists (table `watchlist_members`; owner: src/watchlists).
 *
 * A dynamic list is evaluated set-based, one watchlist at a time, with its row locked
 * (FOR UPDATE) so evaluations of one list never interleave: the events are computed from
 * a SELECT of the differences (matches that are not members; members that no longer
 * match), then the same differences are written. The filter is the resources list's own
 * (src/resources/resource-filter.ts), restricted to the list's organization; `only`
 * restricts an evaluation to some resources (a tag change of one resource re-checks just
 * that one against each list).
 */
export class WatchlistMembership {
  constructor(
    private readonly events: EventsService,
    private readonly db: Queryable,
  ) {}

  /** Locks watchlists (in id order, so two lockers never deadlock) and returns them. */
  async lock(where: string, params: unknown[]): Promise<LockedWatchlist[]> {
    return this.db.query<LockedWatchlist[]>(
      `SELECT id, organization_id, name, watchlist_type, filter_query FROM watchlists w
       WHERE ${where} ORDER BY id FOR UPDATE`,
      params,
    );
  }

  /** Brings a dynamic list's stored membership up to its filter; events unless `quiet` (its first evaluation). */
  async evaluate(
    list: LockedWatchlist,
    via: MembershipVia,
    actor: string | null,
    options: { only?: string[]; quiet?: boolean } = {},
  ): Promise<MembershipChange> {
    const matches = (params: SqlParams) => {
      const conditions = [
        `r.organization_id = ${params.add(list.organization_id)}`,
        ...resourceFilterConditions(list.filter_query ?? {}, params, 'filter_query'),
      ];
      if (options.only) conditions.push(`r.id = ANY(${params.add(options.only)}::uuid[])`);
      return conditions.map((c) => `(${c})`).join(' AND ');
    };
    const joining = (params: SqlParams) =>
      `SELECT r.id AS resource_id FROM resources r WHERE ${matches(params)}
         AND NOT EXISTS (SELECT 1 FROM watchlist_members m WHERE m.watchlist_id = ${params.add(list.id)} AND m.resource_id = r.id)`;
    const leaving = (params: SqlParams) => {
      const member = `m.watchlist_id = ${params.add(list.id)}${options.only ? ` AND m.resource_id = ANY(${params.add(options.only)}::uuid[])` : ''}`;
      return `SELECT m.resource_id FROM watchlist_members m
        WHERE ${member} AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.id = m.resource_id AND ${matches(params)})`;
    };
    const removed = await this.change(list, 'remove', leaving, via, actor, options.quiet ?? false);
    const added = await this.change(list, 'add', joining, via, actor, options.quiet ?? false);
    await this.db.query(`UPDATE watchlists SET evaluated_at = now() WHERE id = $1`, [list.id]);
    return { added, removed };
  }

  /** Chosen resources join or leave a static list (`ids` already checked to be of its organization). */
  async choose(
    list: LockedWatchlist,
    change: 'add' | 'remove',
    ids: string[],
    actor: string | null,
    via: MembershipVia = 'chosen',
  ): Promise<number> {
    const pairs =
      change === 'add'
        ? (params: SqlParams) =>
            `SELECT r.id AS resource_id FROM resources r WHERE r.id = ANY(${params.add(ids)}::uuid[])
               AND NOT EXISTS (SELECT 1 FROM watchlist_members m WHERE m.watchlist_id = ${params.add(list.id)} AND m.resource_id = r.id)`
        : (params: SqlParams) =>
            `SELECT m.resource_id FROM watchlist_members m
             WHERE m.watchlist_id = ${params.add(list.id)} AND m.resource_id = ANY(${params.add(ids)}::uuid[])`;
    return this.change(list, change, pairs, via, actor, false);
  }

  /**
   * One membership change, set-based: the events of the resources `select` yields (a
   * SELECT of resource_id; each statement builds its own parameters, as PostgreSQL
   * refuses unused ones), then the insert or delete of the same rows.
   */
  private async change(
    list: LockedWatchlist,
    change: 'add' | 'remove',
    select: (params: SqlParams) => string,
    via: MembershipVia,
    actor: string | null,
    quiet: boolean,
  ): Promise<number> {
    let count: number;
    if (quiet) {
      const params = new SqlParams();
      count = (
        await this.db.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM (${select(params)}) p`,
          params.values,
        )
      )[0].n;
    } else {
      const params = new SqlParams();
      const pairs = select(params);
      count = await this.events.appendFrom(
        this.db,
        `SELECT now(), ${params.add(list.organization_id)}::int, r.provider_id, r.id, NULL::uuid,
           ${params.add(change === 'add' ? 'watchlist.member_added' : 'watchlist.member_removed')}::text, NULL::text,
           jsonb_build_object('watchlist', ${params.add(list.id)}::uuid, 'name', ${params.add(list.name)}::text,
             'watchlist_type', ${params.add(list.watchlist_type)}::text, 'via', ${params.add(via)}::text,
             'actor', ${params.add(actor)}::text)
         FROM (${pairs}) p JOIN resources r ON r.id = p.resource_id ORDER BY r.id`,
        params.values,
      );
    }
    if (count === 0) return 0;
    const params = new SqlParams();
    const pairs = select(params);
    if (change === 'add')
      await this.db.query(
        `INSERT INTO watchlist_members (watchlist_id, resource_id) SELECT ${params.add(list.id)}::uuid, p.resource_id FROM (${pairs}) p
         ON CONFLICT DO NOTHING`,
        params.values,
      );
    else
      await this.db.query(
        `DELETE FROM watchlist_members d USING (${pairs}) p
         WHERE d.watchlist_id = ${params.add(list.id)}::uuid AND d.resource_id = p.resource_id`,
        params.values,
      );
    return count;
  }
}
