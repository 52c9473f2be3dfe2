import { defineListSpec, filter } from '../common/list/list-spec.js';
import { WATCHLIST_TYPES } from './watchlist.entity.js';

/** Members of a watchlist (alias `w`). */
export const WATCHLIST_MEMBER_COUNT_SQL = `(SELECT count(*) FROM watchlist_members m WHERE m.watchlist_id = w.id)`;

export const WATCHLIST_LIST = defineListSpec({
  filters: {
    organization: filter.int('w.organization_id', 'Organization id (repeatable).'),
    name: filter.string('w.name', 'Exact name (repeatable).'),
    watchlist_type: filter.enumOf(WATCHLIST_TYPES, 'w.watchlist_type', 'static or dynamic.'),
    resource: filter.custom({
      type: 'uuid',
      multi: true,
      description: 'Only watchlists this resource is a member of (repeatable: any of).',
      build: (values, params) =>
        `w.id IN (SELECT m.watchlist_id FROM watchlist_members m WHERE m.resource_id = ANY(${params.add(values)}::uuid[]))`,
    }),
  },
  search: {
    fields: ['w.name', 'w.description'],
    description: 'Case-insensitive substring of name or description.',
  },
  ordering: {
    name: 'w.name',
    created: 'w.created',
    modified: 'w.modified',
    resource_count: WATCHLIST_MEMBER_COUNT_SQL,
  },
  defaultOrdering: ['name'],
  tieBreaker: 'w.id',
});
