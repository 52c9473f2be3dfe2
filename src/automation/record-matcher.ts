import type { EntityManager } from 'typeorm';
import { CONFIRMED_RULE, type MatchRule, type RuleConfidence } from './match-rules.js';

/** Candidates kept per record (the count says how many the rule found). */
export const MAX_CANDIDATES_PER_RECORD = 10;

/** Names that say nothing about which machine it is (a local connection, an unset FQDN). */
const NON_IDENTITIES = ['localhost', 'localhost.localdomain', 'localhost6', '127.0.0.1', '::1'];

/** A record's host_name is an IPv4 address (then it is an IP key, never a name key). */
const HOST_NAME_IS_IP = `b.host_name ~ '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$'`;

/**
 * Per rule: the keys a record offers (from the identity it reported, and its inventory
 * host name where that is a name or an address) and the keys a resource offers (its
 * columns, vendor identifiers and properties as the collectors and pushes write them).
 * Both sides are lower-cased text; a rule matches when a key of one equals a key of the other.
 */
const KEYS: Record<MatchRule, { record: string; resource: string }> = {
  smbios_serial: {
    record: `ARRAY[lower(b.smbios_serial)]`,
    resource: `ARRAY[lower(r.vendor_identifiers->>'serial_number'), lower(r.properties->>'serial_number')]`,
  },
  bios_uuid: {
    record: `ARRAY[lower(b.bios_uuid)]`,
    resource: `ARRAY[lower(r.canonical_id), lower(r.vendor_identifiers->>'bios_uuid'),
      lower(r.vendor_identifiers->>'product_uuid'), lower(r.vendor_identifiers->>'smbios_uuid')]`,
  },
  mac_address: {
    record: `b.mac_addresses`,
    resource: `ARRAY(SELECT lower(m) FROM jsonb_array_elements_text(
      CASE WHEN jsonb_typeof(r.properties->'mac_addresses') = 'array' THEN r.properties->'mac_addresses' END) m)`,
  },
  ip_address: {
    record: `b.ip_addresses || CASE WHEN ${HOST_NAME_IS_IP} THEN ARRAY[b.host_name] ELSE '{}'::text[] END`,
    resource: `r.ip_addresses`,
  },
  fqdn: {
    record: `ARRAY[lower(b.fqdn), CASE WHEN position('.' in b.host_name) > 0 AND NOT ${HOST_NAME_IS_IP} THEN lower(b.host_name) END]`,
    resource: `ARRAY[lower(nullif(r.fqdn, ''))]`,
  },
  hostname: {
    record: `ARRAY[lower(split_part(b.hostname, '.', 1)), CASE WHEN NOT ${HOST_NAME_IS_IP} THEN lower(split_part(b.host_name, '.', 1)) END]`,
    resource: `ARRAY[lower(split_part(r.name, '.', 1)), lower(split_part(nullif(r.fqdn, ''), '.', 1))]`,
  },
};

export interface MatchOutcome {
  matched: number;
  pending: number;
  unmatched: number;
}

/**
 * Matches automation records to the resources of their organization, set-based: one
 * INSERT … SELECT per rule over the whole batch (never a query per record), each
 * considering only the records no earlier rule found a candidate for, so the first rule
 * with a candidate decides. Its candidates go to a temporary table; three statements
 * then apply the outcome: a lone candidate at or above the threshold is the match, the
 * rest (lower confidence, or ambiguous: several resources, e.g. cloned VMs sharing a
 * BIOS UUID) become pending matches, and records without any candidate are unmatched.
 *
 * Each rule is one hash join of the batch's keys against the keys of the organization's
 * current resources (one pass over them per rule); pairs people rejected
 * (automation_host_decisions) are never proposed, pairs they confirmed come first.
 * The caller owns the transaction; the records are already written and locked by it.
 */
export async function matchRecords(
  manager: EntityManager,
  organizationId: number,
  recordIds: string[],
  rules: RuleConfidence[],
  threshold: number,
): Promise<MatchOutcome> {
  if (recordIds.length === 0) return { matched: 0, pending: 0, unmatched: 0 };
  await manager.query(
    `CREATE TEMP TABLE automation_match_candidates (
       record_id uuid NOT NULL, resource_id uuid NOT NULL, match_rule text NOT NULL,
       match_confidence numeric(4,3) NOT NULL, candidate_count int NOT NULL
     ) ON COMMIT DROP`,
  );
  // Proposals of a re-posted record are made again from its new identity.
  await manager.query(
    `DELETE FROM pending_matches WHERE record_id = ANY($1::uuid[]) AND status = 'pending'`,
    [recordIds],
  );
  // A host name someone confirmed for a resource: that resource, confidence 1.
  await manager.query(
    `INSERT INTO automation_match_candidates
     SELECT b.id, d.resource_id, $3, 1, count(*) OVER (PARTITION BY b.id)
     FROM automation_records b
     JOIN automation_host_decisions d
       ON d.organization_id = b.organization_id AND d.host_name = b.host_name AND d.decision = 'confirmed'
     JOIN resources r ON r.id = d.resource_id AND r.removed_at IS NULL
     WHERE b.id = ANY($1::uuid[]) AND b.organization_id = $2`,
    [recordIds, organizationId, CONFIRMED_RULE],
  );
  for (const { rule, confidence } of rules) {
    const keys = KEYS[rule];
    await manager.query(
      `WITH wanted AS (
         SELECT b.id AS record_id, b.host_name, k.key
         FROM automation_records b CROSS JOIN LATERAL unnest(${keys.record}) AS k(key)
         WHERE b.id = ANY($1::uuid[]) AND b.organization_id = $2
           AND k.key IS NOT NULL AND k.key <> '' AND k.key <> ALL($5::text[])
           AND NOT EXISTS (SELECT 1 FROM automation_match_candidates c WHERE c.record_id = b.id)
       ), offered AS (
         SELECT r.id AS resource_id, o.key
         FROM resources r CROSS JOIN LATERAL unnest(${keys.resource}) AS o(key)
         WHERE r.organization_id = $2 AND r.removed_at IS NULL AND o.key IS NOT NULL AND o.key <> ''
       ), found AS (
         SELECT DISTINCT w.record_id, o.resource_id
         FROM wanted w JOIN offered o ON o.key = w.key
         WHERE NOT EXISTS (
           SELECT 1 FROM automation_host_decisions d
           WHERE d.organization_id = $2 AND d.host_name = w.host_name AND d.resource_id = o.resource_id
             AND d.decision = 'rejected')
       ), ranked AS (
         SELECT record_id, resource_id, count(*) OVER (PARTITION BY record_id) AS candidates,
           row_number() OVER (PARTITION BY record_id ORDER BY resource_id) AS n
         FROM found
       )
       INSERT INTO automation_match_candidates
       SELECT record_id, resource_id, $3, $4, candidates FROM ranked WHERE n <= ${MAX_CANDIDATES_PER_RECORD}`,
      [recordIds, organizationId, rule, confidence, NON_IDENTITIES],
    );
  }
  const [matched] = await manager.query<[unknown[], number]>(
    `UPDATE automation_records a SET resource_id = c.resource_id, match_status = 'matched',
       match_rule = c.match_rule, match_confidence = c.match_confidence, matched_at = now()
     FROM automation_match_candidates c
     WHERE c.record_id = a.id AND c.candidate_count = 1 AND c.match_confidence >= $1
     RETURNING a.id`,
    [threshold],
  );
  const [pending] = await manager.query<[unknown[], number]>(
    `WITH proposed AS (
       INSERT INTO pending_matches (organization_id, record_id, resource_id, match_rule, match_confidence, candidate_count)
       SELECT $2, c.record_id, c.resource_id, c.match_rule, c.match_confidence, c.candidate_count
       FROM automation_match_candidates c
       WHERE c.candidate_count > 1 OR c.match_confidence < $1
       ON CONFLICT (record_id, resource_id) DO UPDATE SET status = 'pending', match_rule = EXCLUDED.match_rule,
         match_confidence = EXCLUDED.match_confidence, candidate_count = EXCLUDED.candidate_count,
         resolved_by_id = NULL, resolved_at = NULL, modified = now()
       RETURNING record_id, match_rule, match_confidence
     )
     UPDATE automation_records a SET resource_id = NULL, match_status = 'pending', match_rule = p.match_rule,
       match_confidence = p.match_confidence, matched_at = NULL
     FROM (SELECT DISTINCT ON (record_id) * FROM proposed) p
     WHERE p.record_id = a.id
     RETURNING a.id`,
    [threshold, organizationId],
  );
  await manager.query(
    `UPDATE automation_records a SET resource_id = NULL, match_status = 'unmatched', match_rule = NULL,
       match_confidence = NULL, matched_at = NULL
     WHERE a.id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM automation_match_candidates c WHERE c.record_id = a.id)
       -- A new record is unmatched already: rewriting it would cost a row version each.
       AND (a.match_status <> 'unmatched' OR a.match_rule IS NOT NULL OR a.resource_id IS NOT NULL)`,
    [recordIds],
  );
  await manager.query(`DROP TABLE automation_match_candidates`);
  return {
    matched: matched.length,
    pending: pending.length,
    unmatched: recordIds.length - matched.length - pending.length,
  };
}
