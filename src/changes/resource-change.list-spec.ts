import { defineListSpec, filter, type FilterDef } from '../common/list/list-spec.js';
import {
  CHANGE_CATEGORIES,
  CHANGE_SEVERITIES,
  CHANGE_SOURCES,
  CHANGE_TYPES,
} from './resource-change.enums.js';

const SEVERITY_RANK = `array_position(ARRAY['info','low','medium','high','critical']::varchar[], c.severity)`;

const common: Record<string, FilterDef> = {
  category: filter.enumOf(CHANGE_CATEGORIES, 'c.category', 'Category (repeatable).'),
  severity: filter.enumOf(CHANGE_SEVERITIES, 'c.severity', 'Severity (repeatable).'),
  change_type: filter.enumOf(
    CHANGE_TYPES,
    'c.change_type',
    'added, removed, modified, restored (repeatable).',
  ),
  source: filter.enumOf(CHANGE_SOURCES, 'c.source', 'What detected it (repeatable).'),
  field_path: filter.string('c.field_path', 'Exact path (repeatable); lookups __ic, __isw, __n, __empty.'),
  detected_after: filter.after('c.detected_at', 'Detected at or after (ISO 8601).'),
  detected_before: filter.before('c.detected_at', 'Detected at or before (ISO 8601).'),
};
const search = {
  fields: ['c.field_path', 'c.previous_value::text', 'c.current_value::text'],
  description: 'Case-insensitive substring of the path or of either value.',
};
const ordering = {
  detected_at: 'c.detected_at',
  severity: SEVERITY_RANK,
  category: 'c.category',
  field_path: 'c.field_path',
};

/** /resource-changes/: every detected change, newest first. */
export const RESOURCE_CHANGE_LIST = defineListSpec({
  filters: {
    ...common,
    resource: filter.uuid('c.resource_id', 'Resource id (repeatable).'),
    organization: filter.int('c.organization_id', 'Organization id (repeatable).'),
  },
  search,
  ordering,
  defaultOrdering: ['-detected_at'],
  tieBreaker: 'c.id',
});

/** /resource-changes/summary/: the list's filters, plus interval and fill. */
export const CHANGE_SUMMARY_QUERY = defineListSpec({
  ...RESOURCE_CHANGE_LIST,
  extraParams: {
    interval: 'day (default) or week (UTC weeks, starting Monday).',
    fill: 'true: every bucket from detected_after (else the first change) to detected_before (else now), zeros included.',
  },
});

/** /resources/{id}/changes/. */
export const NESTED_CHANGE_LIST = defineListSpec({
  filters: common,
  search,
  ordering,
  defaultOrdering: ['-detected_at'],
  tieBreaker: 'c.id',
});

/** /resources/{id}/timeline/: one row per day with changes. */
export const TIMELINE_LIST = defineListSpec({
  filters: {
    date_after: filter.after('g.date', 'Days on or after this date (ISO 8601).'),
    date_before: filter.before('g.date', 'Days on or before this date (ISO 8601).'),
  },
  extraParams: {
    fill: "true: every day from the resource's discovery (or date_after) to today (or date_before), zeros included.",
  },
  ordering: { date: 'g.date', changes: 'g.changes' },
  defaultOrdering: ['-date'],
  tieBreaker: 'g.date',
});
