import { defineListSpec, filter } from '../common/list/list-spec.js';
import { POWER_STATES, RESOURCE_STATES } from '../resources/resource.enums.js';

const seenAfter = filter.after('s.seen_at', 'Seen at or after this time (ISO 8601).');
const seenBefore = filter.before('s.seen_at', 'Seen at or before this time (ISO 8601).');
const state = filter.enumOf(RESOURCE_STATES, 's.state', 'State at the time (repeatable).');

/** /resource-sightings/: every sighting, newest first. */
export const RESOURCE_SIGHTING_LIST = defineListSpec({
  filters: {
    resource: filter.uuid('s.resource_id', 'Resource id (repeatable).'),
    provider: filter.uuid('s.provider_id', 'Provider id (repeatable).'),
    collection_run: filter.uuid('s.collection_run_id', 'Collection run id (repeatable).'),
    organization: filter.int('s.organization_id', 'Organization id (repeatable).'),
    state,
    power_state: filter.enumOf(POWER_STATES, 's.power_state', 'Power state at the time (repeatable).'),
    seen_after: seenAfter,
    seen_before: seenBefore,
  },
  search: {
    fields: ['resource.name'],
    description: 'Case-insensitive substring of the resource name.',
    condition: (pattern) =>
      `s.resource_id IN (SELECT sr.id FROM resources sr WHERE sr.name ILIKE ${pattern})`,
  },
  ordering: { seen_at: 's.seen_at', state: 's.state', cpu_count: 's.cpu_count', memory_mb: 's.memory_mb' },
  defaultOrdering: ['-seen_at'],
  tieBreaker: 's.id',
});

/** /resources/{id}/sightings/: one resource's sightings, newest first. */
export const NESTED_SIGHTING_LIST = defineListSpec({
  filters: { seen_after: seenAfter, seen_before: seenBefore, state },
  ordering: { seen_at: 's.seen_at' },
  defaultOrdering: ['-seen_at'],
  tieBreaker: 's.id',
});
