import { InvalidQueryError } from '../common/errors.js';
import type { SqlParams } from '../common/list/sql-params.js';

/**
 * `GET /resources/summary/?group_by=`: what a group key is, as SQL. Groups are counted on
 * the raw columns of `resources r` (ids, not names) and the labels joined afterwards, so
 * the one statement scans resources once and joins only the groups.
 */
interface GroupKey {
  /** The expression counted on (a column of `resources r`, or one joined for it). */
  expression: string;
  /** Extra output columns joined in for the group's value (e.g. a provider's name). */
  labels?: { table: string; columns: Record<string, string> };
  /** A join the expression needs on `resources r`: the provider (`sp`) or the resource type (`st`). */
  needs?: 'provider' | 'type';
}

const PLAIN: Record<string, string> = {
  state: 'r.state',
  power_state: 'r.power_state',
  os_type: 'r.os_type',
  os_name: 'r.os_name',
  region: 'r.region',
  availability_zone: 'r.availability_zone',
  vendor_type: 'r.vendor_type',
  cloud_tenant: 'r.cloud_tenant',
  flavor: 'r.flavor',
};

const TIME_FIELDS = ['first_discovered_at', 'removed_at'] as const;
const TIME_BUCKETS = ['day', 'week'] as const;

export const SUMMARY_GROUP_FIELDS = [
  'resource_type',
  'category',
  'provider',
  'organization',
  'infrastructure',
  ...Object.keys(PLAIN),
  'tag:<key>',
  ...TIME_FIELDS.flatMap((f) => TIME_BUCKETS.map((b) => `${f}:${b}`)),
];

function groupKey(name: string, params: SqlParams): GroupKey {
  if (name in PLAIN) return { expression: PLAIN[name] };
  switch (name) {
    case 'resource_type':
      return {
        expression: 'r.resource_type_id',
        labels: {
          table: 'resource_types',
          columns: { resource_type_slug: 'slug', resource_type_name: 'name' },
        },
      };
    case 'category':
      return {
        expression: 'st.category_id',
        needs: 'type',
        labels: { table: 'resource_categories', columns: { category_slug: 'slug', category_name: 'name' } },
      };
    case 'provider':
      return {
        expression: 'r.provider_id',
        labels: { table: 'providers', columns: { provider_name: 'name', provider_vendor: 'vendor' } },
      };
    case 'organization':
      return {
        expression: 'r.organization_id',
        labels: { table: 'organizations', columns: { organization_name: 'name' } },
      };
    case 'infrastructure':
      return { expression: 'sp.infrastructure', needs: 'provider' };
  }
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    if (key === '' || key.length > 255) throw new InvalidQueryError('group_by', `"${name}" needs a tag key.`);
    return { expression: `r.provider_tags ->> ${params.add(key)}` };
  }
  const [field, bucket] = name.split(':');
  if (
    (TIME_FIELDS as readonly string[]).includes(field) &&
    (TIME_BUCKETS as readonly string[]).includes(bucket)
  )
    return { expression: `to_char(date_trunc('${bucket}', r.${field} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')` };
  throw new InvalidQueryError(
    'group_by',
    `"${name}" is not a summary field. Use: ${SUMMARY_GROUP_FIELDS.join(', ')}.`,
  );
}

/** At most this many groups are answered (the largest first); `truncated` says when there were more. */
export const MAX_SUMMARY_GROUPS = 1000;

export interface SummaryQuery {
  sql: string;
  /** Output column per group_by name: the value, then its labels. */
  names: { name: string; labels: string[] }[];
}

/** One statement: count per group over the filtered, visible resources, largest groups first. */
export function buildResourceSummary(
  groupBy: string[],
  conditions: string[],
  params: SqlParams,
): SummaryQuery {
  if (groupBy.length === 0) throw new InvalidQueryError('group_by', 'is required (repeatable).');
  if (groupBy.length > 3) throw new InvalidQueryError('group_by', 'may be given at most 3 times.');
  if (new Set(groupBy).size !== groupBy.length)
    throw new InvalidQueryError('group_by', 'names a field twice.');
  const keys = groupBy.map((name) => groupKey(name, params));
  const from = [
    'resources r',
    ...(keys.some((k) => k.needs === 'provider') ? ['JOIN providers sp ON sp.id = r.provider_id'] : []),
    ...(keys.some((k) => k.needs === 'type') ? ['JOIN resource_types st ON st.id = r.resource_type_id'] : []),
  ].join(' ');
  const where = conditions.length ? `WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '';
  const inner = keys.map((k, i) => `${k.expression} AS k${i}`).join(', ');
  const joins = keys
    .map((k, i) => (k.labels ? `LEFT JOIN ${k.labels.table} l${i} ON l${i}.id = g.k${i}` : ''))
    .filter(Boolean)
    .join('\n');
  const labelColumns = keys.flatMap((k, i) =>
    Object.entries(k.labels?.columns ?? {}).map(([as, column]) => `l${i}.${column} AS ${as}`),
  );
  const sql = `SELECT ${keys.map((_, i) => `g.k${i}`).join(', ')}, g.count, g.total, g.groups
    ${labelColumns.length ? `, ${labelColumns.join(', ')}` : ''}
    FROM (
      SELECT ${keys.map((_, i) => `k${i}`).join(', ')}, count, sum(count) OVER ()::bigint AS total, count(*) OVER ()::int AS groups
      FROM (SELECT ${inner}, count(*)::int AS count FROM ${from} ${where} GROUP BY ${keys.map((_, i) => i + 1).join(', ')}) c
      ORDER BY count DESC, ${keys.map((_, i) => `k${i} ASC NULLS LAST`).join(', ')}
      LIMIT ${MAX_SUMMARY_GROUPS}
    ) g
    ${joins}
    ORDER BY g.count DESC, ${keys.map((_, i) => `g.k${i} ASC NULLS LAST`).join(', ')}`;
  const names = groupBy.map((name, i) => ({ name, labels: Object.keys(keys[i].labels?.columns ?? {}) }));
  return { sql, names };
}
