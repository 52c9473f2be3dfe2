import { defineListSpec, filter } from '../common/list/list-spec.js';
import { BUILTIN_RULES, RULE_SEVERITIES } from './alert-rule.entity.js';

export const ALERT_RULE_LIST = defineListSpec({
  filters: {
    organization: filter.int('ar.organization_id', 'Organization id (repeatable).'),
    name: filter.string('ar.name', 'Exact name (repeatable).'),
    enabled: filter.bool('ar.enabled', 'Only enabled (true) or disabled (false) rules.'),
    builtin: filter.enumOf(BUILTIN_RULES, 'ar.builtin', 'Built-in rule (repeatable).'),
    severity: filter.enumOf(RULE_SEVERITIES, 'ar.severity', 'The severity it gives (repeatable).'),
    alertname: filter.string('ar.alertname', 'Alert name (repeatable).'),
  },
  search: {
    fields: ['ar.name', 'ar.description', 'ar.alertname'],
    description: 'Case-insensitive substring of name, description or alertname.',
  },
  ordering: { name: 'ar.name', created: 'ar.created', severity: 'ar.severity' },
  defaultOrdering: ['name'],
  tieBreaker: 'ar.id',
});
