import { defineListSpec, filter } from '../common/list/list-spec.js';
import { INFRASTRUCTURES } from './provider.enums.js';

export const PROVIDER_LIST = defineListSpec({
  filters: {
    vendor: filter.string('p.vendor', 'Plugin vendor (repeatable), e.g. vmware.'),
    provider_type: filter.string('p.provider_type', 'Plugin provider type (repeatable), e.g. vcenter.'),
    infrastructure: filter.enumOf(INFRASTRUCTURES, 'p.infrastructure', 'Infrastructure kind (repeatable).'),
    enabled: filter.bool('p.enabled', 'Only enabled (true) or disabled (false) providers.'),
    organization: filter.int('p.organization_id', 'Organization id (repeatable).'),
    name: filter.string('p.name', 'Exact name (repeatable); lookups __ic, __isw, __n, __empty.'),
    created_after: filter.after('p.created', 'Created at or after this time (ISO 8601).'),
    created_before: filter.before('p.created', 'Created at or before this time (ISO 8601).'),
  },
  search: {
    fields: ['p.name', 'p.vendor', 'p.provider_type'],
    description: 'Case-insensitive substring of name, vendor or provider_type.',
  },
  ordering: { name: 'p.name', vendor: 'p.vendor', created: 'p.created', modified: 'p.modified' },
  defaultOrdering: ['name'],
  tieBreaker: 'p.id',
});
