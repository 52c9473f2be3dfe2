import { defineListSpec, filter } from '../common/list/list-spec.js';
import { ALERT_SOURCES, ALERT_STATUSES } from './alert.entity.js';

/** /alerts/: newest first. */
export const ALERT_LIST = defineListSpec({
  filters: {
    status: filter.enumOf(ALERT_STATUSES, 'a.status', 'firing or resolved (repeatable).'),
    source: filter.enumOf(ALERT_SOURCES, 'a.source', 'inventory (its rules) or alertmanager (its webhook).'),
    severity: filter.string('a.severity', 'The severity label (repeatable).'),
    alertname: filter.string('a.alertname', 'Alert name (repeatable).'),
    fingerprint: filter.string('a.fingerprint', 'Fingerprint (repeatable).', { lookups: false }),
    organization: filter.int('a.organization_id', 'Organization id (repeatable).'),
    system: filter.uuid('a.system_id', 'System id (repeatable).'),
    resource: filter.uuid('a.resource_id', 'Resource id (repeatable).'),
    rule: filter.uuid('a.rule_id', 'The inventory rule that opened it (repeatable).'),
    acknowledged: filter.custom({
      type: 'bool',
      description: 'true: acknowledged ones only; false: not yet acknowledged.',
      build: (values) => (values[0] ? 'a.acknowledged_at IS NOT NULL' : 'a.acknowledged_at IS NULL'),
    }),
    starts_after: filter.after('a.starts_at', 'Started at or after (ISO 8601).'),
    starts_before: filter.before('a.starts_at', 'Started at or before (ISO 8601).'),
    label: filter.custom({
      type: 'string',
      multi: true,
      description: 'Label as key=value (repeatable: all must match).',
      build: (values, params) => {
        const labels: Record<string, string> = {};
        for (const value of values.map(String)) {
          const at = value.indexOf('=');
          labels[at < 0 ? value : value.slice(0, at)] = at < 0 ? '' : value.slice(at + 1);
        }
        return `a.labels @> ${params.add(JSON.stringify(labels))}::jsonb`;
      },
    }),
  },
  search: {
    fields: ['a.alertname', 'a.annotations::text'],
    description: 'Case-insensitive substring of the alert name or its annotations.',
  },
  ordering: {
    starts_at: 'a.starts_at',
    last_received_at: 'a.last_received_at',
    alertname: 'a.alertname',
    severity: 'a.severity',
    status: 'a.status',
  },
  defaultOrdering: ['-starts_at'],
  tieBreaker: 'a.id',
});
