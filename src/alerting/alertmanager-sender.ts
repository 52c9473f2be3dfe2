import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { modifyReturning } from '../database/modify-returning.js';
import { AlertRuleEvaluator } from './alert-rule-evaluator.js';
import { AlertmanagerClient } from './alertmanager-client.js';
import { ALERTING_CLOCK, type AlertingClock } from './alerting-clock.js';

/** Advisory lock key: one sender per cluster at a time. */
const SEND_LOCK = '111533268710202';
/** A firing alert is sent with endsAt this far ahead… */
export const ALERT_TTL_MS = 10 * 60_000;
/** …and sent again this long after, well before that endsAt. */
export const REFRESH_MS = 4 * 60_000;
/** A failed send is tried again after this long. */
const RETRY_MS = 30_000;
/** Alerts per pass (and per POST). */
const BATCH = 500;
/** Due alerts are looked for at least this often. */
const POLL_MS = 30_000;

interface DueAlert {
  id: string;
  organization_id: number | null;
  alertname: string;
  severity: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, unknown>;
  starts_at: Date;
  ends_at: Date | null;
  resource_id: string | null;
  system_id: string | null;
  system_key: string | null;
}

/** What Alertmanager's POST /api/v2/alerts takes for one alert. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

/**
 * One alert as Alertmanager takes it: the server's labels (alertname, severity,
 * organization_id, and system_key / system_id / resource where they apply) over the
 * stored ones, string annotations, endsAt `now + 10 min` while firing and the resolve
 * time once resolved.
 */
export function postableAlert(alert: DueAlert, now: Date): PostableAlert {
  const labels: Record<string, string> = {
    ...alert.labels,
    alertname: alert.alertname,
    severity: alert.severity,
    ...(alert.organization_id !== null ? { organization_id: String(alert.organization_id) } : {}),
    ...(alert.resource_id ? { resource: alert.resource_id } : {}),
    ...(alert.system_id ? { system_id: alert.system_id } : {}),
    ...(alert.system_key ? { system_key: alert.system_key } : {}),
  };
  const annotations = Object.fromEntries(
    Object.entries(alert.annotations).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
  const endsAt =
    alert.status === 'firing'
      ? new Date(now.getTime() + ALERT_TTL_MS)
      : new Date(Math.min((alert.ends_at ?? now).getTime(), now.getTime()));
  return { labels, annotations, startsAt: alert.starts_at.toISOString(), endsAt: endsAt.toISOString() };
}

/**
 * Sends the inventory's own alerts to Alertmanager (ALERTMANAGER_URL), once per cluster
 * (advisory lock): every alert whose `push_due_at` has come is POSTed to
 * `/api/v2/alerts` (grouped by tenant, X-Scope-OrgID); a firing one is due again after
 * 4 minutes (its endsAt is 10 minutes ahead, so it keeps firing while refreshed), a
 * resolved one is sent once with its endsAt (the resolve time) and then never again.
 * A failed send is tried again after 30 s. Runs after the evaluator writes alerts, and
 * every 30 s.
 */
@Injectable()
export class AlertmanagerSender implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AlertmanagerSender');
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    @Inject(ALERTING_CLOCK) private readonly clock: AlertingClock,
    private readonly client: AlertmanagerClient,
    private readonly evaluator: AlertRuleEvaluator,
  ) {}

  onModuleInit(): void {
    if (!this.db.isInitialized || this.config.role === 'api' || !this.client.configured) return;
    this.unsubscribe = this.evaluator.onAlertsWritten(() => void this.kick());
    this.timer = setInterval(() => void this.kick(), POLL_MS);
    this.timer.unref();
  }

  /** Sends what is due now (again after the current pass, if one is running). */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.push().catch((error: Error) =>
          this.logger.warn(`Sending alerts failed: ${error.message}`),
        );
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = null));
    return this.running;
  }

  /** One pass: sends every due alert (in batches); answers how many were sent and how many failed. */
  async push(now: Date = this.clock.now()): Promise<{ sent: number; failed: number }> {
    let sent = 0;
    let failed = 0;
    if (!this.client.configured) return { sent, failed };
    for (;;) {
      const pass = await this.db.transaction(async (manager) => {
        const [{ locked }] = await manager.query<{ locked: boolean }[]>(
          `SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`,
          [SEND_LOCK],
        );
        if (!locked) return null;
        // Locked until the answers are recorded: a rule updating one of these waits for it.
        const due = await manager.query<DueAlert[]>(
          `SELECT a.id, a.organization_id, a.alertname, a.severity, a.status, a.labels, a.annotations, a.starts_at,
             a.ends_at, a.resource_id, a.system_id, s.system_key
           FROM alerts a LEFT JOIN systems s ON s.id = a.system_id
           WHERE a.source = 'inventory' AND a.push_due_at <= $1
           ORDER BY a.push_due_at, a.id LIMIT ${BATCH} FOR UPDATE OF a`,
          [now],
        );
        const byTenant = new Map<string, DueAlert[]>();
        for (const alert of due) {
          const tenant = this.client.tenant(alert.organization_id);
          byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), alert]);
        }
        const ok: string[] = [];
        const bad: string[] = [];
        for (const [tenant, alerts] of byTenant) {
          const answer = await this.client
            .call(
              tenant,
              'POST',
              'alerts',
              undefined,
              alerts.map((a) => postableAlert(a, now)),
            )
            .catch((error: Error) => ({ status: 0, body: error.message }));
          if (answer.status >= 200 && answer.status < 300) ok.push(...alerts.map((a) => a.id));
          else {
            bad.push(...alerts.map((a) => a.id));
            this.logger.warn(
              `Alertmanager refused ${alerts.length} alert(s) of tenant ${tenant}: ${answer.status} ${answer.body.slice(0, 300)}`,
            );
          }
        }
        if (ok.length)
          await modifyReturning(
            manager,
            `UPDATE alerts SET push_due_at = CASE WHEN status = 'firing' THEN $2::timestamptz + make_interval(secs => $3)
               END
             WHERE id = ANY($1::uuid[]) RETURNING id`,
            [ok, now, REFRESH_MS / 1000],
          );
        if (bad.length)
          await modifyReturning(
            manager,
            `UPDATE alerts SET push_due_at = $2::timestamptz + make_interval(secs => $3) WHERE id = ANY($1::uuid[]) RETURNING id`,
            [bad, now, RETRY_MS / 1000],
          );
        return { ok: ok.length, bad: bad.length, full: due.length === BATCH };
      });
      if (!pass) return { sent, failed };
      sent += pass.ok;
      failed += pass.bad;
      if (!pass.full || pass.ok === 0) return { sent, failed };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
