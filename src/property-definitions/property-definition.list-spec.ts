import { idOrSlug } from '../common/list/common-filters.js';
import { defineListSpec, filter } from '../common/list/list-spec.js';
import { PROPERTY_VALUE_TYPES } from './property-definition.entity.js';

export const PROPERTY_DEFINITION_LIST = defineListSpec({
  filters: {
    resource_type: idOrSlug('p.resource_type_id', 'resource_types', 'Resource type id or slug (repeatable).'),
    vendor_scope: filter.string('p.vendor_scope', 'Vendor the definition applies to; empty for all vendors.'),
    required: filter.bool('p.required', 'Whether collectors must populate the key.'),
    value_type: filter.enumOf(
      PROPERTY_VALUE_TYPES,
      'p.value_type',
      'Expected JSON type of the value (repeatable).',
    ),
    key: filter.string('p.key', 'The property key (repeatable).'),
  },
  search: { fields: ['p.key', 'p.name'], description: 'Case-insensitive substring of key or name.' },
  ordering: { key: 'p.key', name: 'p.name', resource_type: 't.slug' },
  defaultOrdering: ['resource_type', 'key'],
  tieBreaker: 'p.id',
});
