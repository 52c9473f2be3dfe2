import { defineListSpec, filter } from '../common/list/list-spec.js';
import { SYSTEM_STATUSES } from './system.entity.js';

export const SYSTEM_LIST = defineListSpec({
  filters: {
    organization: filter.int('sy.organization_id', 'Organization id (repeatable).'),
    status: filter.enumOf(SYSTEM_STATUSES, 'sy.status', 'Heartbeat status (repeatable).'),
    suspended: filter.bool(
      '(sy.suspended_at IS NOT NULL)',
      'Only suspended (true) or usable (false) systems.',
    ),
    name: filter.string('sy.name', 'Exact name (repeatable); lookups __ic, __isw, __n, __empty.'),
    system_key: filter.string('sy.system_key', 'Exact system key (repeatable).'),
    resource: filter.uuid('sy.resource_id', 'Host resource id (repeatable).'),
    last_heartbeat_after: filter.after('sy.last_heartbeat_at', 'Last heartbeat at or after (ISO 8601).'),
    last_heartbeat_before: filter.before('sy.last_heartbeat_at', 'Last heartbeat at or before (ISO 8601).'),
  },
  search: {
    fields: ['sy.name', 'sy.system_key', 'sy.description'],
    description: 'Case-insensitive substring of name, system key or description.',
  },
  ordering: {
    name: 'sy.name',
    status: 'sy.status',
    last_heartbeat_at: 'sy.last_heartbeat_at',
    created: 'sy.created',
  },
  defaultOrdering: ['name'],
  tieBreaker: 'sy.id',
});
