import type { SqlParams } from '../common/list/sql-params.js';

/**
 * `?watchlist=<id>` on the resources list (and so in alert rules' resource selectors and
 * dynamic lists' filters): members of the watchlists, as stored — the chosen resources of a
 * static list, the matches of a dynamic list's last evaluation.
 */
export function watchlistMemberCondition(ids: unknown[], params: SqlParams): string {
  return `r.id IN (SELECT wm.resource_id FROM watchlist_members wm WHERE wm.watchlist_id = ANY(${params.add(ids)}::uuid[]))`;
}
