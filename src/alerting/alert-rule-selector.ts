import { InvalidQueryError, ValidationFailedError } from '../common/errors.js';
import type { Queryable } from '../common/list/list-runner.js';
import { parseListQuery } from '../common/list/list-query.js';
import type { SqlParams } from '../common/list/sql-params.js';
import { RESOURCE_LIST } from '../resources/resource.list-spec.js';

/** Paging, ordering and output parameters of the list: meaningless in a selector. */
const NOT_FILTERS = ['page', 'page_size', 'limit', 'offset', 'ordering', 'format', 'fields', 'cursor'];

/**
 * A rule's resource selector, parsed by the resources list's own filter code (the same
 * filters, values and errors as `GET /resources/?…`): SQL conditions over `resources r`.
 * A bad selector is a 400 naming `resource_selector` and the parameter.
 */
export function parseResourceSelector(selector: string): { where: string[]; params: SqlParams } {
  const fail = (message: string): never => {
    throw new ValidationFailedError({ resource_selector: [message] });
  };
  const query: Record<string, string[]> = {};
  const search = new URLSearchParams(selector.trim().replace(/^\?/, ''));
  for (const [key, value] of search) (query[key] ??= []).push(value);
  if (Object.keys(query).length === 0)
    fail('must give at least one filter, e.g. resource_type=virtual_machine');
  for (const key of Object.keys(query))
    if (NOT_FILTERS.includes(key)) fail(`${key}: only filters (and search) belong in a selector`);
  try {
    const parsed = parseListQuery(RESOURCE_LIST, query, { base: '', query: {} });
    return { where: parsed.where, params: parsed.params };
  } catch (error) {
    if (error instanceof InvalidQueryError) {
      const [[name, messages]] = Object.entries(error.errors);
      return fail(`${name}: ${messages.join(' ')}`);
    }
    throw error;
  }
}

/** Of `resourceIds`, those the selector selects (one statement). */
export async function selectResources(
  db: Queryable,
  selector: string,
  resourceIds: string[],
): Promise<Set<string>> {
  if (resourceIds.length === 0) return new Set();
  const { where, params } = parseResourceSelector(selector);
  const ids = params.add(resourceIds);
  const rows = await db.query<{ id: string }[]>(
    `SELECT r.id FROM resources r WHERE r.id = ANY(${ids}::uuid[]) AND ${where.length ? where.join(' AND ') : 'true'}`,
    params.values,
  );
  return new Set(rows.map((r) => r.id));
}
