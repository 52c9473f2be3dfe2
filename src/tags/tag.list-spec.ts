import { defineListSpec, filter } from '../common/list/list-spec.js';

/** The carriers of a tag (alias `t`), for the list's resource_count column and ordering. */
export const TAG_RESOURCE_COUNT_SQL = `(SELECT count(*) FROM resource_tags x WHERE x.tag_id = t.id)`;

export const TAG_LIST = defineListSpec({
  filters: {
    organization: filter.int('t.organization_id', 'Organization id (repeatable).'),
    key: filter.string('t.key', 'Exact key (repeatable).'),
    value: filter.string('t.value', 'Exact value (repeatable).'),
    color: filter.string('t.color', 'Colour, six hex digits (repeatable).', { lookups: false }),
    name: filter.custom({
      type: 'string',
      multi: true,
      description: 'key=value (repeatable: any of).',
      build: (values, params) => {
        const parts = values.map(String).map((v) => {
          const at = v.indexOf('=');
          return at < 0 ? [v, ''] : [v.slice(0, at), v.slice(at + 1)];
        });
        return `(t.key, t.value) IN (SELECT * FROM unnest(${params.add(parts.map((p) => p[0]))}::text[], ${params.add(parts.map((p) => p[1]))}::text[]))`;
      },
    }),
    resource: filter.custom({
      type: 'uuid',
      multi: true,
      description: 'Only tags this resource carries (repeatable: any of).',
      build: (values, params) =>
        `t.id IN (SELECT x.tag_id FROM resource_tags x WHERE x.resource_id = ANY(${params.add(values)}::uuid[]))`,
    }),
  },
  search: {
    fields: ['t.key', 't.value', 't.description'],
    description: 'Case-insensitive substring of key, value or description.',
  },
  ordering: {
    key: 't.key',
    value: 't.value',
    created: 't.created',
    modified: 't.modified',
    resource_count: TAG_RESOURCE_COUNT_SQL,
  },
  defaultOrdering: ['key', 'value'],
  tieBreaker: 't.id',
});
