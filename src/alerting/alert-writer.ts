import { Logger } from '@nestjs/common';
import type { Queryable } from '../common/list/list-runner.js';
import { modifyReturning } from '../database/modify-returning.js';

/** An alert a rule wants firing (from an event match or a LinkFailed check). */
export interface AlertCandidate {
  ruleId: string;
  organizationId: number;
  alertname: string;
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, unknown>;
  fingerprint: string;
  startsAt: Date;
  systemId: string | null;
  resourceId: string | null;
}

/** A rule's rate limits (the collector's max_notifications_per_hour and max_critical_per_hour). */
export interface RuleLimits {
  maxPerHour: number;
  maxCriticalPerHour: number;
}

export interface WriteResult {
  opened: number;
  updated: number;
  suppressed: number;
}

const logger = new Logger('AlertRules');

/**
 * Opens or updates the inventory's alerts, in the caller's transaction, set-based:
 *
 * - a candidate whose fingerprint has a firing alert in its organization updates it
 *   (annotations, labels, match_count, last_received_at, due at Alertmanager again);
 * - the others open new alerts, each rule at most `maxPerHour` in the hour before
 *   `now` and at most `maxCriticalPerHour` critical ones; what is over the limit opens
 *   nothing and is counted on the rule (suppressed_count, last_suppressed_at).
 *
 * Candidates with the same organization and fingerprint are one alert (the earliest
 * start, the latest annotations, a match each).
 */
export async function writeAlerts(
  db: Queryable,
  candidates: AlertCandidate[],
  limits: Map<string, RuleLimits>,
  now: Date,
): Promise<WriteResult> {
  const merged = new Map<string, AlertCandidate & { n: number }>();
  for (const c of candidates) {
    const key = `${c.organizationId}/${c.fingerprint}`;
    const seen = merged.get(key);
    if (seen) {
      seen.n++;
      seen.annotations = c.annotations;
      if (c.startsAt < seen.startsAt) seen.startsAt = c.startsAt;
    } else merged.set(key, { ...c, n: 1 });
  }
  if (merged.size === 0) return { opened: 0, updated: 0, suppressed: 0 };
  const all = [...merged.values()];
  const updatedRows = await modifyReturning<{ organization_id: number; fingerprint: string }>(
    db,
    `UPDATE alerts a SET labels = i.labels, annotations = i.annotations, match_count = a.match_count + i.n,
       last_received_at = $2, push_due_at = $2, modified = now()
     FROM jsonb_to_recordset($1::jsonb) AS i(organization_id int, fingerprint text, labels jsonb, annotations jsonb, n int)
     WHERE a.organization_id = i.organization_id AND a.fingerprint = i.fingerprint AND a.status = 'firing'
       AND a.source = 'inventory'
     RETURNING a.organization_id, a.fingerprint`,
    [
      JSON.stringify(
        all.map((c) => ({
          organization_id: c.organizationId,
          fingerprint: c.fingerprint,
          labels: c.labels,
          annotations: c.annotations,
          n: c.n,
        })),
      ),
      now,
    ],
  );
  const updated = new Set(updatedRows.map((r) => `${r.organization_id}/${r.fingerprint}`));
  const fresh = all.filter((c) => !updated.has(`${c.organizationId}/${c.fingerprint}`));
  if (fresh.length === 0) return { opened: 0, updated: updated.size, suppressed: 0 };

  const ruleIds = [...new Set(fresh.map((c) => c.ruleId))];
  const counts = await db.query<{ rule_id: string; total: number; critical: number }[]>(
    `SELECT rule_id, count(*)::int AS total, count(*) FILTER (WHERE severity = 'critical')::int AS critical
     FROM alerts WHERE rule_id = ANY($1::uuid[]) AND created > $2::timestamptz - interval '1 hour' AND created <= $2
     GROUP BY rule_id`,
    [ruleIds, now],
  );
  const left = new Map<string, { total: number; critical: number }>();
  for (const id of ruleIds) {
    const used = counts.find((c) => c.rule_id === id) ?? { total: 0, critical: 0 };
    const limit = limits.get(id) ?? { maxPerHour: 50, maxCriticalPerHour: 10 };
    left.set(id, {
      total: limit.maxPerHour - used.total,
      critical: limit.maxCriticalPerHour - used.critical,
    });
  }
  const admitted: (AlertCandidate & { n: number })[] = [];
  const suppressed = new Map<string, number>();
  for (const c of fresh) {
    const budget = left.get(c.ruleId)!;
    const critical = c.severity === 'critical';
    if (budget.total > 0 && (!critical || budget.critical > 0)) {
      budget.total--;
      if (critical) budget.critical--;
      admitted.push(c);
    } else suppressed.set(c.ruleId, (suppressed.get(c.ruleId) ?? 0) + 1);
  }
  if (admitted.length)
    await db.query(
      `INSERT INTO alerts (organization_id, source, alertname, severity, status, fingerprint, labels, annotations,
         starts_at, last_received_at, system_id, resource_id, rule_id, match_count, push_due_at, created, modified)
       SELECT i.organization_id, 'inventory', left(i.alertname, 255), i.severity, 'firing', i.fingerprint, i.labels,
         i.annotations, i.starts_at, $2, i.system_id, i.resource_id, i.rule_id, i.n, $2, $2, now()
       FROM jsonb_to_recordset($1::jsonb) AS i(organization_id int, alertname text, severity text, fingerprint text,
         labels jsonb, annotations jsonb, starts_at timestamptz, system_id uuid, resource_id uuid, rule_id uuid, n int)
       ON CONFLICT (organization_id, fingerprint, starts_at) DO UPDATE SET status = 'firing', ends_at = NULL,
         labels = EXCLUDED.labels, annotations = EXCLUDED.annotations, last_received_at = EXCLUDED.last_received_at,
         match_count = alerts.match_count + EXCLUDED.match_count, push_due_at = EXCLUDED.push_due_at,
         rule_id = EXCLUDED.rule_id, resolved_by_id = NULL, modified = now()`,
      [
        JSON.stringify(
          admitted.map((c) => ({
            organization_id: c.organizationId,
            alertname: c.alertname,
            severity: c.severity,
            fingerprint: c.fingerprint,
            labels: c.labels,
            annotations: c.annotations,
            starts_at: c.startsAt.toISOString(),
            system_id: c.systemId,
            resource_id: c.resourceId,
            rule_id: c.ruleId,
            n: c.n,
          })),
        ),
        now,
      ],
    );
  let suppressedTotal = 0;
  if (suppressed.size) {
    await db.query(
      `UPDATE alert_rules r SET suppressed_count = r.suppressed_count + s.n, last_suppressed_at = $2
       FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, n int) WHERE r.id = s.id`,
      [JSON.stringify([...suppressed].map(([id, n]) => ({ id, n }))), now],
    );
    for (const [id, n] of suppressed) {
      suppressedTotal += n;
      logger.warn(`Alert rule ${id}: ${n} alert(s) not opened, its hourly rate limit is reached`);
    }
  }
  return { opened: admitted.length, updated: updated.size, suppressed: suppressedTotal };
}
