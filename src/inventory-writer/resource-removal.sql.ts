import type { DataSource } from 'typeorm';
import { eventSeverity } from '../events/event-log.sql.js';
import type { BatchSinks, BatchTarget } from './resource-batch.sql.js';

/**
 * After a successful full run: resources of the provider that the run did not see (last
 * seen before it started, on the row and in resource_tracking) are marked removed, each
 * with a change row (their edges were closed by writeStagedRelationships). Returns the
 * number of resources removed.
 */
export async function markUnseenRemoved(
  db: DataSource,
  target: BatchTarget,
  runStartedAt: Date,
  sinks: BatchSinks,
): Promise<number> {
  return db.transaction(async (manager) => {
    const gone = await manager.query<{ id: string; ems_ref: string; name: string }[]>(
      `WITH gone AS (
         UPDATE resources r SET removed_at = $2, modified = now()
         WHERE r.provider_id = $1 AND r.removed_at IS NULL AND r.last_seen_at < $3
           AND NOT EXISTS (SELECT 1 FROM resource_tracking rt WHERE rt.resource_id = r.id AND rt.last_seen_at >= $3)
         RETURNING id, ems_ref, name
       )
       SELECT id, ems_ref, name FROM gone`,
      [target.providerId, target.seenAt, runStartedAt],
    );
    const { severity } = await sinks.changes.recordUniform(
      manager,
      { source: 'collection_run', detectedAt: target.seenAt, collectionRunId: target.runId },
      gone.map((r) => r.id),
      target.organizationId,
      { fieldPath: 'removed_at', changeType: 'removed', previousValue: null, currentValue: target.seenAt },
    );
    await sinks.events.append(
      manager,
      gone.map((r) => ({
        type: 'resource.removed',
        organizationId: target.organizationId,
        providerId: target.providerId,
        resourceId: r.id,
        severity: eventSeverity(severity),
        occurredAt: target.seenAt,
        payload: { ems_ref: r.ems_ref, name: r.name, source: 'collection_run', collection_run: target.runId },
      })),
    );
    return gone.length;
  });
}
