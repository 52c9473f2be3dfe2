import type { EntityManager } from 'typeorm';
import type { ChangeRecorder } from '../changes/change-recorder.js';
import { resourceChangedEvents } from '../changes/change-events.js';
import type { RecordedChange } from '../changes/change-recorder.js';
import { diffDocuments } from '../changes/diff-engine.js';
import type { EventAppender, NewEvent } from '../events/event-log.sql.js';
import { RateLimitedError } from '../common/errors.js';
import type { Queryable } from '../common/list/list-runner.js';
import { modifyReturning } from '../database/modify-returning.js';
import { contentHash, diffableDocument, type FactParts } from './fact-document.js';
import type { NormalizedHost } from './fact-normalizer.js';

export interface IngestInput {
  organizationId: number;
  providerId: string;
  resourceTypeId: string;
  parts: FactParts;
  host: NormalizedHost;
  clientAddress: string;
  systemId: string | null;
  /** The system's linked resource, the second way to find the host. */
  systemResourceId: string | null;
  sizeBytes: number;
  /** Anonymous pushes: one accepted submission per bucket per this many minutes. */
  rateLimit?: { bucket: string; minutes: number };
  /** contentHash(parts), when the caller already has it. */
  sha256?: string;
}

export interface IngestResult {
  resource: string;
  snapshot: string;
  created: boolean;
  changed: boolean;
  changes: number;
  /** writeUnchangedPush: false when the system's heartbeat still has to be recorded (a status transition). */
  systemOk?: boolean;
}

/**
 * The hot path of a fleet re-sending what it sent before, in ONE statement (atomic on
 * its own, no transaction round trips): find the host as writePush does, and only if
 * its latest snapshot has this sha256, bump it, add the sighting and refresh the
 * system's heartbeat (when the system is already active and linked to this host, so no
 * status transition is due). Answers null when the push is not such a repeat; the
 * caller then runs writePush, which handles everything.
 */
export async function writeUnchangedPush(
  db: Queryable,
  input: Omit<IngestInput, 'parts' | 'rateLimit'> & { sha256: string },
): Promise<IngestResult | null> {
  const { host } = input;
  const emsRef =
    host.canonicalId ?? (input.systemId ? `system:${input.systemId}` : `address:${input.clientAddress}`);
  const rows = await db.query<{ resource: string; snapshot: string; system_ok: boolean }[]>(
    `WITH target AS (
       SELECT id, provider_id, organization_id FROM resources
       WHERE provider_id = $1 AND (
         ($2::text IS NOT NULL AND canonical_id = $2)
         OR ($3::uuid IS NOT NULL AND id = $3::uuid)
         OR ems_ref = $4
         OR ($2::text IS NULL AND canonical_id IS NULL AND ems_ref = 'address:' || $5))
       ORDER BY (canonical_id IS NOT NULL AND canonical_id = $2) DESC, (id = $3::uuid) IS TRUE DESC, last_seen_at DESC
       LIMIT 1 FOR UPDATE
     ), latest AS (
       SELECT fs.id, fs.sha256 FROM fact_snapshots fs JOIN target t ON fs.resource_id = t.id
       ORDER BY fs.received_at DESC, fs.id DESC LIMIT 1
     ), bump AS (
       UPDATE resources r SET last_seen_at = now(), seen_count = r.seen_count + 1, removed_at = NULL
       FROM target t, latest l WHERE r.id = t.id AND l.sha256 = $6
       RETURNING r.id, r.provider_id, r.organization_id
     ), sighting AS (
       INSERT INTO resource_sightings (resource_id, provider_id, organization_id, seen_at, state, power_state, cpu_count,
         memory_mb, disk_gb, metrics)
       SELECT b.id, b.provider_id, b.organization_id, now(), 'running', 'poweredOn', $7, $8, $9, $10 FROM bump b
     ), beat AS (
       UPDATE systems s SET last_heartbeat_at = now() FROM bump b
       WHERE s.id = $11::uuid AND s.status = 'active' AND s.resource_id = b.id
       RETURNING s.id
     )
     SELECT b.id AS resource, l.id AS snapshot, ($11::uuid IS NULL OR EXISTS (SELECT 1 FROM beat)) AS system_ok
     FROM bump b, latest l`,
    [
      input.providerId,
      host.canonicalId,
      input.systemResourceId,
      emsRef,
      input.clientAddress,
      input.sha256,
      host.cpuCount,
      host.memoryMb,
      host.diskGb,
      JSON.stringify({ source: 'push', changed: false, client_address: input.clientAddress }),
      input.systemId,
    ],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    resource: row.resource,
    snapshot: row.snapshot,
    created: false,
    changed: false,
    changes: 0,
    systemOk: row.system_ok,
  };
}

/**
 * The write path of one push, in the caller's transaction. Shaped for throughput: the
 * resource row is found (and locked, so two pushes of one host serialize) with one
 * indexed query; an unchanged payload (same sha256 of the stable facts as the latest
 * snapshot) costs only the resource bump and a sighting; a changed one adds the
 * snapshot, one set-based INSERT of every change (jsonb_to_recordset) and the resource
 * update. The previous payload is read only when the hash differs.
 */
export async function writePush(
  manager: EntityManager,
  input: IngestInput,
  changeRecorder: ChangeRecorder,
  eventLog: EventAppender,
): Promise<IngestResult> {
  if (input.rateLimit && input.rateLimit.minutes > 0) await takeRateLimit(manager, input.rateLimit);
  const { host } = input;
  const sha256 = input.sha256 ?? contentHash(input.parts);
  const emsRef =
    host.canonicalId ?? (input.systemId ? `system:${input.systemId}` : `address:${input.clientAddress}`);

  // canonical_id first; then the system's own host; then (hosts without identity) the client address.
  const found = await manager.query<{ id: string }[]>(
    `SELECT id FROM resources
     WHERE provider_id = $1 AND (
       ($2::text IS NOT NULL AND canonical_id = $2)
       OR ($3::uuid IS NOT NULL AND id = $3::uuid)
       OR ems_ref = $4
       OR ($2::text IS NULL AND canonical_id IS NULL AND ems_ref = 'address:' || $5))
     ORDER BY (canonical_id IS NOT NULL AND canonical_id = $2) DESC, (id = $3::uuid) IS TRUE DESC, last_seen_at DESC
     LIMIT 1 FOR UPDATE`,
    [input.providerId, host.canonicalId, input.systemResourceId, emsRef, input.clientAddress],
  );
  const identifiers = {
    ...host.identifiers,
    client_address: input.clientAddress,
    ...(input.systemId ? { system_id: input.systemId } : {}),
  };
  const columns = [
    host.name ?? input.clientAddress,
    host.fqdn,
    host.canonicalId,
    JSON.stringify(identifiers),
    host.ipAddresses,
    host.osType,
    host.osName,
    host.cpuCount,
    host.memoryMb,
    host.diskGb,
    JSON.stringify(host.properties),
    host.vendorType,
    input.resourceTypeId,
  ];
  let resourceId: string;
  let created = false;
  if (found[0]) {
    resourceId = found[0].id;
  } else {
    const inserted = await manager.query<{ id: string; inserted: boolean }[]>(
      `INSERT INTO resources (provider_id, organization_id, ems_ref, name, fqdn, canonical_id, vendor_identifiers, ip_addresses,
         os_type, os_name, cpu_count, memory_mb, disk_gb, properties, vendor_type, resource_type_id, state, power_state)
       VALUES ($14, $15, $16, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'running', 'poweredOn')
       ON CONFLICT (provider_id, ems_ref) DO UPDATE SET last_seen_at = now()
       RETURNING id, (xmax = 0) AS inserted`,
      [...columns, input.providerId, input.organizationId, emsRef.slice(0, 512)],
    );
    resourceId = inserted[0].id;
    created = inserted[0].inserted;
  }

  // The latest snapshot's hash, and its payload only when it differs (one round trip either way).
  const latest = await manager.query<(Partial<FactParts> & { id: string; sha256: string })[]>(
    `SELECT id, sha256, CASE WHEN sha256 <> $2 THEN system_facts END AS system_facts,
       CASE WHEN sha256 <> $2 THEN package_facts END AS package_facts,
       CASE WHEN sha256 <> $2 THEN local_facts END AS local_facts
     FROM fact_snapshots WHERE resource_id = $1 ORDER BY received_at DESC, id DESC LIMIT 1`,
    [resourceId, sha256],
  );
  const unchanged = latest[0]?.sha256 === sha256;
  let snapshotId: string;
  let changeCount = 0;
  let recordedChanges: RecordedChange[] = [];
  if (unchanged) {
    snapshotId = latest[0].id;
    await manager.query(
      `UPDATE resources SET last_seen_at = now(), seen_count = seen_count + 1, removed_at = NULL WHERE id = $1`,
      [resourceId],
    );
  } else {
    const snapshot = await manager.query<{ id: string }[]>(
      `INSERT INTO fact_snapshots (resource_id, system_id, organization_id, client_address, received_at, sha256,
         system_facts, package_facts, local_facts, size_bytes)
       VALUES ($1, $2, $3, $4, now(), $5, $6, $7, $8, $9) RETURNING id`,
      [
        resourceId,
        input.systemId,
        input.organizationId,
        input.clientAddress.slice(0, 45),
        sha256,
        JSON.stringify(input.parts.system_facts),
        JSON.stringify(input.parts.package_facts),
        JSON.stringify(input.parts.local_facts),
        input.sizeBytes,
      ],
    );
    snapshotId = snapshot[0].id;
    if (latest[0]) {
      const previous: FactParts = {
        system_facts: latest[0].system_facts ?? {},
        package_facts: latest[0].package_facts ?? {},
        local_facts: latest[0].local_facts ?? {},
      };
      const { changes } = diffDocuments(
        diffableDocument(previous),
        diffableDocument(input.parts),
        changeRecorder.classifier,
      );
      const recorded = await changeRecorder.record(
        manager,
        { source: 'fact_snapshot', detectedAt: null, factSnapshotId: snapshotId },
        changes.map((c) => ({
          resourceId,
          organizationId: input.organizationId,
          fieldPath: c.fieldPath,
          changeType: c.changeType,
          previousValue: c.previousValue,
          currentValue: c.currentValue,
        })),
      );
      changeCount = recorded.length;
      recordedChanges = recorded;
    }
    await modifyReturning(
      manager,
      `UPDATE resources SET name = $1, fqdn = $2, canonical_id = $3, vendor_identifiers = $4, ip_addresses = $5,
         os_type = $6, os_name = $7, cpu_count = $8, memory_mb = $9, disk_gb = $10, properties = $11, vendor_type = $12,
         resource_type_id = $13, state = 'running', power_state = 'poweredOn', removed_at = NULL, last_seen_at = now(),
         seen_count = seen_count + $15, modified = now()
       WHERE id = $14 RETURNING id`,
      [...columns, resourceId, created ? 0 : 1],
    );
  }
  await manager.query(
    `INSERT INTO resource_sightings (resource_id, provider_id, organization_id, seen_at, state, power_state, cpu_count, memory_mb, disk_gb, metrics)
     VALUES ($1, $2, $3, now(), 'running', 'poweredOn', $4, $5, $6, $7)`,
    [
      resourceId,
      input.providerId,
      input.organizationId,
      host.cpuCount,
      host.memoryMb,
      host.diskGb,
      JSON.stringify({ source: 'push', changed: !unchanged, client_address: input.clientAddress }),
    ],
  );
  const events: NewEvent[] = [];
  const about = { organizationId: input.organizationId, providerId: input.providerId, resourceId };
  if (created)
    events.push({
      type: 'resource.created',
      ...about,
      payload: {
        ems_ref: emsRef.slice(0, 512),
        name: columns[0],
        source: 'fact_snapshot',
        collection_run: null,
      },
    });
  if (!unchanged) {
    const counts: Record<string, number> = {};
    for (const c of recordedChanges) counts[c.severity] = (counts[c.severity] ?? 0) + 1;
    events.push({
      type: 'facts.changed',
      ...about,
      systemId: input.systemId,
      payload: { fact_snapshot: snapshotId, first: !latest[0], changes: counts, changes_total: changeCount },
    });
    events.push(
      ...resourceChangedEvents(recordedChanges, {
        providerId: input.providerId,
        source: 'fact_snapshot',
        factSnapshotId: snapshotId,
      }),
    );
  }
  await eventLog.append(manager, events);
  return { resource: resourceId, snapshot: snapshotId, created, changed: !unchanged, changes: changeCount };
}

/**
 * One accepted submission per bucket per window, decided by PostgreSQL: the upsert's
 * WHERE lets the row be taken only when the window has passed, and concurrent requests
 * for one bucket queue on the row lock, so exactly one wins. Runs in the push's
 * transaction: a push that fails does not use up the window.
 */
async function takeRateLimit(
  manager: EntityManager,
  limit: { bucket: string; minutes: number },
): Promise<void> {
  const taken = await manager.query<{ bucket: string }[]>(
    `INSERT INTO push_rate_limits (bucket, last_accepted_at) VALUES ($1, now())
     ON CONFLICT (bucket) DO UPDATE SET last_accepted_at = now()
     WHERE push_rate_limits.last_accepted_at <= now() - make_interval(mins => $2)
     RETURNING bucket`,
    [limit.bucket, limit.minutes],
  );
  if (taken.length > 0) return;
  const rows = await manager.query<{ wait: number }[]>(
    `SELECT ceil(extract(epoch FROM last_accepted_at + make_interval(mins => $2) - now()))::int AS wait
     FROM push_rate_limits WHERE bucket = $1`,
    [limit.bucket, limit.minutes],
  );
  throw new RateLimitedError(Math.max(1, rows[0]?.wait ?? limit.minutes * 60));
}
