import type { Queryable } from '../common/list/list-runner.js';
import type { SqlParams } from '../common/list/sql-params.js';

/**
 * The SQL of user tags on resources (tables `tags`, `resource_tags`; owner: src/tags).
 * The resources list reads through `userTagCondition` and `userTagsOf`; every write goes
 * through TagsService, which takes the organization's tagging lock first
 * (`lockOrganizationTags`), so the events computed from a SELECT describe exactly what
 * the following INSERT or DELETE does.
 */

/** One user tag as a resource answer shows it. */
export interface UserTagRow {
  resource_id: string;
  id: string;
  key: string;
  value: string;
  color: string | null;
}

/**
 * `?tag=key=value`, user-tag side: the resources carrying that tag. An uncorrelated
 * ARRAY(...) is computed once per statement (an InitPlan), so OR-ed with the provider
 * tags' GIN condition it becomes a BitmapOr of two index scans, not a probe per row.
 */
export function userTagCondition(key: string, value: string, params: SqlParams): string {
  return `r.id = ANY(ARRAY(SELECT rt.resource_id FROM resource_tags rt JOIN tags t ON t.id = rt.tag_id
    WHERE t.key = ${params.add(key)} AND t.value = ${params.add(value)}))`;
}

/** The user tags of a page of resources, by resource id (one query). */
export async function userTagsOf(db: Queryable, resourceIds: string[]): Promise<Map<string, UserTagRow[]>> {
  const byResource = new Map<string, UserTagRow[]>();
  if (resourceIds.length === 0) return byResource;
  const rows = await db.query<UserTagRow[]>(
    `SELECT rt.resource_id, t.id, t.key, t.value, t.color
     FROM resource_tags rt JOIN tags t ON t.id = rt.tag_id
     WHERE rt.resource_id = ANY($1::uuid[])
     ORDER BY t.key, t.value`,
    [resourceIds],
  );
  for (const row of rows) {
    const list = byResource.get(row.resource_id) ?? [];
    list.push(row);
    byResource.set(row.resource_id, list);
  }
  return byResource;
}

/** Advisory lock class of the tagging lock ("tg" in ASCII); the object is the organization id. */
const TAGGING_LOCK_CLASS = 29799;

/** Serializes tag writes of one organization until the transaction ends. */
export async function lockOrganizationTags(db: Queryable, organizationId: number): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock($1::int, $2::int)`, [TAGGING_LOCK_CLASS, organizationId]);
}

export type TagEventType = 'resource.tagged' | 'resource.untagged';

/**
 * The SELECT appendFrom takes: one event per resource of `pairs` (a SELECT of
 * resource_id, tag_id), listing its tags as they are now in `tags`.
 */
export function tagEventsSelect(
  type: TagEventType,
  pairs: string,
  params: SqlParams,
  via: string,
  actor: string | null,
): string {
  return `SELECT now(), r.organization_id, r.provider_id, r.id, NULL::uuid, ${params.add(type)}::text, NULL::text,
      jsonb_build_object(
        'tags', jsonb_agg(jsonb_build_object('id', t.id, 'key', t.key, 'value', t.value) ORDER BY t.key, t.value),
        'via', ${params.add(via)}::text, 'actor', ${params.add(actor)}::text)
    FROM (${pairs}) p JOIN resources r ON r.id = p.resource_id JOIN tags t ON t.id = p.tag_id
    GROUP BY r.id ORDER BY r.id`;
}

/** (resource, tag) pairs not assigned yet: the resources matching `where` (alias r) × the tag ids. */
export function missingPairs(where: string[], tagIds: string): string {
  return `SELECT r.id AS resource_id, tid AS tag_id
    FROM resources r CROSS JOIN unnest(${tagIds}::uuid[]) AS tid
    WHERE ${where.map((c) => `(${c})`).join(' AND ') || 'true'}
      AND NOT EXISTS (SELECT 1 FROM resource_tags x WHERE x.resource_id = r.id AND x.tag_id = tid)`;
}

/** Assigned pairs of the resources matching `where` (alias r) whose tag `tagCondition` (alias x) selects. */
export function assignedPairs(where: string[], tagCondition: string): string {
  return `SELECT x.resource_id, x.tag_id
    FROM resource_tags x JOIN resources r ON r.id = x.resource_id
    WHERE ${[...where, tagCondition].map((c) => `(${c})`).join(' AND ')}`;
}
