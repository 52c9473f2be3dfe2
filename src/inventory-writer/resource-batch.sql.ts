import type { DataSource } from 'typeorm';
import type { ChangeRecorder, ObservedChange } from '../changes/change-recorder.js';
import { resourceChangedEvents } from '../changes/change-events.js';
import type { ChangeType } from '../changes/resource-change.enums.js';
import { eventSeverity, type EventAppender, type NewEvent } from '../events/event-log.sql.js';
import type { Queryable } from '../common/list/list-runner.js';

/** A resource record after the engine resolved its type and hashed its content. */
export interface PreparedResource {
  ems_ref: string;
  resource_type_id: string;
  vendor_type: string;
  name: string;
  canonical_id: string | null;
  vendor_identifiers: Record<string, unknown>;
  state: string;
  power_state: string | null;
  region: string;
  availability_zone: string;
  cloud_tenant: string;
  flavor: string;
  fqdn: string;
  ip_addresses: string[];
  os_type: string;
  os_name: string;
  cpu_count: number | null;
  memory_mb: number | null;
  disk_gb: number | null;
  properties: Record<string, unknown>;
  provider_tags: Record<string, unknown>;
  description: string;
  boot_time: string | null;
  ems_created_on: string | null;
  content_hash: string;
  metrics: Record<string, unknown>;
  /** This record as the JSON object the batch statement reads (all the fields above). */
  payload: string;
}

export interface BatchTarget {
  providerId: string;
  organizationId: number;
  runId: string;
  seenAt: Date;
}

/** Where a batch's changes and events go (the change recorder and the event log). */
export interface BatchSinks {
  changes: ChangeRecorder;
  events: EventAppender;
}

export interface BatchOutcome {
  created: number;
  updated: number;
  unchanged: number;
  changes: number;
}

const COLUMNS = `ems_ref text, resource_type_id uuid, vendor_type text, name text, canonical_id text, vendor_identifiers jsonb,
  state text, power_state text, region text, availability_zone text, cloud_tenant text, flavor text, fqdn text,
  ip_addresses text[], os_type text, os_name text, cpu_count int, memory_mb int, disk_gb float8, properties jsonb,
  provider_tags jsonb, description text, boot_time timestamptz, ems_created_on timestamptz, content_hash text, metrics jsonb`;

const WRITABLE = [
  'resource_type_id',
  'vendor_type',
  'name',
  'canonical_id',
  'vendor_identifiers',
  'state',
  'power_state',
  'region',
  'availability_zone',
  'cloud_tenant',
  'flavor',
  'fqdn',
  'ip_addresses',
  'os_type',
  'os_name',
  'cpu_count',
  'memory_mb',
  'disk_gb',
  'properties',
  'provider_tags',
  'description',
  'boot_time',
  'ems_created_on',
  'content_hash',
];

/**
 * Tracked fields: a difference makes a resource_changes row, classified by the change
 * rules (src/changes/change-rules.ts) like every other change.
 */
export const TRACKED = [
  'name',
  'state',
  'power_state',
  'cpu_count',
  'memory_mb',
  'disk_gb',
  'ip_addresses',
  'fqdn',
  'os_name',
  'os_type',
  'region',
  'availability_zone',
  'flavor',
  'cloud_tenant',
];

/**
 * resource_sightings, resource_tracking and resource_relationships have no foreign keys
 * (migrations/1764800000000-collection-write-path.ts), so every statement that writes
 * them for a run first takes a FOR KEY SHARE lock on the provider row, and writes nothing
 * when the provider is gone: a provider deletion then either waits for the statement to
 * commit (and its triggers remove what it wrote) or has committed before the lock is
 * granted (and the gate sees no row), never leaving rows that point at deleted resources.
 */
export const PROVIDER_LOCK = `provider_lock AS (SELECT id FROM providers WHERE id = $2 FOR KEY SHARE)`;

const trackedValues = TRACKED.map((f) => `('${f}', to_jsonb(b.${f}), to_jsonb(i.${f}))`).join(',\n      ');

/**
 * The statement writeResourceBatch runs: one batch (about 1,000 records) in ONE statement, so the whole batch costs one
 * round trip and the database does the set work:
 * - `before` reads the existing rows of the batch by (provider_id, ems_ref), as index
 *   lookups of the batch's keys (never a scan of all the provider's rows);
 * - `touched`: rows whose content hash is unchanged are not rewritten at all: their narrow
 *   resource_tracking row gets last_seen_at and one more seen_count (a HOT update; see
 *   src/resources/resource-tracking.sql.ts), no change detection;
 * - `written`: new rows are inserted, changed (or restored) rows upserted;
 * - `sighted`: one sighting per record of the batch;
 * - `diffs`: the tracked fields and property keys that differ are found in the same pass
 *   (a removed resource seen again is "restored") and returned, for the change recorder
 *   to classify and insert in the same transaction (src/changes/change-recorder.ts).
 * All sub-statements see the same snapshot and touch disjoint rows, and none writes
 * unless the provider row could be locked (see PROVIDER_LOCK).
 */
export const RESOURCE_BATCH_STATEMENT = `
WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${COLUMNS})),
${PROVIDER_LOCK},
before AS (
  -- One unique-index lookup per record (the LIMIT keeps the lateral subquery from being
  -- flattened into a join): jsonb_to_recordset is estimated at 100 rows and the provider's
  -- statistics lag behind a fresh fill, so a plain join read ALL of the provider's rows
  -- into a hash for every batch. Which index serves the probe is pinned by
  -- pinBatchPlan below.
  SELECT r.*
  FROM input i CROSS JOIN LATERAL (
    SELECT r.id, r.ems_ref, r.content_hash, r.removed_at, ${TRACKED.map((f) => `r.${f}`).join(', ')}, r.properties
    FROM resources r WHERE r.provider_id = $2 AND r.ems_ref = i.ems_ref LIMIT 1
  ) r
),
touched AS (
  INSERT INTO resource_tracking AS rt (resource_id, last_seen_at, seen_count)
  SELECT b.id, $4, 1 FROM before b JOIN input i ON i.ems_ref = b.ems_ref
  WHERE b.content_hash = i.content_hash AND b.removed_at IS NULL AND EXISTS (SELECT 1 FROM provider_lock)
  ON CONFLICT (resource_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, seen_count = rt.seen_count + 1
  RETURNING rt.resource_id AS id
),
written AS (
  INSERT INTO resources AS r (provider_id, organization_id, ems_ref, ${WRITABLE.join(', ')}, first_discovered_at, last_seen_at, seen_count)
  SELECT $2, $3, i.ems_ref, ${WRITABLE.map((c) => `i.${c}`).join(', ')}, $4, $4, 1
  FROM input i
  WHERE NOT EXISTS (SELECT 1 FROM before b WHERE b.ems_ref = i.ems_ref AND b.content_hash = i.content_hash AND b.removed_at IS NULL)
    AND EXISTS (SELECT 1 FROM provider_lock)
  ON CONFLICT (provider_id, ems_ref) DO UPDATE SET
    ${WRITABLE.map((c) => `${c} = EXCLUDED.${c}`).join(', ')},
    organization_id = EXCLUDED.organization_id, last_seen_at = EXCLUDED.last_seen_at, seen_count = r.seen_count + 1,
    removed_at = NULL, modified = now()
  RETURNING r.id, r.ems_ref, (xmax = 0) AS inserted
),
sighted AS (
  INSERT INTO resource_sightings (resource_id, provider_id, organization_id, collection_run_id, seen_at, state, power_state, cpu_count, memory_mb, disk_gb, metrics)
  SELECT s.id, $2, $3, $5, $4, i.state, i.power_state, i.cpu_count, i.memory_mb, i.disk_gb, coalesce(i.metrics, '{}')
  FROM (SELECT b.id, b.ems_ref FROM touched t JOIN before b ON b.id = t.id UNION ALL SELECT id, ems_ref FROM written) s
  JOIN input i ON i.ems_ref = s.ems_ref
  RETURNING 1
),
diffs AS (
  SELECT d.id, d.path,
         CASE WHEN d.path = 'removed_at' THEN 'restored' WHEN d.prev IS NULL OR d.prev = 'null' THEN 'added'
              WHEN d.cur IS NULL OR d.cur = 'null' THEN 'removed' ELSE 'modified' END AS type,
         d.prev, d.cur
  FROM (
    SELECT b.id, f.path, f.prev, f.cur
    FROM before b JOIN input i ON i.ems_ref = b.ems_ref
    CROSS JOIN LATERAL (VALUES
      ${trackedValues},
      ('removed_at', to_jsonb(b.removed_at), NULL::jsonb)
    ) AS f(path, prev, cur)
    WHERE (b.content_hash IS DISTINCT FROM i.content_hash OR b.removed_at IS NOT NULL) AND f.prev IS DISTINCT FROM f.cur
    UNION ALL
    SELECT b.id, 'properties.' || k.key, b.properties -> k.key, i.properties -> k.key
    FROM before b JOIN input i ON i.ems_ref = b.ems_ref
    CROSS JOIN LATERAL (SELECT jsonb_object_keys(b.properties) UNION SELECT jsonb_object_keys(coalesce(i.properties, '{}'))) AS k(key)
    WHERE b.content_hash IS DISTINCT FROM i.content_hash AND (b.properties -> k.key) IS DISTINCT FROM (i.properties -> k.key)
  ) d
  WHERE EXISTS (SELECT 1 FROM provider_lock)
)
SELECT (SELECT count(*) FROM written WHERE inserted)::int AS created,
       (SELECT count(*) FROM written WHERE NOT inserted)::int AS updated,
       (SELECT count(*) FROM touched)::int AS unchanged,
       (SELECT count(*) FROM sighted)::int AS sightings,
       (SELECT jsonb_agg(jsonb_build_array(id, path, type, prev, cur)) FROM diffs) AS diffs,
       (SELECT jsonb_agg(jsonb_build_array(id, ems_ref)) FROM written WHERE inserted) AS inserted`;

/**
 * Makes the batch statement's plan independent of the provider's statistics. Planned for
 * its actual provider id, a provider the statistics have not seen yet (a new one, or any
 * provider filled since the last ANALYZE) is estimated at one row, and every index that
 * leads with provider_id then costs the same as the unique (provider_id, ems_ref) one:
 * the planner took (provider_id, state, name), and each probe of a batch scanned every
 * row of the provider written so far (quadratic: 1.8 s for a 1,000-row batch with 20,000
 * rows behind it). A generic plan estimates `provider_id = $2` at the average rows per
 * provider instead, so only the unique index keeps a one-row estimate and is chosen.
 */
export async function pinBatchPlan(manager: Queryable): Promise<void> {
  await manager.query('SET LOCAL plan_cache_mode = force_generic_plan');
}

export async function writeResourceBatch(
  db: DataSource,
  target: BatchTarget,
  batch: PreparedResource[],
  sinks: BatchSinks,
): Promise<BatchOutcome> {
  type Diff = [string, string, ChangeType, unknown, unknown];
  return db.transaction(async (manager) => {
    await pinBatchPlan(manager);
    const rows = await manager.query<
      (Omit<BatchOutcome, 'changes'> & { diffs: Diff[] | null; inserted: [string, string][] | null })[]
    >(RESOURCE_BATCH_STATEMENT, [
      `[${batch.map((r) => r.payload).join(',')}]`,
      target.providerId,
      target.organizationId,
      target.seenAt,
      target.runId,
    ]);
    const { created, updated, unchanged, diffs, inserted } = rows[0];
    const observed: ObservedChange[] = (diffs ?? []).map(
      ([resourceId, fieldPath, changeType, prev, cur]) => ({
        resourceId,
        organizationId: target.organizationId,
        fieldPath,
        changeType,
        previousValue: prev,
        currentValue: cur,
      }),
    );
    const recorded = await sinks.changes.record(
      manager,
      { source: 'collection_run', detectedAt: target.seenAt, collectionRunId: target.runId },
      observed,
    );
    // The batch's events, in the same transaction: created, restored, changed.
    const names = new Map(batch.map((r) => [r.ems_ref, r.name]));
    const refs = new Map<string, string>((inserted ?? []).map(([id, ref]) => [id, ref]));
    const resourceEvent = (
      type: NewEvent['type'],
      id: string,
      emsRef: string,
      severity: string | null = null,
    ) => ({
      type,
      organizationId: target.organizationId,
      providerId: target.providerId,
      resourceId: id,
      severity: eventSeverity(severity),
      occurredAt: target.seenAt,
      payload: {
        ems_ref: emsRef,
        name: names.get(emsRef) ?? emsRef,
        source: 'collection_run',
        collection_run: target.runId,
      },
    });
    const events: NewEvent[] = [...refs].map(([id, ref]) => resourceEvent('resource.created', id, ref));
    const restored = recorded.filter((c) => c.changeType === 'restored');
    if (restored.length) {
      const refsById = new Map(
        (
          await manager.query<{ id: string; ems_ref: string }[]>(
            `SELECT id, ems_ref FROM resources WHERE id = ANY($1::uuid[])`,
            [restored.map((c) => c.resourceId)],
          )
        ).map((r) => [r.id, r.ems_ref]),
      );
      for (const c of restored)
        events.push(
          resourceEvent('resource.restored', c.resourceId, refsById.get(c.resourceId) ?? '', c.severity),
        );
    }
    events.push(
      ...resourceChangedEvents(recorded, {
        providerId: target.providerId,
        source: 'collection_run',
        collectionRunId: target.runId,
        occurredAt: target.seenAt,
      }),
    );
    await sinks.events.append(manager, events);
    return { created, updated, unchanged, changes: recorded.length };
  });
}
