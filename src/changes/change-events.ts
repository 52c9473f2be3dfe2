import { highestSeverity, MAX_EVENT_CHANGES, type NewEvent } from '../events/event-log.sql.js';
import type { RecordedChange } from './change-recorder.js';

/**
 * One `resource.changed` event per resource of some recorded changes (its change rows in
 * the payload, at most MAX_EVENT_CHANGES; the event's severity the highest of them).
 */
export function resourceChangedEvents(
  changes: RecordedChange[],
  context: {
    providerId: string;
    source: 'collection_run' | 'fact_snapshot';
    collectionRunId?: string | null;
    factSnapshotId?: string | null;
    occurredAt?: Date | null;
  },
): NewEvent[] {
  const byResource = new Map<string, RecordedChange[]>();
  for (const c of changes) {
    const list = byResource.get(c.resourceId);
    if (list) list.push(c);
    else byResource.set(c.resourceId, [c]);
  }
  return [...byResource.values()].map((list) => ({
    type: 'resource.changed',
    organizationId: list[0].organizationId,
    providerId: context.providerId,
    resourceId: list[0].resourceId,
    severity: highestSeverity(list.map((c) => c.severity)),
    occurredAt: context.occurredAt ?? null,
    payload: {
      source: context.source,
      collection_run: context.collectionRunId ?? null,
      fact_snapshot: context.factSnapshotId ?? null,
      changes: list.slice(0, MAX_EVENT_CHANGES).map((c) => ({
        field_path: c.fieldPath,
        change_type: c.changeType,
        category: c.category,
        severity: c.severity,
        previous: c.previousValue ?? null,
        current: c.currentValue ?? null,
      })),
      changes_total: list.length,
    },
  }));
}
