import { defineListSpec, filter } from '../common/list/list-spec.js';
import { DELIVERY_STATUSES } from './webhook.entity.js';

export const WEBHOOK_LIST = defineListSpec({
  filters: {
    organization: filter.int('w.organization_id', 'Organization id (repeatable).'),
    name: filter.string('w.name', 'Exact name (repeatable).'),
    enabled: filter.bool('w.enabled', 'Only enabled (true) or disabled (false) webhooks.'),
  },
  search: { fields: ['w.name', 'w.url'], description: 'Case-insensitive substring of name or URL.' },
  ordering: { name: 'w.name', created: 'w.created' },
  defaultOrdering: ['name'],
  tieBreaker: 'w.id',
});

/** /webhooks/{id}/deliveries/: newest first. */
export const WEBHOOK_DELIVERY_LIST = defineListSpec({
  filters: {
    status: filter.enumOf(
      DELIVERY_STATUSES,
      'd.status',
      'pending, delivering, succeeded or dead (repeatable).',
    ),
    event_type: filter.string('d.event_type', 'Event type (repeatable).'),
    created_after: filter.after('d.created', 'Created at or after (ISO 8601).'),
    created_before: filter.before('d.created', 'Created at or before (ISO 8601).'),
  },
  search: {
    fields: ['d.event_type', 'd.error'],
    description: 'Case-insensitive substring of type or error.',
  },
  ordering: { created: 'd.created', attempt: 'd.attempt', status: 'd.status' },
  defaultOrdering: ['-created'],
  tieBreaker: 'd.id',
});
