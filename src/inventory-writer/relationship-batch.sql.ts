import type { DataSource } from 'typeorm';
import type { EventAppender } from '../events/event-log.sql.js';
import type { Queryable } from '../common/list/list-runner.js';
import { type BatchTarget, PROVIDER_LOCK } from './resource-batch.sql.js';

/** Adds a batch of relationship records (by ems_ref) to the run's staging rows. */
export async function stageRelationships(
  db: Queryable,
  runId: string,
  batch: { source: string; target: string; type: string }[],
): Promise<void> {
  if (batch.length === 0) return;
  await db.query(
    `INSERT INTO collection_relationship_staging (run_id, source_ref, target_ref, relationship_type)
     SELECT $1, x.source, x.target, x.type FROM jsonb_to_recordset($2::jsonb) AS x(source text, target text, type text)`,
    [runId, JSON.stringify(batch)],
  );
}

/**
 * Resolves the run's staged relationships to resource ids and writes them in one
 * statement (its data-modifying parts run whether or not the answer reads them). Returns
 * how many distinct edges the run reported and how many named a resource it did not.
 *
 * A successful full run compares with the provider's open edges instead of rewriting
 * each one it sees again: new edges are inserted, closed (or another provider's) edges
 * taken over and reopened, open edges it did not see closed, and the provider stamped
 * with relationships_seen_at, from which an open edge's last_seen_at is derived
 * (src/relationships/relationship-last-seen.sql.ts). An unchanged run writes no edge.
 * A targeted run closes nothing and bumps the last_seen_at of the edges it saw.
 */
export async function writeStagedRelationships(
  db: DataSource,
  target: BatchTarget,
  full: boolean,
  events: EventAppender,
): Promise<{ reported: number; dangling: number }> {
  const onConflict = `ON CONFLICT (source_id, target_id, relationship_type) DO UPDATE
         SET last_seen_at = EXCLUDED.last_seen_at, removed_at = NULL, provider_id = EXCLUDED.provider_id,
             organization_id = EXCLUDED.organization_id, modified = now()`;
  const writes = full
    ? `diff AS (
       SELECT r.source_id, r.target_id, r.relationship_type, o.id AS open_id
       FROM resolved r FULL JOIN (
         SELECT rel.id, rel.source_id, rel.target_id, rel.relationship_type FROM resource_relationships rel
         WHERE rel.provider_id = $2 AND rel.removed_at IS NULL
       ) o ON o.source_id = r.source_id AND o.target_id = r.target_id AND o.relationship_type = r.relationship_type
     ),
     upserted AS (
       INSERT INTO resource_relationships AS rel (source_id, target_id, relationship_type, provider_id, organization_id, first_seen_at, last_seen_at)
       SELECT d.source_id, d.target_id, d.relationship_type, $2, $3, $4, $4 FROM diff d
       WHERE d.open_id IS NULL AND d.source_id IS NOT NULL AND EXISTS (SELECT 1 FROM provider_lock)
       -- In unique-index order: neighbouring inserts land on the same index pages.
       ORDER BY d.source_id, d.target_id, d.relationship_type
       ${onConflict}
       RETURNING 1
     ),
     closed AS (
       -- A closed edge keeps the time it was last seen: the provider's stamp before this run.
       UPDATE resource_relationships rel SET removed_at = $4, modified = now(),
         last_seen_at = greatest(rel.last_seen_at, (SELECT p.relationships_seen_at FROM providers p WHERE p.id = $2))
       WHERE rel.id = ANY (ARRAY(SELECT d.open_id FROM diff d WHERE d.source_id IS NULL))
         AND EXISTS (SELECT 1 FROM provider_lock)
       RETURNING 1
     ),
     stamped AS (
       UPDATE providers SET relationships_seen_at = $4 WHERE id = $2 AND EXISTS (SELECT 1 FROM provider_lock) RETURNING 1
     )`
    : `upserted AS (
       INSERT INTO resource_relationships AS rel (source_id, target_id, relationship_type, provider_id, organization_id, first_seen_at, last_seen_at)
       SELECT r.source_id, r.target_id, r.relationship_type, $2, $3, $4, $4 FROM resolved r
       WHERE EXISTS (SELECT 1 FROM provider_lock)
       ${onConflict}
       RETURNING 1
     )`;
  // Every join here is between whole sets (the run's edges, the provider's resources and
  // open edges) whose sizes the planner cannot estimate: staging rows and a fresh fill have
  // no statistics yet, so it once chose a nested loop over two CTEs and went quadratic on
  // 305,500 edges. Hash joins are right at every size, so nested loops are turned off.
  return db.transaction(async (manager) => {
    await manager.query('SET LOCAL enable_nestloop = off');
    // The DISTINCT sort and the hashes of a 100,000-VM run (305,500 edges) fit in 64 MB;
    // with the 4 MB default they spill to disk. Larger runs still spill: bounded memory.
    await manager.query(`SET LOCAL work_mem = '64MB'`);
    const rows = await manager.query<{ reported: number; dangling: number }[]>(
      `WITH ${PROVIDER_LOCK},
     staged AS (
       SELECT DISTINCT st.source_ref, st.target_ref, st.relationship_type FROM collection_relationship_staging st WHERE st.run_id = $1
     ),
     resolved AS (
       SELECT src.id AS source_id, tgt.id AS target_id, s.relationship_type
       FROM staged s
       JOIN resources src ON src.provider_id = $2 AND src.ems_ref = s.source_ref
       JOIN resources tgt ON tgt.provider_id = $2 AND tgt.ems_ref = s.target_ref
     ),
     ${writes},
     cleared AS (DELETE FROM collection_relationship_staging WHERE run_id = $1 RETURNING 1)
     SELECT (SELECT count(*) FROM resolved)::int AS reported,
            ((SELECT count(*) FROM staged) - (SELECT count(*) FROM resolved))::int AS dangling,
            (SELECT count(*) FROM cleared)::int AS cleared`,
      [target.runId, target.providerId, target.organizationId, target.seenAt],
    );
    // The edges this transaction wrote (xmin: the writing transaction), as events, without
    // the rows leaving the database: new or reopened edges are added (a targeted run
    // rewrites every edge it saw, so there only those first seen now), closed ones closed.
    await events.appendFrom(
      manager,
      `SELECT $4::timestamptz, $3::int, $2::uuid, rel.source_id, NULL::uuid,
         CASE WHEN rel.removed_at IS NULL THEN 'relationship.added' ELSE 'relationship.closed' END, NULL,
         jsonb_build_object('relationship', rel.id, 'source', rel.source_id, 'target', rel.target_id,
           'relationship_type', rel.relationship_type, 'collection_run', $1::uuid)
       FROM resource_relationships rel
       WHERE rel.provider_id = $2 AND rel.xmin = pg_current_xact_id()::xid
         AND (rel.removed_at = $4 OR (rel.removed_at IS NULL AND ($5 OR rel.first_seen_at = $4)))
       ORDER BY rel.source_id, rel.target_id, rel.relationship_type`,
      [target.runId, target.providerId, target.organizationId, target.seenAt, full],
    );
    return rows[0];
  });
}
