import { defineListSpec, filter } from '../common/list/list-spec.js';
import { HOST_STATUSES, MATCH_STATUSES, PENDING_MATCH_STATUSES } from './automation-record.entity.js';
import { APPLIED_RULES } from './match-rules.js';

const RECORD_FILTERS = {
  organization: filter.int('a.organization_id', 'Organization id (repeatable).'),
  job: filter.string('a.job_id', 'Job id (repeatable).'),
  job_name: filter.string('a.job_name', 'Job name (repeatable).'),
  job_template: filter.string('a.job_template', 'Job template (repeatable).'),
  playbook: filter.string('a.playbook', 'Playbook (repeatable).'),
  status: filter.enumOf(HOST_STATUSES, 'a.status', "The host's outcome (repeatable)."),
  host_name: filter.string('a.host_name', 'Inventory host name (repeatable).'),
  match_status: filter.enumOf(MATCH_STATUSES, 'a.match_status', 'Match status (repeatable).'),
  match_rule: filter.enumOf(APPLIED_RULES, 'a.match_rule', 'The rule that matched or proposed (repeatable).'),
  started_after: filter.after('a.started_at', 'Started at or after (ISO 8601).'),
  started_before: filter.before('a.started_at', 'Started at or before (ISO 8601).'),
  finished_after: filter.after('a.finished_at', 'Finished at or after (ISO 8601).'),
  finished_before: filter.before('a.finished_at', 'Finished at or before (ISO 8601).'),
  automated_after: filter.after('a.automated_at', 'Finished (else started) at or after (ISO 8601).'),
  automated_before: filter.before('a.automated_at', 'Finished (else started) at or before (ISO 8601).'),
};

const RECORD_ORDERING = {
  started_at: 'a.started_at',
  finished_at: 'a.finished_at',
  automated_at: 'a.automated_at',
  host_name: 'a.host_name',
  job_id: 'a.job_id',
  status: 'a.status',
  match_confidence: 'a.match_confidence',
  created: 'a.created',
};

const RECORD_SEARCH = {
  fields: ['a.host_name', 'a.job_name', 'a.job_template', 'a.playbook'],
  description: 'Case-insensitive substring of host name, job name, job template or playbook.',
};

/** /automation-records/: newest first. */
export const AUTOMATION_RECORD_LIST = defineListSpec({
  filters: {
    ...RECORD_FILTERS,
    resource: filter.uuid('a.resource_id', 'Matched resource id (repeatable).'),
  },
  search: RECORD_SEARCH,
  ordering: RECORD_ORDERING,
  defaultOrdering: ['-automated_at'],
  tieBreaker: 'a.id',
});

/** /resources/{id}/automations/: the records matched to one resource, newest first. */
export const RESOURCE_AUTOMATION_LIST = defineListSpec({
  filters: RECORD_FILTERS,
  search: RECORD_SEARCH,
  ordering: RECORD_ORDERING,
  defaultOrdering: ['-automated_at'],
  tieBreaker: 'a.id',
});

/** /pending-matches/: the review queue, newest first. */
export const PENDING_MATCH_LIST = defineListSpec({
  filters: {
    organization: filter.int('pm.organization_id', 'Organization id (repeatable).'),
    status: filter.enumOf(
      PENDING_MATCH_STATUSES,
      'pm.status',
      'pending (waiting for a person), confirmed, rejected or superseded (repeatable).',
    ),
    resource: filter.uuid('pm.resource_id', 'Proposed resource id (repeatable).'),
    record: filter.uuid('pm.record_id', 'Automation record id (repeatable).'),
    job: filter.string('a.job_id', 'Job id (repeatable).'),
    host_name: filter.string('a.host_name', 'Inventory host name (repeatable).'),
    match_rule: filter.enumOf(APPLIED_RULES, 'pm.match_rule', 'The rule that proposed (repeatable).'),
    min_confidence: filter.min('pm.match_confidence', 'Confidence at least.', 'number'),
    max_confidence: filter.max('pm.match_confidence', 'Confidence at most.', 'number'),
    created_after: filter.after('pm.created', 'Proposed at or after (ISO 8601).'),
    created_before: filter.before('pm.created', 'Proposed at or before (ISO 8601).'),
  },
  search: {
    fields: ['a.host_name', 'r.name'],
    description: 'Case-insensitive substring of the host name or the resource name.',
  },
  ordering: {
    created: 'pm.created',
    match_confidence: 'pm.match_confidence',
    host_name: 'a.host_name',
    resource_name: 'r.name',
    status: 'pm.status',
  },
  defaultOrdering: ['-created'],
  tieBreaker: 'pm.id',
});
