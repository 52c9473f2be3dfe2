import { defineListSpec, filter } from '../common/list/list-spec.js';

/**
 * `/machines/`: one row per canonical identity (alias `m`, see machine-view.query.ts).
 * `provider_count__gte=2` lists the machines seen by several providers.
 */
export const MACHINE_LIST = defineListSpec({
  filters: {
    canonical_id: filter.string('m.canonical_id', 'Canonical identity, e.g. an SMBIOS UUID (repeatable).'),
    provider: filter.custom({
      type: 'uuid',
      multi: true,
      description: 'Seen by this provider (repeatable: any of).',
      build: (values, params) => `m.provider_ids && ${params.add(values.map(String))}::uuid[]`,
    }),
    vendor: filter.custom({
      type: 'string',
      multi: true,
      description:
        'Seen by a provider of this vendor, e.g. vmware, aws, kubernetes, ansible (repeatable: any of).',
      build: (values, params) => `m.vendors && ${params.add(values.map(String))}::text[]`,
    }),
    resource_type: filter.string(
      'm.resource_type',
      'Machine type: virtual_machine, hypervisor_host, bare_metal, physical_server.',
    ),
    name: filter.string('m.name', 'Name (the freshest of its resources).'),
    provider_count: filter.int('m.provider_count', 'How many providers see it; lookups __gte, __lte, __n.'),
    resource_count: filter.int('m.resource_count', 'How many resources carry it; lookups __gte, __lte, __n.'),
    removed: filter.custom({
      type: 'bool',
      description: 'true: every provider lost it; false: at least one still sees it.',
      build: (values) => (values[0] ? 'm.removed' : 'NOT m.removed'),
    }),
    last_seen_after: filter.after('m.last_seen_at', 'Last seen (by any provider) at or after (ISO 8601).'),
    last_seen_before: filter.before('m.last_seen_at', 'Last seen (by any provider) at or before (ISO 8601).'),
  },
  search: {
    fields: ['m.canonical_id', 'm.name'],
    description: 'Case-insensitive substring of the canonical id or the name.',
  },
  ordering: {
    canonical_id: 'm.canonical_id',
    name: 'm.name',
    provider_count: 'm.provider_count',
    resource_count: 'm.resource_count',
    first_discovered_at: 'm.first_discovered_at',
    last_seen_at: 'm.last_seen_at',
  },
  defaultOrdering: ['canonical_id'],
  tieBreaker: 'm.canonical_id',
});
