import type { EntityManager } from 'typeorm';
import type { ChangeRecorder } from '../changes/change-recorder.js';
import { resourceChangedEvents } from '../changes/change-events.js';
import type { RecordedChange } from '../changes/change-recorder.js';
import { diffDocuments } from '../changes/diff-engine.js';
import type { EventAppender, NewEvent } from '../events/event-log.sql.js';
import type { Queryable } from '../common/list/list-runner.js';
import {
  FIND_PUSHED_HOST,
  findPushedHost,
  insertPushedHost,
  type PushedHostColumns,
  type PushedHostLookup,
  pushedHostLookupParams,
  recordPushSighting,
  repeatedPushCtes,
  touchPushedHost,
  updatePushedHost,
} from '../inventory-writer/pushed-host.sql.js';
import { contentHash, diffableDocument, type FactParts } from './fact-document.js';
import type { NormalizedHost } from './fact-normalizer.js';
import type { FactSnapshotKind } from './fact-snapshot.entity.js';
import { takeRateLimit } from './push-rate-limits.sql.js';

export interface IngestInput {
  organizationId: number;
  providerId: string;
  resourceTypeId: string;
  /** The document's kind: diffed only against the previous snapshot of the same kind. */
  kind: FactSnapshotKind;
  parts: FactParts;
  /** Parts the body sent; the others carry over from the previous snapshot of this kind. */
  sentParts: (keyof FactParts)[];
  host: NormalizedHost;
  /** Whether the document says what the host is; if not, the resource's columns are left alone. */
  describesHost: boolean;
  /** The ems_ref of the pusher's own host (pushHostKey): the only way a push finds its row. */
  hostKey: string;
  /** A user's push that does not name its host: also find the host last pushed from this address. */
  findByClientAddress?: boolean;
  clientAddress: string;
  systemId: string | null;
  /** The resource the system is linked to (in the push provider), the system's second way to its host. */
  systemResourceId: string | null;
  sizeBytes: number;
  /** Anonymous pushes: one accepted submission per bucket per this many minutes. */
  rateLimit?: { bucket: string; minutes: number };
  /** contentHash(parts), when the caller already has it (missing parts counted as empty). */
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

/** How this push finds its host (pushed-host.sql.ts). */
const lookupOf = (
  input: Pick<
    IngestInput,
    'providerId' | 'hostKey' | 'systemResourceId' | 'findByClientAddress' | 'clientAddress'
  >,
  hostKey = input.hostKey,
): PushedHostLookup => ({
  providerId: input.providerId,
  hostKey,
  systemResourceId: input.systemResourceId,
  clientAddress: input.findByClientAddress ? input.clientAddress : null,
});

/**
 * The hot path of a fleet re-sending what it sent before, in ONE statement (atomic on
 * its own, no transaction round trips): find the host as writePush does, and only if
 * its latest snapshot of this kind has this sha256, bump it, add the sighting and
 * refresh the system's heartbeat (when the system is already active and linked to this
 * host, so no status transition is due). Answers null when the push is not such a
 * repeat; the caller then runs writePush, which handles everything.
 */
export async function writeUnchangedPush(
  db: Queryable,
  input: Omit<IngestInput, 'parts' | 'sentParts' | 'describesHost' | 'rateLimit'> & { sha256: string },
): Promise<IngestResult | null> {
  const { host } = input;
  const rows = await db.query<{ resource: string; snapshot: string; system_ok: boolean }[]>(
    `WITH target AS (${FIND_PUSHED_HOST}
     ), latest AS (
       SELECT fs.id, fs.sha256 FROM fact_snapshots fs JOIN target t ON fs.resource_id = t.id
       WHERE fs.kind = $11
       ORDER BY fs.received_at DESC, fs.id DESC LIMIT 1
     ), ${repeatedPushCtes({ sha256: '$5', cpuCount: '$6', memoryMb: '$7', diskGb: '$8', metrics: '$9' })}, beat AS (
       UPDATE systems s SET last_heartbeat_at = now() FROM bump b
       WHERE s.id = $10::uuid AND s.status = 'active' AND s.resource_id = b.id
       RETURNING s.id
     )
     SELECT b.id AS resource, l.id AS snapshot, ($10::uuid IS NULL OR EXISTS (SELECT 1 FROM beat)) AS system_ok
     FROM bump b, latest l`,
    [
      ...pushedHostLookupParams(lookupOf(input)),
      input.sha256,
      host.cpuCount,
      host.memoryMb,
      host.diskGb,
      JSON.stringify({ source: 'push', changed: false, client_address: input.clientAddress }),
      input.systemId,
      input.kind,
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
  if (input.rateLimit) await takeRateLimit(manager, input.rateLimit.bucket, input.rateLimit.minutes);
  const { host } = input;
  const emsRef = input.hostKey.slice(0, 512);

  const found = await findPushedHost(manager, lookupOf(input, emsRef));
  const identifiers = {
    ...host.identifiers,
    client_address: input.clientAddress,
    ...(input.systemId ? { system_id: input.systemId } : {}),
  };
  const columns: PushedHostColumns = {
    name: host.name,
    fqdn: host.fqdn,
    canonicalId: host.canonicalId,
    identifiers,
    ipAddresses: host.ipAddresses,
    osType: host.osType,
    osName: host.osName,
    cpuCount: host.cpuCount,
    memoryMb: host.memoryMb,
    diskGb: host.diskGb,
    properties: host.properties,
    vendorType: host.vendorType,
    resourceTypeId: input.resourceTypeId,
  };
  let resourceId: string;
  let created = false;
  if (found) {
    resourceId = found;
  } else {
    const inserted = await insertPushedHost(
      manager,
      {
        providerId: input.providerId,
        organizationId: input.organizationId,
        emsRef,
        clientAddress: input.clientAddress,
      },
      columns,
    );
    resourceId = inserted.id;
    created = inserted.inserted;
  }

  // The latest snapshot of this kind: its hash, and its payload only when it differs (one round trip either way).
  const latest = await manager.query<(Partial<FactParts> & { id: string; sha256: string })[]>(
    `SELECT id, sha256, CASE WHEN sha256 <> $2 THEN system_facts END AS system_facts,
       CASE WHEN sha256 <> $2 THEN package_facts END AS package_facts,
       CASE WHEN sha256 <> $2 THEN local_facts END AS local_facts
     FROM fact_snapshots WHERE resource_id = $1 AND kind = $3 ORDER BY received_at DESC, id DESC LIMIT 1`,
    [resourceId, input.sha256 ?? contentHash(input.parts), input.kind],
  );
  const previous: FactParts | null =
    latest[0] && latest[0].system_facts !== undefined && latest[0].system_facts !== null
      ? {
          system_facts: latest[0].system_facts ?? {},
          package_facts: latest[0].package_facts ?? {},
          local_facts: latest[0].local_facts ?? {},
        }
      : null;
  // Parts the body left out are what the previous snapshot had (a push of local facts alone
  // does not mean every system fact was removed); the hash is then the merged document's.
  let parts = input.parts;
  let sha256 = input.sha256 ?? contentHash(parts);
  if (previous && input.sentParts.length < 3) {
    parts = { ...previous };
    for (const part of input.sentParts) parts[part] = input.parts[part];
    sha256 = contentHash(parts);
  }
  const unchanged = latest[0]?.sha256 === sha256;
  let snapshotId: string;
  let changeCount = 0;
  let recordedChanges: RecordedChange[] = [];
  if (unchanged) {
    snapshotId = latest[0].id;
    await touchPushedHost(manager, resourceId);
  } else {
    const snapshot = await manager.query<{ id: string }[]>(
      `INSERT INTO fact_snapshots (resource_id, system_id, organization_id, client_address, received_at, sha256,
         system_facts, package_facts, local_facts, size_bytes, kind)
       VALUES ($1, $2, $3, $4, now(), $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        resourceId,
        input.systemId,
        input.organizationId,
        input.clientAddress.slice(0, 45),
        sha256,
        JSON.stringify(parts.system_facts),
        JSON.stringify(parts.package_facts),
        JSON.stringify(parts.local_facts),
        input.sizeBytes,
        input.kind,
      ],
    );
    snapshotId = snapshot[0].id;
    if (previous) {
      const { changes } = diffDocuments(
        diffableDocument(previous),
        diffableDocument(parts),
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
    // A document that does not describe the host (local facts alone) leaves its columns as they are.
    await updatePushedHost(
      manager,
      resourceId,
      input.describesHost ? columns : null,
      input.describesHost
        ? identifiers
        : { client_address: input.clientAddress, ...(input.systemId ? { system_id: input.systemId } : {}) },
      !created,
    );
  }
  await recordPushSighting(manager, {
    resourceId,
    providerId: input.providerId,
    organizationId: input.organizationId,
    cpuCount: host.cpuCount,
    memoryMb: host.memoryMb,
    diskGb: host.diskGb,
    metrics: { source: 'push', changed: !unchanged, client_address: input.clientAddress },
  });
  const events: NewEvent[] = [];
  const about = { organizationId: input.organizationId, providerId: input.providerId, resourceId };
  if (created)
    events.push({
      type: 'resource.created',
      ...about,
      payload: {
        ems_ref: emsRef,
        name: host.name ?? input.clientAddress,
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
      payload: {
        fact_snapshot: snapshotId,
        kind: input.kind,
        first: !latest[0],
        changes: counts,
        changes_total: changeCount,
      },
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
