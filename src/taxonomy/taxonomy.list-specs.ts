import { idOrSlug } from '../common/list/common-filters.js';
import { defineListSpec, filter } from '../common/list/list-spec.js';

export const RESOURCE_CATEGORY_LIST = defineListSpec({
  filters: {
    slug: filter.string('c.slug', 'Category slug (repeatable).'),
  },
  search: { fields: ['c.name', 'c.slug'], description: 'Case-insensitive substring of name or slug.' },
  ordering: { sort_order: 'c.sort_order', name: 'c.name' },
  defaultOrdering: ['sort_order'],
  tieBreaker: 'c.id',
});

export const RESOURCE_TYPE_LIST = defineListSpec({
  filters: {
    category: idOrSlug('t.category_id', 'resource_categories', 'Category id or slug (repeatable).'),
    is_countable: filter.bool('t.is_countable', 'Whether the type counts toward inventory totals.'),
    slug: filter.string('t.slug', 'Type slug (repeatable).'),
  },
  search: { fields: ['t.name', 't.slug'], description: 'Case-insensitive substring of name or slug.' },
  ordering: { sort_order: 't.sort_order', name: 't.name', category: 'c.sort_order' },
  defaultOrdering: ['category', 'sort_order'],
  tieBreaker: 't.id',
});

export const VENDOR_TYPE_MAPPING_LIST = defineListSpec({
  filters: {
    vendor: filter.string('m.vendor', 'Vendor (repeatable), e.g. vmware, aws, kubernetes, ansible.'),
    resource_type: idOrSlug('m.resource_type_id', 'resource_types', 'Resource type id or slug (repeatable).'),
    vendor_resource_type: filter.string('m.vendor_resource_type', "The vendor's own type name (repeatable)."),
  },
  search: {
    fields: ['m.vendor', 'm.vendor_resource_type'],
    description: "Case-insensitive substring of vendor or the vendor's type name.",
  },
  ordering: { vendor: 'm.vendor', vendor_resource_type: 'm.vendor_resource_type' },
  defaultOrdering: ['vendor', 'vendor_resource_type'],
  tieBreaker: 'm.id',
});
