import { defineListSpec, filter } from '../common/list/list-spec.js';
import { COLLECTION_TYPES, RUN_STATUSES, RUN_TRIGGERS } from './collection-run.enums.js';

export const COLLECTION_RUN_LIST = defineListSpec({
  filters: {
    status: filter.enumOf(RUN_STATUSES, 'cr.status', 'Run status (repeatable).'),
    provider: filter.uuid('cr.provider_id', 'Provider id (repeatable).'),
    collection_type: filter.enumOf(COLLECTION_TYPES, 'cr.collection_type', 'Collection type (repeatable).'),
    triggered_by: filter.enumOf(RUN_TRIGGERS, 'cr.triggered_by', 'What started the run (repeatable).'),
    started_after: filter.after('cr.started_at', 'Started at or after this time (ISO 8601).'),
    started_before: filter.before('cr.started_at', 'Started at or before this time (ISO 8601).'),
    created_after: filter.after('cr.created', 'Created at or after this time (ISO 8601).'),
    created_before: filter.before('cr.created', 'Created at or before this time (ISO 8601).'),
  },
  search: {
    fields: ['p.name', 'cr.task_id'],
    description: 'Case-insensitive substring of the provider name or the task id.',
    condition: (pattern) =>
      `(cr.task_id ILIKE ${pattern} OR cr.provider_id IN (SELECT sp.id FROM providers sp WHERE sp.name ILIKE ${pattern}))`,
  },
  ordering: {
    started_at: 'cr.started_at',
    completed_at: 'cr.completed_at',
    status: 'cr.status',
    created: 'cr.created',
  },
  defaultOrdering: ['-created'],
  tieBreaker: 'cr.id',
});
