import type { Queryable } from '../common/list/list-runner.js';
import type { ChangeCategory, ChangeSeverity } from './resource-change.enums.js';

/**
 * Reading a resource as it was: its change rows are the history of every tracked field
 * (src/changes/change-recorder.ts writes them for pulls, pushes and heartbeats alike), so
 * the value a path had at time T is the previous value of the first change after T, or
 * today's value when nothing changed since. Removal is a change of `removed_at` too: a
 * removal records (null → the time), a restoration (the old time → null).
 */

/** The value each path had at `at`, for the paths that changed after it (one index range read). */
export async function valuesAt(db: Queryable, resourceId: string, at: Date): Promise<Map<string, unknown>> {
  const rows = await db.query<{ field_path: string; previous_value: unknown }[]>(
    `SELECT DISTINCT ON (field_path) field_path, previous_value
     FROM resource_changes
     WHERE resource_id = $1 AND detected_at > $2
     ORDER BY field_path, detected_at, created`,
    [resourceId, at],
  );
  return new Map(rows.map((r) => [r.field_path, r.previous_value]));
}

// A JSON null and SQL NULL both mean "absent" (the recorders write either).
const FROM_VALUE = `nullif((array_agg(previous_value ORDER BY detected_at, created))[1], 'null'::jsonb)`;
const TO_VALUE = `nullif((array_agg(current_value ORDER BY detected_at DESC, created DESC))[1], 'null'::jsonb)`;
const SEVERITY_RANK = `array_position(ARRAY['info', 'low', 'medium', 'high', 'critical']::varchar[], severity)`;

export interface PathDifference {
  field_path: string;
  from_value: unknown;
  to_value: unknown;
  /** Classification of the latest change of the path in the window. */
  category: ChangeCategory;
  /** The highest severity among the path's changes in the window. */
  severity: ChangeSeverity;
  /** How many changes of the path lie in the window (a value can change and change back). */
  changes: number;
  last_changed_at: string;
}

/**
 * Every path whose value at `to` differs from its value at `from`: per path, the first
 * change after `from` holds the value at `from`, the last change at or before `to` the
 * value at `to`. Paths that changed and changed back are not differences.
 */
export async function differencesBetween(
  db: Queryable,
  resourceId: string,
  from: Date,
  to: Date,
): Promise<PathDifference[]> {
  const rows = await db.query<(Omit<PathDifference, 'last_changed_at'> & { last_changed_at: Date })[]>(
    `SELECT field_path, ${FROM_VALUE} AS from_value, ${TO_VALUE} AS to_value,
            (array_agg(category ORDER BY detected_at DESC, created DESC))[1] AS category,
            (array_agg(severity ORDER BY ${SEVERITY_RANK} DESC))[1] AS severity,
            count(*)::int AS changes,
            max(detected_at) AS last_changed_at
     FROM resource_changes
     WHERE resource_id = $1 AND detected_at > $2 AND detected_at <= $3
     GROUP BY field_path
     HAVING ${FROM_VALUE} IS DISTINCT FROM ${TO_VALUE}
     ORDER BY field_path`,
    [resourceId, from, to],
  );
  return rows.map((r) => ({ ...r, last_changed_at: r.last_changed_at.toISOString() }));
}

/**
 * `?present_at=`: the resource (alias `r`) existed at the time in `param`: it was
 * discovered by then, not removed by then, and the time lies in none of its earlier
 * removals (a restoration's change row holds the removal it ended: previous value = when
 * it was removed, detected_at = when it came back). The restorations are few and have
 * their own partial index (migrations/1766400000000-resource-present-at.ts).
 */
export function presentAtCondition(param: string): string {
  return `(r.first_discovered_at <= ${param}
    AND (r.removed_at IS NULL OR r.removed_at > ${param})
    AND NOT EXISTS (
      SELECT 1 FROM resource_changes rc
      WHERE rc.resource_id = r.id AND rc.field_path = 'removed_at' AND rc.change_type = 'restored'
        AND rc.detected_at > ${param}
        -- CASE: the cast is evaluated only for restorations, whose previous value is a time.
        AND CASE WHEN rc.field_path = 'removed_at' AND rc.change_type = 'restored'
                 THEN (rc.previous_value #>> '{}')::timestamptz END <= ${param}))`;
}
