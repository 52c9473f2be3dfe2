import { filter } from '../common/list/list-spec.js';

/**
 * When automation last touched the resource `r`: the newest matched record's finished_at
 * (else started_at), one index lookup on automation_records (resource_id, automated_at).
 */
const LAST_AUTOMATED_AT = `(SELECT max(ar.automated_at) FROM automation_records ar WHERE ar.resource_id = r.id)`;

/**
 * Resources-list filters about automation (spread into RESOURCE_LIST): `automated=false`
 * answers "which of my VMs has automation never touched?" in one query.
 */
export const AUTOMATION_RESOURCE_FILTERS = {
  automated: filter.custom({
    type: 'bool',
    description:
      'true: only resources an automation record is matched to (or confirmed for); false: only resources no automation has touched.',
    build: (values) =>
      `${values[0] ? '' : 'NOT '}EXISTS (SELECT 1 FROM automation_records ar WHERE ar.resource_id = r.id)`,
  }),
  last_automated_after: filter.after(
    LAST_AUTOMATED_AT,
    'Last automated (a matched job finished, else started) at or after (ISO 8601).',
  ),
  last_automated_before: filter.before(
    LAST_AUTOMATED_AT,
    'Last automated at or before (ISO 8601); resources never automated are not included (see automated=false).',
  ),
};
