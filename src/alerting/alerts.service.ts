import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { PayloadTooLargeError, ValidationFailedError } from '../common/errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { parseTimestamp } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { modifyReturning } from '../database/modify-returning.js';
import { AccessService } from '../rbac/access.service.js';
import { AlertmanagerSender } from './alertmanager-sender.js';
import type { AlertDto, AlertTotalsDto } from './dto/alert.dto.js';

interface AlertRow {
  id: string;
  organization: number | null;
  source: string;
  alertname: string;
  severity: string;
  status: string;
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, unknown>;
  starts_at: Date;
  ends_at: Date | null;
  last_received_at: Date;
  receiver: string | null;
  system: string | null;
  resource: string | null;
  acknowledged_at: Date | null;
  acknowledged_by: number | null;
  resolved_by: number | null;
  rule: string | null;
  match_count: number;
}

const SELECT = `a.id, a.organization_id AS organization, a.source, a.alertname, a.severity, a.status, a.fingerprint,
  a.labels, a.annotations, a.starts_at, a.ends_at, a.last_received_at, a.receiver, a.system_id AS system,
  a.resource_id AS resource, a.acknowledged_at, a.acknowledged_by_id AS acknowledged_by, a.resolved_by_id AS resolved_by,
  a.rule_id AS rule, a.match_count`;

const iso = (value: Date | null) => value?.toISOString() ?? null;
const toAlertDto = (row: AlertRow): AlertDto => ({
  ...row,
  starts_at: row.starts_at.toISOString(),
  ends_at: iso(row.ends_at),
  last_received_at: row.last_received_at.toISOString(),
  acknowledged_at: iso(row.acknowledged_at),
});

/** At most this many alerts per Alertmanager notification (as the collector). */
export const MAX_WEBHOOK_ALERTS = 1000;

/** One alert of an Alertmanager webhook notification (payload version 4), checked. */
export interface ReceivedAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, unknown>;
  startsAt: Date;
  endsAt: Date | null;
  fingerprint: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks an Alertmanager webhook body (`{version: "4", receiver, status, alerts: [...]}`):
 * 400 naming the first bad field, 413 beyond MAX_WEBHOOK_ALERTS alerts. Alertmanager's
 * "no end" (0001-01-01) is null.
 */
export function parseAlertmanagerWebhook(body: unknown): {
  receiver: string | null;
  alerts: ReceivedAlert[];
} {
  const fail = (field: string, message: string): never => {
    throw new ValidationFailedError({ [field]: [message] });
  };
  if (!isObject(body)) return fail('body', 'must be a JSON object (an Alertmanager webhook notification).');
  if (!Array.isArray(body.alerts)) return fail('alerts', 'must be a list.');
  if (body.alerts.length > MAX_WEBHOOK_ALERTS)
    throw new PayloadTooLargeError(`At most ${MAX_WEBHOOK_ALERTS} alerts per notification.`);
  const alerts = body.alerts.map((alert: unknown, i): ReceivedAlert => {
    if (!isObject(alert)) return fail(`alerts[${i}]`, 'must be an object.');
    if (alert.status !== 'firing' && alert.status !== 'resolved')
      return fail(`alerts[${i}].status`, 'must be firing or resolved.');
    if (!isObject(alert.labels) || Object.values(alert.labels).some((v) => typeof v !== 'string'))
      return fail(`alerts[${i}].labels`, 'must be an object of strings.');
    if (alert.annotations !== undefined && !isObject(alert.annotations))
      return fail(`alerts[${i}].annotations`, 'must be an object.');
    const startsAt = typeof alert.startsAt === 'string' ? parseTimestamp(alert.startsAt) : null;
    if (!startsAt) return fail(`alerts[${i}].startsAt`, 'must be an RFC 3339 date-time.');
    const endsRaw = typeof alert.endsAt === 'string' ? parseTimestamp(alert.endsAt) : null;
    const fingerprint = alert.fingerprint;
    if (typeof fingerprint !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(fingerprint))
      return fail(`alerts[${i}].fingerprint`, 'must be Alertmanager’s hex fingerprint.');
    return {
      status: alert.status,
      labels: alert.labels as Record<string, string>,
      annotations: alert.annotations ?? {},
      startsAt,
      endsAt: endsRaw && endsRaw.getUTCFullYear() > 1 ? endsRaw : null,
      fingerprint,
    };
  });
  const receiver = typeof body.receiver === 'string' ? body.receiver.slice(0, 255) : null;
  return { receiver, alerts };
}

/** Alerts, scoped by organization (`alert.view`; acknowledging and resolving: `alert.change`). */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger('Alerts');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    @Optional() private readonly sender?: AlertmanagerSender,
  ) {}

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<AlertDto>> {
    const where = await this.access.visibleWhere(actor, 'alert.view', query.params, {
      organization: 'a.organization_id',
    });
    return runList(this.db, query, { select: SELECT, from: 'alerts a', where, map: toAlertDto });
  }

  async get(actor: Actor, id: string): Promise<AlertDto> {
    const params = new SqlParams();
    const where = [
      `a.id = ${params.add(id)}`,
      ...(await this.access.visibleWhere(actor, 'alert.view', params, { organization: 'a.organization_id' })),
    ];
    const row = await queryOne<AlertRow>(
      this.db,
      `SELECT ${SELECT} FROM alerts a WHERE ${where.join(' AND ')}`,
      params.values,
      `Alert ${id} not found.`,
    );
    return toAlertDto(row);
  }

  /** Marks the alert seen by the caller (idempotent: the first acknowledgement stays). */
  async acknowledge(actor: Actor, id: string): Promise<AlertDto> {
    const alert = await this.get(actor, id);
    await this.access.require(actor, 'alert.change', { organizationId: alert.organization ?? undefined });
    await this.db.query(
      `UPDATE alerts SET acknowledged_at = coalesce(acknowledged_at, now()),
         acknowledged_by_id = coalesce(acknowledged_by_id, $2), modified = now() WHERE id = $1`,
      [id, actor.id],
    );
    return this.get(actor, id);
  }

  /**
   * Resolves the alert here (an Alertmanager alert that keeps firing upstream opens a new
   * occurrence when it is next notified with a new start; an inventory alert is resolved
   * at Alertmanager too, and its rule's next match opens a new occurrence).
   */
  async resolve(actor: Actor, id: string): Promise<AlertDto> {
    const alert = await this.get(actor, id);
    await this.access.require(actor, 'alert.change', { organizationId: alert.organization ?? undefined });
    await this.db.query(
      `UPDATE alerts SET status = 'resolved', ends_at = coalesce(ends_at, now()), resolved_by_id = $2, modified = now(),
         push_due_at = CASE WHEN source = 'inventory' THEN now() ELSE push_due_at END
       WHERE id = $1 AND status = 'firing'`,
      [id, actor.id],
    );
    void this.sender?.kick();
    return this.get(actor, id);
  }

  /**
   * A provider moved to another organization: an alert of a system stays with the system
   * (its own organization) and lets go of the moved host; an alert of a resource alone
   * moves with it.
   */
  async moveProvider(manager: EntityManager, providerId: string, organizationId: number): Promise<void> {
    await manager.query(
      `UPDATE alerts SET resource_id = NULL, modified = now()
       WHERE resource_id IN (SELECT id FROM resources WHERE provider_id = $1)
         AND system_id IS NOT NULL AND organization_id <> $2`,
      [providerId, organizationId],
    );
    await manager.query(
      `UPDATE alerts SET organization_id = $2, modified = now()
       WHERE resource_id IN (SELECT id FROM resources WHERE provider_id = $1) AND system_id IS NULL`,
      [providerId, organizationId],
    );
  }

  async totals(actor: Actor): Promise<AlertTotalsDto> {
    const params = new SqlParams();
    const where = [
      `a.status = 'firing'`,
      ...(await this.access.visibleWhere(actor, 'alert.view', params, { organization: 'a.organization_id' })),
    ];
    const rows = await this.db.query<{ severity: string; firing: number; unacknowledged: number }[]>(
      `SELECT a.severity, count(*)::int AS firing, count(*) FILTER (WHERE a.acknowledged_at IS NULL)::int AS unacknowledged
       FROM alerts a WHERE ${where.join(' AND ')} GROUP BY a.severity ORDER BY a.severity`,
      params.values,
    );
    return {
      firing: rows.reduce((n, r) => n + r.firing, 0),
      unacknowledged: rows.reduce((n, r) => n + r.unacknowledged, 0),
      by_severity: Object.fromEntries(rows.map((r) => [r.severity, r.firing])),
    };
  }

  /**
   * Records an Alertmanager notification (POST /alert_history): an alert the inventory
   * sent itself (same fingerprint and start) only records the receiver; any other
   * belongs to the organization of the system its `system_key` label names (the
   * payload's own organization labels are never believed), and alerts naming no known
   * system are skipped and logged. A repeated notification of the same occurrence
   * (organization, fingerprint, start) updates it. Answers how many were stored.
   */
  async recordAlertmanagerWebhook(body: unknown): Promise<{ stored: number; skipped: number }> {
    const { receiver, alerts } = parseAlertmanagerWebhook(body);
    if (alerts.length === 0) return { stored: 0, skipped: 0 };
    const input = JSON.stringify(
      alerts.map((a) => ({
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        starts_at: a.startsAt.toISOString(),
        ends_at: a.endsAt?.toISOString() ?? null,
        fingerprint: a.fingerprint,
      })),
    );
    // The inventory's own alerts coming back (same fingerprint and start): the inventory
    // keeps their state; the notification only records which receiver was told.
    const ours = await modifyReturning<{ fingerprint: string }>(
      this.db,
      `UPDATE alerts a SET receiver = $2, modified = now()
       FROM jsonb_to_recordset($1::jsonb) AS i(starts_at timestamptz, fingerprint text)
       WHERE a.source = 'inventory' AND a.fingerprint = i.fingerprint AND a.starts_at = i.starts_at
       RETURNING a.fingerprint`,
      [input, receiver],
    );
    const rows = await this.db.query<{ fingerprint: string }[]>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(status text, labels jsonb, annotations jsonb,
           starts_at timestamptz, ends_at timestamptz, fingerprint text)
         WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.source = 'inventory' AND a.fingerprint = i.fingerprint
           AND a.starts_at = i.starts_at)
       ), owned AS (
         SELECT i.*, s.id AS system_id, s.organization_id, s.resource_id
         FROM input i JOIN systems s ON s.system_key = i.labels ->> 'system_key'
       )
       INSERT INTO alerts (organization_id, source, alertname, severity, status, fingerprint, labels, annotations,
         starts_at, ends_at, last_received_at, receiver, system_id, resource_id)
       SELECT DISTINCT ON (organization_id, fingerprint, starts_at)
         organization_id, 'alertmanager', left(coalesce(labels ->> 'alertname', ''), 255),
         left(coalesce(labels ->> 'severity', 'none'), 32), status, fingerprint, labels, annotations, starts_at,
         CASE WHEN status = 'resolved' THEN coalesce(ends_at, now()) END, now(), $2, system_id, resource_id
       FROM owned ORDER BY organization_id, fingerprint, starts_at
       ON CONFLICT (organization_id, fingerprint, starts_at) DO UPDATE SET
         status = EXCLUDED.status, ends_at = EXCLUDED.ends_at, labels = EXCLUDED.labels,
         annotations = EXCLUDED.annotations, severity = EXCLUDED.severity, last_received_at = now(),
         receiver = EXCLUDED.receiver, modified = now()
       RETURNING fingerprint`,
      [input, receiver],
    );
    const skipped = alerts.length - rows.length - ours.length;
    if (skipped > 0)
      this.logger.warn(`alert_history: ${skipped} alert(s) skipped (no system_key label of a known system)`);
    return { stored: rows.length + ours.length, skipped };
  }
}
