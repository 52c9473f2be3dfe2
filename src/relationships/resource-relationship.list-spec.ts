import { defineListSpec, filter } from '../common/list/list-spec.js';
import { RELATIONSHIP_LAST_SEEN_AT_SQL } from './relationship-last-seen.sql.js';
import { RELATIONSHIP_TYPES } from './relationship.enums.js';

export const RESOURCE_RELATIONSHIP_LIST = defineListSpec({
  filters: {
    relationship_type: filter.enumOf(RELATIONSHIP_TYPES, 'rel.relationship_type', 'Edge type (repeatable).'),
    source: filter.uuid('rel.source_id', 'Source resource id (repeatable).'),
    target: filter.uuid('rel.target_id', 'Target resource id (repeatable).'),
    resource: filter.custom({
      type: 'uuid',
      multi: true,
      description: 'Either end is this resource (repeatable).',
      build: (values, params) => {
        const ids = params.add(values);
        return `(rel.source_id = ANY(${ids}::uuid[]) OR rel.target_id = ANY(${ids}::uuid[]))`;
      },
    }),
    provider: filter.uuid('rel.provider_id', 'Provider that reported the edge (repeatable).'),
    organization: filter.int('rel.organization_id', 'Organization id (repeatable).'),
    removed: filter.custom({
      type: 'bool',
      description: 'true: only edges no longer reported; false: only current ones.',
      build: (values) => (values[0] ? 'rel.removed_at IS NOT NULL' : 'rel.removed_at IS NULL'),
    }),
    last_seen_after: filter.after(RELATIONSHIP_LAST_SEEN_AT_SQL, 'Last seen at or after (ISO 8601).'),
    last_seen_before: filter.before(RELATIONSHIP_LAST_SEEN_AT_SQL, 'Last seen at or before (ISO 8601).'),
  },
  ordering: {
    relationship_type: 'rel.relationship_type',
    first_seen_at: 'rel.first_seen_at',
    last_seen_at: RELATIONSHIP_LAST_SEEN_AT_SQL,
  },
  defaultOrdering: ['relationship_type'],
  tieBreaker: 'rel.id',
});
