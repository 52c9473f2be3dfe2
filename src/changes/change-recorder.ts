import type { Queryable } from '../common/list/list-runner.js';
import { ChangeClassifier } from './change-rules.js';
import type { ChangeCategory, ChangeSeverity, ChangeSource, ChangeType } from './resource-change.enums.js';

/** A difference some write path found, before classification. */
export interface ObservedChange {
  resourceId: string;
  organizationId: number;
  fieldPath: string;
  changeType: ChangeType;
  previousValue: unknown;
  currentValue: unknown;
}

/** What found the changes of one call (all its rows share it). */
export interface ChangeOrigin {
  source: ChangeSource;
  /** null: the database's now() (the transaction's start). */
  detectedAt: Date | null;
  collectionRunId?: string | null;
  factSnapshotId?: string | null;
}

export interface RecordedChange extends ObservedChange {
  category: ChangeCategory;
  severity: ChangeSeverity;
}

/**
 * The one writer of resource_changes, and the one place a change gets its category and
 * severity: the collection batches, the pushes and the heartbeats all hand their raw
 * differences here, and the same rule set (CHANGE_RULES_FILE, then the built-in rules)
 * classifies them whichever path they came by. Each call is one set-based INSERT
 * (jsonb_to_recordset), in the caller's transaction.
 */
export class ChangeRecorder {
  constructor(readonly classifier: ChangeClassifier = new ChangeClassifier()) {}

  classify(change: ObservedChange): RecordedChange {
    return {
      ...change,
      ...this.classifier.classify(change.fieldPath, change.changeType, change.currentValue),
    };
  }

  /** Classifies and inserts the changes; returns them classified (for the caller's events). */
  async record(db: Queryable, origin: ChangeOrigin, changes: ObservedChange[]): Promise<RecordedChange[]> {
    if (changes.length === 0) return [];
    const classified = changes.map((c) => this.classify(c));
    await insertChanges(db, origin, classified);
    return classified;
  }

  /**
   * Many resources with the same change (a full run's removals): classified once, written
   * by one statement over an id array, so 100,000 removals cost no per-row JSON.
   */
  async recordUniform(
    db: Queryable,
    origin: ChangeOrigin,
    resourceIds: string[],
    organizationId: number,
    change: Pick<ObservedChange, 'fieldPath' | 'changeType' | 'previousValue' | 'currentValue'>,
  ): Promise<Pick<RecordedChange, 'category' | 'severity'>> {
    const { category, severity } = this.classifier.classify(
      change.fieldPath,
      change.changeType,
      change.currentValue,
    );
    if (resourceIds.length === 0) return { category, severity };
    await db.query(
      `INSERT INTO resource_changes (resource_id, organization_id, detected_at, source, collection_run_id, fact_snapshot_id,
         field_path, change_type, previous_value, current_value, category, severity)
       SELECT id, $2, coalesce($3::timestamptz, now()), $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM unnest($1::uuid[]) AS id`,
      [
        resourceIds,
        organizationId,
        origin.detectedAt,
        origin.source,
        origin.collectionRunId ?? null,
        origin.factSnapshotId ?? null,
        change.fieldPath,
        change.changeType,
        jsonOrNull(change.previousValue),
        jsonOrNull(change.currentValue),
        category,
        severity,
      ],
    );
    return { category, severity };
  }
}

const jsonOrNull = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

async function insertChanges(db: Queryable, origin: ChangeOrigin, changes: RecordedChange[]): Promise<void> {
  await db.query(
    `INSERT INTO resource_changes (resource_id, organization_id, detected_at, source, collection_run_id, fact_snapshot_id,
       field_path, change_type, previous_value, current_value, category, severity)
     SELECT c.resource_id, c.organization_id, coalesce($2::timestamptz, now()), $3, $4, $5, c.path, c.type, c.prev, c.cur,
       c.category, c.severity
     FROM jsonb_to_recordset($1::jsonb) AS c(resource_id uuid, organization_id int, path text, type text, prev jsonb,
       cur jsonb, category text, severity text)`,
    [
      JSON.stringify(
        changes.map((c) => ({
          resource_id: c.resourceId,
          organization_id: c.organizationId,
          path: c.fieldPath,
          type: c.changeType,
          prev: c.previousValue ?? null,
          cur: c.currentValue ?? null,
          category: c.category,
          severity: c.severity,
        })),
      ),
      origin.detectedAt,
      origin.source,
      origin.collectionRunId ?? null,
      origin.factSnapshotId ?? null,
    ],
  );
}
