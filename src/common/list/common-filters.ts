import { filter, type FilterDef } from './list-spec.js';
import { UUID_PATTERN } from '../http/uuid-param.pipe.js';

/**
 * A foreign key given as the referenced row's UUID or its slug, e.g.
 * `?resource_type=virtual_machine` or `?resource_type=<uuid>` (repeatable).
 * The subquery runs on a small lookup table, so the big table keeps its index on the key.
 */
export function idOrSlug(column: string, table: string, description: string): FilterDef {
  return filter.custom({
    type: 'string',
    multi: true,
    description,
    build: (values, params) => {
      const ids = values.map(String).filter((v) => UUID_PATTERN.test(v));
      const slugs = values.map(String).filter((v) => !UUID_PATTERN.test(v));
      return `${column} IN (SELECT id FROM ${table} WHERE id = ANY(${params.add(ids)}::uuid[]) OR slug = ANY(${params.add(slugs)}::text[]))`;
    },
  });
}
