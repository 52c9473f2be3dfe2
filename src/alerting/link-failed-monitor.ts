import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { modifyReturning } from '../database/modify-returning.js';
import { renderAnnotations } from './alert-rule-evaluator.js';
import { alertFingerprint } from './alert-rule-matching.js';
import { type AlertCandidate, type RuleLimits, writeAlerts } from './alert-writer.js';
import { ALERTING_CLOCK, type AlertingClock } from './alerting-clock.js';
import { AlertmanagerSender } from './alertmanager-sender.js';
import { ensureBuiltinRules, INGEST_STALLED } from './builtin-alert-rules.js';

/** How often the check runs (the collector's LinkFailed monitor: every 5 minutes). */
export const LINK_FAILED_INTERVAL_MS = 5 * 60_000;
/** This many systems or more whose last heartbeats lie within STALL_WINDOW_MS of each other… */
export const STALL_MIN_SYSTEMS = 20;
/** …going inactive in the same check are an ingest fault: one IngestStalled alert instead. */
export const STALL_WINDOW_MS = 180_000;
/** Advisory lock key: one check per cluster at a time. */
const CHECK_LOCK = '111533268710203';

interface InactiveSystem {
  id: string;
  organization_id: number;
  system_key: string;
  name: string;
  resource_id: string | null;
  last_heartbeat_at: Date;
  rule_id: string;
  alertname: string;
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  max_per_hour: number;
  max_critical_per_hour: number;
}

export interface LinkFailedResult {
  firing: number;
  opened: number;
  resolved: number;
  suppressed: number;
  /** Systems covered by IngestStalled instead of LinkFailed in this check. */
  stalled: number;
}

/**
 * Of systems with these last heartbeats, the indexes of those inside some window of
 * `windowMs` holding at least `min` of them (sorted sliding window; O(n log n)).
 */
export function stalledSystems(
  heartbeats: Date[],
  min = STALL_MIN_SYSTEMS,
  windowMs = STALL_WINDOW_MS,
): Set<number> {
  const order = heartbeats.map((at, i) => ({ at: at.getTime(), i })).sort((a, b) => a.at - b.at);
  const out = new Set<number>();
  let start = 0;
  for (let end = 0; end < order.length; end++) {
    while (order[end].at - order[start].at > windowMs) start++;
    if (end - start + 1 >= min) for (let k = start; k <= end; k++) out.add(order[k].i);
  }
  return out;
}

/**
 * LinkFailed, as the collector's monitor (every 5 minutes, once per cluster): each
 * inactive, non-suspended system of an organization whose built-in LinkFailed rule is
 * enabled has a firing LinkFailed alert (the rule's severity, labels and annotations;
 * `startsAt` = its last heartbeat + HEARTBEAT_TIMEOUT_MINUTES, never in the future),
 * sent to Alertmanager again at every check (endsAt now + 10 min); when the system is
 * active again (or suspended, or the rule disabled) the alert is resolved and the
 * resolve is sent. When STALL_MIN_SYSTEMS or more systems without a LinkFailed yet have
 * last heartbeats within STALL_WINDOW_MS of each other, that is an ingest fault on the
 * inventory's side: they get no LinkFailed, and one platform alert `IngestStalled`
 * (no organization) fires instead, until no such group is left.
 */
@Injectable()
export class LinkFailedMonitor {
  private readonly logger = new Logger('LinkFailed');
  private readonly timeoutMs: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
    @Inject(ALERTING_CLOCK) private readonly clock: AlertingClock,
    private readonly sender: AlertmanagerSender,
  ) {
    this.timeoutMs = config.facts.heartbeatTimeoutMinutes * 60_000;
  }

  async check(now: Date = this.clock.now()): Promise<LinkFailedResult | null> {
    const result = await this.db.transaction(async (manager) => {
      const [{ locked }] = await manager.query<{ locked: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`,
        [CHECK_LOCK],
      );
      if (!locked) return null;
      const organizations = await manager.query<{ id: number }[]>(
        `SELECT DISTINCT organization_id AS id FROM systems`,
      );
      await ensureBuiltinRules(
        manager,
        organizations.map((o) => o.id),
      );
      return this.sync(manager, now);
    });
    if (result && (result.firing || result.resolved)) void this.sender.kick();
    return result;
  }

  private async sync(manager: EntityManager, now: Date): Promise<LinkFailedResult> {
    const inactive = await manager.query<InactiveSystem[]>(
      `SELECT s.id, s.organization_id, s.system_key, s.name, s.resource_id,
         coalesce(s.last_heartbeat_at, s.created) AS last_heartbeat_at,
         r.id AS rule_id, r.alertname, r.severity, r.labels, r.annotations, r.max_per_hour, r.max_critical_per_hour
       FROM systems s JOIN alert_rules r ON r.organization_id = s.organization_id AND r.builtin = 'link_failed'
       WHERE s.status = 'inactive' AND s.suspended_at IS NULL AND r.enabled
       ORDER BY s.id`,
    );
    const open = await manager.query<{ id: string; system_id: string | null; fingerprint: string }[]>(
      `SELECT a.id, a.system_id, a.fingerprint FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
       WHERE r.builtin = 'link_failed' AND a.source = 'inventory' AND a.status = 'firing'`,
    );
    const alerted = new Set(open.map((a) => a.system_id));

    // Systems going inactive in this check (no LinkFailed yet): a tight group of them is an ingest fault.
    const fresh = inactive.filter((s) => !alerted.has(s.id));
    const stalledIndexes = stalledSystems(fresh.map((s) => s.last_heartbeat_at));
    const stalled = fresh.filter((_, i) => stalledIndexes.has(i));
    const stalledIds = new Set(stalled.map((s) => s.id));
    await this.syncIngestStalled(manager, stalled, now);

    const candidates: AlertCandidate[] = inactive
      .filter((s) => !stalledIds.has(s.id))
      .map((s) => {
        const labels: Record<string, string> = {
          ...s.labels,
          alertname: s.alertname,
          severity: s.severity,
          organization_id: String(s.organization_id),
          system_id: s.id,
          system_key: s.system_key,
          ...(s.resource_id ? { resource: s.resource_id } : {}),
        };
        const data = {
          system_name: s.name,
          last_heartbeat: s.last_heartbeat_at.toISOString(),
          event_type: null,
          ...labels,
        };
        return {
          ruleId: s.rule_id,
          organizationId: s.organization_id,
          alertname: s.alertname,
          severity: s.severity,
          labels,
          annotations: renderAnnotations(s.annotations, data),
          fingerprint: alertFingerprint(labels),
          startsAt: new Date(Math.min(s.last_heartbeat_at.getTime() + this.timeoutMs, now.getTime())),
          systemId: s.id,
          resourceId: s.resource_id,
        };
      });
    const limits = new Map<string, RuleLimits>(
      inactive.map((s) => [
        s.rule_id,
        { maxPerHour: s.max_per_hour, maxCriticalPerHour: s.max_critical_per_hour },
      ]),
    );
    const written = await writeAlerts(manager, candidates, limits, now);

    // Firing LinkFailed alerts nobody wants any more: the system is back (or suspended, gone, the rule off or edited).
    const wanted = new Set(candidates.map((c) => `${c.systemId}/${c.fingerprint}`));
    const stale = open.filter((a) => !wanted.has(`${a.system_id}/${a.fingerprint}`)).map((a) => a.id);
    if (stale.length)
      await modifyReturning(
        manager,
        `UPDATE alerts SET status = 'resolved', ends_at = $2, push_due_at = $2, last_received_at = $2, modified = now()
         WHERE id = ANY($1::uuid[]) RETURNING id`,
        [stale, now],
      );
    const result = {
      firing: written.opened + written.updated,
      opened: written.opened,
      resolved: stale.length,
      suppressed: written.suppressed,
      stalled: stalled.length,
    };
    if (result.opened || result.resolved || result.stalled)
      this.logger.log(
        `LinkFailed: ${result.opened} opened, ${result.firing} firing, ${result.resolved} resolved, ${result.stalled} under IngestStalled`,
      );
    return result;
  }

  /** Opens, updates or resolves the platform's one IngestStalled alert. */
  private async syncIngestStalled(
    manager: EntityManager,
    stalled: InactiveSystem[],
    now: Date,
  ): Promise<void> {
    const [current] = await manager.query<{ id: string }[]>(
      `SELECT id FROM alerts WHERE source = 'inventory' AND organization_id IS NULL AND alertname = $1
         AND status = 'firing' ORDER BY starts_at DESC LIMIT 1`,
      [INGEST_STALLED],
    );
    if (stalled.length === 0) {
      if (current)
        await modifyReturning(
          manager,
          `UPDATE alerts SET status = 'resolved', ends_at = $2, push_due_at = $2, last_received_at = $2,
             modified = now() WHERE id = $1 RETURNING id`,
          [current.id, now],
        );
      return;
    }
    const times = stalled.map((s) => s.last_heartbeat_at.getTime());
    const first = new Date(Math.min(...times));
    const last = new Date(Math.max(...times));
    const organizations = new Set(stalled.map((s) => s.organization_id)).size;
    const annotations = {
      summary: `${stalled.length} systems stopped sending heartbeats within ${STALL_WINDOW_MS / 1000} s of each other`,
      description: `${stalled.length} systems of ${organizations} organization(s) went silent between ${first.toISOString()} and ${last.toISOString()}: an ingest fault on the inventory's side is likelier than ${stalled.length} broken links. No LinkFailed alerts are raised for them while this fires.`,
      systems: String(stalled.length),
    };
    if (current) {
      await modifyReturning(
        manager,
        `UPDATE alerts SET annotations = $2, match_count = match_count + 1, last_received_at = $3, push_due_at = $3,
           modified = now() WHERE id = $1 RETURNING id`,
        [current.id, JSON.stringify(annotations), now],
      );
      return;
    }
    const labels = { alertname: INGEST_STALLED, severity: 'critical' };
    this.logger.warn(`IngestStalled: ${annotations.summary}`);
    await manager.query(
      `INSERT INTO alerts (organization_id, source, alertname, severity, status, fingerprint, labels, annotations,
         starts_at, last_received_at, push_due_at, created)
       VALUES (NULL, 'inventory', $1, 'critical', 'firing', $2, $3, $4, $5, $6, $6, $6)`,
      [
        INGEST_STALLED,
        alertFingerprint(labels),
        JSON.stringify(labels),
        JSON.stringify(annotations),
        new Date(Math.min(first.getTime() + this.timeoutMs, now.getTime())),
        now,
      ],
    );
  }
}
