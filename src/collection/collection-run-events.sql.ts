import type { Queryable } from '../common/list/list-runner.js';
import type { EventAppender } from '../events/event-log.sql.js';

/**
 * `collection_run.<status>` events for runs whose status the caller's transaction just
 * set (started, or ended: completed, failed, canceled), built from the run rows
 * themselves so the counters are the ones stored.
 */
export function appendRunEvents(events: EventAppender, db: Queryable, runIds: string[]): Promise<number> {
  if (runIds.length === 0) return Promise.resolve(0);
  return events.appendFrom(
    db,
    `SELECT now(), p.organization_id, r.provider_id, NULL::uuid, NULL::uuid, 'collection_run.' || CASE WHEN r.status = 'running' THEN 'started' ELSE r.status END,
       CASE WHEN r.status = 'failed' THEN 'high' END,
       jsonb_build_object('collection_run', r.id, 'collection_type', r.collection_type, 'status', r.status)
       || CASE WHEN r.status = 'running' THEN '{}'::jsonb ELSE jsonb_build_object(
            'counters', jsonb_build_object('found', r.resources_found, 'created', r.resources_created,
              'updated', r.resources_updated, 'unchanged', r.resources_unchanged, 'removed', r.resources_removed,
              'rejected', r.resources_rejected),
            'duration_seconds', r.duration_seconds) END
       || CASE WHEN r.status = 'failed' THEN jsonb_build_object('error_message', coalesce(r.error_message, '')) ELSE '{}'::jsonb END
     FROM collection_runs r JOIN providers p ON p.id = r.provider_id
     WHERE r.id = ANY($1::uuid[])
     ORDER BY r.id`,
    [runIds],
  );
}
