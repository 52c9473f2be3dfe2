import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BadGatewayError, ForbiddenError, NotFoundError } from '../common/errors.js';
import type { SystemPrincipal } from '../facts/systems.service.js';
import {
  alertOwnedBy,
  enrichAlerts,
  forceSilenceMatcher,
  silenceOwnedBy,
  systemKeyFilter,
  type SystemAlertContext,
} from './alert-enrichment.js';
import { AlertmanagerClient, type AlertmanagerMethod, type UpstreamAnswer } from './alertmanager-client.js';

export type { UpstreamAnswer } from './alertmanager-client.js';
type Method = AlertmanagerMethod;

/** `silence/{id}` (Alertmanager's v2 path) or `silences/{id}` (the collector's spelling). */
const SILENCE_BY_ID = /^silences?\/([A-Za-z0-9-]{1,64})$/;

/**
 * The collector's per-system Alertmanager proxy: a system sees, posts and silences
 * only its own alerts. Lists are scoped twice (a `system_key` filter sent upstream, and
 * the answer filtered again here), posted alerts carry server-side labels, silences
 * always match only the system's alerts, and a silence is read, replaced or deleted
 * only by the system it targets. Paths other than alerts, alert groups and silences
 * are not proxied (Alertmanager's status and receivers reveal its configuration).
 */
@Injectable()
export class AlertmanagerProxyService {
  private readonly logger = new Logger('AlertmanagerProxy');

  constructor(
    private readonly client: AlertmanagerClient,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async forward(
    system: SystemPrincipal,
    method: Method,
    subPath: string,
    query: URLSearchParams,
    body: unknown,
  ): Promise<UpstreamAnswer> {
    const context = await this.context(system);
    const key = context.systemKey;
    const scoped = new URLSearchParams(query);
    const silenceId = SILENCE_BY_ID.exec(subPath)?.[1];

    if (subPath === 'alerts' && method === 'GET') {
      scoped.append('filter', systemKeyFilter(key));
      return this.filtered(await this.call(context, 'GET', 'alerts', scoped), (list) =>
        list.filter((alert) => alertOwnedBy(alert, key)),
      );
    }
    if (subPath === 'alerts' && method === 'POST') {
      const enriched = enrichAlerts(body, context, (message, annotation) =>
        this.logger.warn(`${message} (system ${context.systemId}, annotation ${annotation})`),
      );
      return this.call(context, 'POST', 'alerts', scoped, enriched);
    }
    if (subPath === 'alerts/groups' && method === 'GET') {
      scoped.append('filter', systemKeyFilter(key));
      return this.filtered(await this.call(context, 'GET', 'alerts/groups', scoped), (groups) =>
        groups
          .map((group) => {
            const g = group as { alerts?: unknown[] };
            return { ...g, alerts: (g.alerts ?? []).filter((alert) => alertOwnedBy(alert, key)) };
          })
          .filter((group) => group.alerts.length > 0),
      );
    }
    if (subPath === 'silences' && method === 'GET') {
      scoped.append('filter', systemKeyFilter(key));
      return this.filtered(await this.call(context, 'GET', 'silences', scoped), (list) =>
        list.filter((silence) => silenceOwnedBy(silence, key)),
      );
    }
    if (subPath === 'silences' && method === 'POST') {
      // A posted id replaces that silence: only the system's own may be replaced.
      const replaces = (body as { id?: unknown } | null)?.id;
      if (typeof replaces === 'string' && replaces !== '')
        await this.assertOwnsSilence(context, replaces, subPath);
      return this.call(context, 'POST', 'silences', scoped, forceSilenceMatcher(body, key));
    }
    if (silenceId && (method === 'GET' || method === 'DELETE')) {
      await this.assertOwnsSilence(context, silenceId, subPath);
      return this.call(context, method, `silence/${silenceId}`, scoped);
    }
    throw new NotFoundError(
      `${method} ${subPath} is not proxied: alerts (GET, POST), alerts/groups (GET), silences (GET, POST) and silence/{id} (GET, DELETE) are.`,
    );
  }

  /** The server-side facts about the system that alerts carry. */
  async context(system: SystemPrincipal): Promise<SystemAlertContext> {
    const rows = await this.db.query<{ name: string; organization_name: string }[]>(
      `SELECT s.name, o.name AS organization_name FROM systems s JOIN organizations o ON o.id = s.organization_id
       WHERE s.id = $1`,
      [system.id],
    );
    return {
      systemId: system.id,
      systemKey: system.systemKey,
      organizationId: system.organizationId,
      systemName: rows[0]?.name ?? '',
      organizationName: rows[0]?.organization_name ?? '',
    };
  }

  private async assertOwnsSilence(context: SystemAlertContext, id: string, path: string): Promise<void> {
    const answer = await this.call(context, 'GET', `silence/${id}`, new URLSearchParams());
    let owned = false;
    if (answer.status === 200) {
      try {
        owned = silenceOwnedBy(JSON.parse(answer.body), context.systemKey);
      } catch {
        owned = false;
      }
    } else if (answer.status !== 404) {
      throw new BadGatewayError(`Alertmanager answered ${answer.status} to the silence ownership check.`);
    }
    if (!owned) {
      this.logger.warn(
        `silence ownership check failed: system ${context.systemId} (${context.systemKey}), path ${path}`,
      );
      throw new ForbiddenError('access denied');
    }
  }

  /** A JSON list answer with `keep` applied; anything else as it came. */
  private filtered(answer: UpstreamAnswer, keep: (list: unknown[]) => unknown[]): UpstreamAnswer {
    if (answer.status !== 200) return answer;
    try {
      const parsed: unknown = JSON.parse(answer.body);
      if (!Array.isArray(parsed)) return answer;
      return { ...answer, body: JSON.stringify(keep(parsed)) };
    } catch {
      return answer;
    }
  }

  private call(
    context: SystemAlertContext,
    method: Method,
    path: string,
    query: URLSearchParams,
    body?: unknown,
  ): Promise<UpstreamAnswer> {
    return this.client.call(this.client.tenant(context.organizationId), method, path, query, body);
  }
}
