/**
 * A collection run that finds a resource unchanged does not rewrite the wide `resources`
 * row (a non-HOT update of ~11 index entries, 4 of them GIN): it bumps the narrow
 * `resource_tracking` row instead (last_seen_at, and seen_count as the number of such
 * bumps not counted on the resource row). Every other writer (inserts, changed or
 * restored rows, pushed facts) keeps writing `resources.last_seen_at`/`seen_count`, so the
 * values the API shows are derived from both (`r` is the resources alias):
 */
export const LAST_SEEN_AT_SQL = `greatest(r.last_seen_at, (SELECT rt.last_seen_at FROM resource_tracking rt WHERE rt.resource_id = r.id))`;
export const SEEN_COUNT_SQL = `(r.seen_count + coalesce((SELECT rt.seen_count FROM resource_tracking rt WHERE rt.resource_id = r.id), 0))`;
