/**
 * A successful full collection run does not rewrite every edge it sees again (305,500
 * rows for a 100,000-VM vCenter): it inserts new edges, reopens closed ones, closes the
 * ones it did not see and stamps `providers.relationships_seen_at`. Every edge of that
 * provider still open was therefore seen at the stamp, so the last_seen_at the API shows
 * for an open edge is the later of its own and its provider's stamp (`rel` is the
 * resource_relationships alias). Targeted runs and closed edges keep their own.
 */
export const RELATIONSHIP_LAST_SEEN_AT_SQL = `CASE WHEN rel.removed_at IS NULL
  THEN greatest(rel.last_seen_at, (SELECT p.relationships_seen_at FROM providers p WHERE p.id = rel.provider_id))
  ELSE rel.last_seen_at END`;
