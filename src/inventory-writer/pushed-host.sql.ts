import type { Queryable } from '../common/list/list-runner.js';
import { modifyReturning } from '../database/modify-returning.js';

/**
 * The push path's writes to resources and resource_sightings: a push is an observation of
 * one host of the organization's push provider. The facts module decides what the
 * document says (src/facts/fact-ingest.writer.ts); the rows are written here, by the
 * module that owns them for collections too (resource-batch.sql.ts).
 */

/** How a push finds its host (issue #11 item 2: never by a canonical_id the document claims). */
export interface PushedHostLookup {
  providerId: string;
  /** pushHostKey: the ems_ref of the pusher's own host. */
  hostKey: string;
  /** The resource the pushing system is linked to, the system's second way to its host. */
  systemResourceId: string | null;
  /** A user's push that does not name its host: the host last pushed from this address. */
  clientAddress: string | null;
}

/**
 * The pusher's own host in the push provider (locked, so two pushes of one host
 * serialize): by its key, or the resource its system is linked to, or, for a user's push
 * that does not name the host, the host last pushed from the same address.
 * Parameters $1–$4: pushedHostLookupParams.
 */
export const FIND_PUSHED_HOST = `
  SELECT id, provider_id, organization_id FROM resources
  WHERE provider_id = $1 AND (
    ems_ref = $2
    OR ($3::uuid IS NOT NULL AND id = $3::uuid)
    OR ($4::text IS NOT NULL AND ems_ref = 'address:' || $4)
    OR ($4::text IS NOT NULL AND vendor_identifiers->>'client_address' = $4 AND NOT vendor_identifiers ? 'system_id'))
  ORDER BY ems_ref = $2 DESC, (id = $3::uuid) IS TRUE DESC, last_seen_at DESC
  LIMIT 1 FOR UPDATE`;

export const pushedHostLookupParams = (lookup: PushedHostLookup): unknown[] => [
  lookup.providerId,
  lookup.hostKey,
  lookup.systemResourceId,
  lookup.clientAddress,
];

export async function findPushedHost(db: Queryable, lookup: PushedHostLookup): Promise<string | null> {
  const rows = await db.query<{ id: string }[]>(FIND_PUSHED_HOST, pushedHostLookupParams(lookup));
  return rows[0]?.id ?? null;
}

/** Placeholders of the parameters the repeated-push statement binds for this module's parts. */
export interface RepeatedPushParams {
  sha256: string;
  cpuCount: string;
  memoryMb: string;
  diskGb: string;
  metrics: string;
}

/**
 * The resources and sightings parts of the facts module's one-statement repeat of the
 * latest snapshot (writeUnchangedPush): CTEs `bump` (the host seen once more, when
 * `latest`'s sha256 is the pushed one) and `sighting`, over the CTEs `target` (the
 * FIND_PUSHED_HOST row) and `latest` (the host's latest snapshot of the pushed kind).
 * One statement on the hottest path of the push, so they are text, not a call.
 */
export const repeatedPushCtes = (p: RepeatedPushParams): string => `
  bump AS (
    UPDATE resources r SET last_seen_at = now(), seen_count = r.seen_count + 1, removed_at = NULL
    FROM target t, latest l WHERE r.id = t.id AND l.sha256 = ${p.sha256}
    RETURNING r.id, r.provider_id, r.organization_id
  ), sighting AS (
    INSERT INTO resource_sightings (resource_id, provider_id, organization_id, seen_at, state, power_state, cpu_count,
      memory_mb, disk_gb, metrics)
    SELECT b.id, b.provider_id, b.organization_id, now(), 'running', 'poweredOn', ${p.cpuCount}, ${p.memoryMb},
      ${p.diskGb}, ${p.metrics} FROM bump b
  )`;

/** What a document says about its host (null or empty: it does not say). */
export interface PushedHostColumns {
  name: string | null;
  fqdn: string;
  canonicalId: string | null;
  identifiers: Record<string, unknown>;
  ipAddresses: string[];
  osType: string;
  osName: string;
  cpuCount: number | null;
  memoryMb: number | null;
  diskGb: number | null;
  properties: Record<string, unknown>;
  vendorType: string;
  resourceTypeId: string;
}

const columnParams = (c: PushedHostColumns): unknown[] => [
  c.name,
  c.fqdn,
  c.canonicalId,
  JSON.stringify(c.identifiers),
  c.ipAddresses,
  c.osType,
  c.osName,
  c.cpuCount,
  c.memoryMb,
  c.diskGb,
  JSON.stringify(c.properties),
  c.vendorType,
  c.resourceTypeId,
];

/** A host seen for the first time (named by its address when the document has no name). */
export async function insertPushedHost(
  db: Queryable,
  at: { providerId: string; organizationId: number; emsRef: string; clientAddress: string },
  columns: PushedHostColumns,
): Promise<{ id: string; inserted: boolean }> {
  const rows = await db.query<{ id: string; inserted: boolean }[]>(
    `INSERT INTO resources (provider_id, organization_id, ems_ref, name, fqdn, canonical_id, vendor_identifiers, ip_addresses,
       os_type, os_name, cpu_count, memory_mb, disk_gb, properties, vendor_type, resource_type_id, state, power_state)
     VALUES ($14, $15, $16, coalesce($1, $17), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce(nullif($12, ''), 'NA'), $13,
       'running', 'poweredOn')
     ON CONFLICT (provider_id, ems_ref) DO UPDATE SET last_seen_at = now()
     RETURNING id, (xmax = 0) AS inserted`,
    [...columnParams(columns), at.providerId, at.organizationId, at.emsRef, at.clientAddress],
  );
  return rows[0];
}

/** The host pushed the same document again: seen once more. */
export async function touchPushedHost(db: Queryable, resourceId: string): Promise<void> {
  await db.query(
    `UPDATE resources SET last_seen_at = now(), seen_count = seen_count + 1, removed_at = NULL WHERE id = $1`,
    [resourceId],
  );
}

/**
 * A changed document. What it does not say (no name, no CPU count, ...) keeps what the
 * host's other documents said; one that does not describe the host at all (local facts
 * alone, `columns` null) only merges `identifiers` and marks the host seen. `seenAgain`:
 * false for a host inserted in this push (already counted once).
 */
export async function updatePushedHost(
  db: Queryable,
  resourceId: string,
  columns: PushedHostColumns | null,
  identifiers: Record<string, unknown>,
  seenAgain: boolean,
): Promise<void> {
  const bump = seenAgain ? 1 : 0;
  if (columns)
    await modifyReturning(
      db,
      `UPDATE resources SET name = coalesce($1, name), fqdn = coalesce(nullif($2, ''), fqdn),
         canonical_id = coalesce($3, canonical_id), vendor_identifiers = vendor_identifiers || $4::jsonb,
         ip_addresses = CASE WHEN cardinality($5::text[]) > 0 THEN $5::text[] ELSE ip_addresses END,
         os_type = coalesce(nullif($6, ''), os_type), os_name = coalesce(nullif($7, ''), os_name),
         cpu_count = coalesce($8, cpu_count), memory_mb = coalesce($9, memory_mb), disk_gb = coalesce($10, disk_gb),
         properties = properties || $11::jsonb,
         vendor_type = coalesce(nullif($12, ''), vendor_type),
         resource_type_id = CASE WHEN $12 = '' THEN resource_type_id ELSE $13::uuid END,
         state = 'running', power_state = 'poweredOn', removed_at = NULL, last_seen_at = now(),
         seen_count = seen_count + $15, modified = now()
       WHERE id = $14 RETURNING id`,
      [...columnParams({ ...columns, identifiers }), resourceId, bump],
    );
  else
    await modifyReturning(
      db,
      `UPDATE resources SET vendor_identifiers = vendor_identifiers || $1::jsonb, state = 'running',
         power_state = 'poweredOn', removed_at = NULL, last_seen_at = now(), seen_count = seen_count + $3,
         modified = now()
       WHERE id = $2 RETURNING id`,
      [JSON.stringify(identifiers), resourceId, bump],
    );
}

/** One sighting per push, changed or not. */
export async function recordPushSighting(
  db: Queryable,
  sighting: {
    resourceId: string;
    providerId: string;
    organizationId: number;
    cpuCount: number | null;
    memoryMb: number | null;
    diskGb: number | null;
    metrics: Record<string, unknown>;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO resource_sightings (resource_id, provider_id, organization_id, seen_at, state, power_state, cpu_count, memory_mb, disk_gb, metrics)
     VALUES ($1, $2, $3, now(), 'running', 'poweredOn', $4, $5, $6, $7)`,
    [
      sighting.resourceId,
      sighting.providerId,
      sighting.organizationId,
      sighting.cpuCount,
      sighting.memoryMb,
      sighting.diskGb,
      JSON.stringify(sighting.metrics),
    ],
  );
}
