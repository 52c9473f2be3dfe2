import { AUTOMATION_RESOURCE_FILTERS } from '../automation/automation-resource.filters.js';
import { presentAtCondition } from '../changes/resource-as-of.query.js';
import { idOrSlug } from '../common/list/common-filters.js';
import { defineListSpec, filter } from '../common/list/list-spec.js';
import { POWER_STATES, RESOURCE_STATES } from './resource.enums.js';
import { SUMMARY_GROUP_FIELDS } from './resource-summary.query.js';
import { LAST_SEEN_AT_SQL, SEEN_COUNT_SQL } from './resource-tracking.sql.js';
import { userTagCondition } from '../tags/resource-tags.sql.js';
import { watchlistMemberCondition } from '../watchlists/watchlist-members.sql.js';

/** The exact expression the trigram index IDX_resources_search_trgm is built on (see the initial migration). */
export const RESOURCE_SEARCH_EXPRESSION = `r.name || ' ' || r.ems_ref || ' ' || coalesce(r.canonical_id, '') || ' ' || r.fqdn || ' ' || r.vendor_type`;

const resourceType = idOrSlug(
  'r.resource_type_id',
  'resource_types',
  'Resource type id or slug (repeatable).',
);

export const RESOURCE_LIST = defineListSpec({
  filters: {
    provider: filter.uuid('r.provider_id', 'Provider id (repeatable).'),
    resource_type: resourceType,
    // The seed document's spelling, kept so its examples work unchanged.
    resource_type_slug: { ...resourceType, description: 'Alias of resource_type.' },
    category: filter.custom({
      type: 'string',
      multi: true,
      description: 'Resource category id or slug (repeatable).',
      build: (values, params) =>
        `r.resource_type_id IN (SELECT t.id FROM resource_types t JOIN resource_categories c ON c.id = t.category_id
          WHERE c.id::text = ANY(${params.add(values.map(String))}) OR c.slug = ANY(${params.add(values.map(String))}))`,
    }),
    state: filter.enumOf(RESOURCE_STATES, 'r.state', 'Normalized state (repeatable).'),
    power_state: filter.enumOf(POWER_STATES, 'r.power_state', 'Power state (repeatable).'),
    organization: filter.int('r.organization_id', 'Organization id (repeatable).'),
    name: filter.string('r.name', 'Exact name (repeatable).'),
    region: filter.string('r.region', 'Region or datacenter (repeatable).'),
    availability_zone: filter.string('r.availability_zone', 'Availability zone or cluster (repeatable).'),
    os_type: filter.string('r.os_type', 'Operating system family, e.g. linux, windows (repeatable).'),
    os_name: filter.string('r.os_name', 'Operating system name (repeatable).'),
    canonical_id: filter.string(
      'r.canonical_id',
      'Cross-provider identity, e.g. an SMBIOS UUID (repeatable).',
    ),
    ems_ref: filter.string('r.ems_ref', "The vendor's id for the object (repeatable)."),
    fqdn: filter.string('r.fqdn', 'Fully qualified domain name (repeatable).'),
    cloud_tenant: filter.string('r.cloud_tenant', 'Tenant, project or subscription (repeatable).'),
    flavor: filter.string('r.flavor', 'Instance type (repeatable).'),
    vendor_type: filter.string('r.vendor_type', "The vendor's type name (repeatable)."),
    ip_address: filter.custom({
      type: 'string',
      multi: true,
      description: 'Has this IP address (repeatable: any of).',
      build: (values, params) => `r.ip_addresses && ${params.add(values.map(String))}::text[]`,
    }),
    tag: filter.custom({
      type: 'string',
      multi: true,
      description:
        'Tag as key=value, of either kind: a provider tag or a user tag of /tags/ (repeatable: all must match).',
      build: (values, params) =>
        values
          .map(String)
          .map((value) => {
            const at = value.indexOf('=');
            const [key, tagValue] = at < 0 ? [value, ''] : [value.slice(0, at), value.slice(at + 1)];
            return `(r.provider_tags @> ${params.add(JSON.stringify({ [key]: tagValue }))}::jsonb OR ${userTagCondition(key, tagValue, params)})`;
          })
          .join(' AND '),
    }),
    watchlist: filter.custom({
      type: 'uuid',
      multi: true,
      description:
        "Member of this watchlist (repeatable: any of): a static list's chosen resources, a dynamic list's matches at its last evaluation.",
      build: (values, params) => watchlistMemberCondition(values, params),
    }),
    cpu_count: filter.int('r.cpu_count', 'vCPU count (repeatable); lookups __gte, __lte, __n.'),
    memory_mb: filter.int('r.memory_mb', 'Memory in MB (repeatable); lookups __gte, __lte, __n.'),
    seen_count_min: filter.min(SEEN_COUNT_SQL, 'Seen by at least this many collections.'),
    seen_count_max: filter.max(SEEN_COUNT_SQL, 'Seen by at most this many collections.'),
    first_discovered_after: filter.after('r.first_discovered_at', 'First discovered at or after (ISO 8601).'),
    first_discovered_before: filter.before(
      'r.first_discovered_at',
      'First discovered at or before (ISO 8601).',
    ),
    last_seen_after: filter.after(LAST_SEEN_AT_SQL, 'Last seen at or after (ISO 8601).'),
    last_seen_before: filter.before(LAST_SEEN_AT_SQL, 'Last seen at or before (ISO 8601).'),
    present_at: filter.custom({
      type: 'datetime',
      description:
        'Only resources that existed at this time (ISO 8601): discovered by then and not removed then (earlier removals included).',
      build: (values, params) => presentAtCondition(params.add(values[0])),
    }),
    removed: filter.custom({
      type: 'bool',
      description: 'true: only resources no longer found by their provider; false: only current ones.',
      build: (values) => (values[0] ? 'r.removed_at IS NOT NULL' : 'r.removed_at IS NULL'),
    }),
    ...AUTOMATION_RESOURCE_FILTERS,
  },
  search: {
    fields: ['r.name', 'r.ems_ref', 'r.canonical_id', 'r.fqdn', 'r.vendor_type'],
    expression: RESOURCE_SEARCH_EXPRESSION,
    description: 'Case-insensitive substring of name, ems_ref, canonical_id, fqdn or vendor_type.',
  },
  ordering: {
    name: 'r.name',
    state: 'r.state',
    first_discovered_at: 'r.first_discovered_at',
    last_seen_at: LAST_SEEN_AT_SQL,
    seen_count: SEEN_COUNT_SQL,
    boot_time: 'r.boot_time',
    ems_created_on: 'r.ems_created_on',
    cpu_count: 'r.cpu_count',
    memory_mb: 'r.memory_mb',
  },
  defaultOrdering: ['name'],
  tieBreaker: 'r.id',
});

/** /resources/summary/: the list's filters and search, plus group_by. */
export const RESOURCE_SUMMARY_QUERY = defineListSpec({
  ...RESOURCE_LIST,
  extraParams: {
    group_by: `Field to count by (repeatable, up to 3): ${SUMMARY_GROUP_FIELDS.join(', ')}.`,
  },
});
