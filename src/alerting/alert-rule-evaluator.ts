import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ValidationFailedError } from '../common/errors.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import type { EventDto } from '../events/dto/event.dto.js';
import { EventsService, matchesEventType } from '../events/events.service.js';
import { modifyReturning } from '../database/modify-returning.js';
import { renderAnnotation } from './alert-enrichment.js';
import { alertFingerprint, type EventChange, matchEvent } from './alert-rule-matching.js';
import { selectResources } from './alert-rule-selector.js';
import { type AlertCandidate, type RuleLimits, writeAlerts } from './alert-writer.js';
import { ALERTING_CLOCK, type AlertingClock } from './alerting-clock.js';
import { ensureBuiltinRules } from './builtin-alert-rules.js';

/** Advisory lock key: one evaluator per cluster at a time. */
const EVALUATE_LOCK = '111533268710201';
/** Events read from the log per evaluator transaction. */
const EVALUATE_BATCH = 500;
/** The log is read at least this often even without a notification. */
const POLL_MS = 30_000;

interface SystemName {
  id: string;
  name: string;
  system_key: string;
  resource_id: string | null;
}

interface RuleRow {
  id: string;
  organization_id: number;
  event_types: string[];
  resolve_event_types: string[];
  categories: string[];
  severity_min: string | null;
  field_path: string | null;
  resource_selector: string | null;
  alertname: string;
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  max_per_hour: number;
  max_critical_per_hour: number;
}

/** Renders a rule's annotation templates (only values containing `{{`) over the data. */
export function renderAnnotations(
  templates: Record<string, string>,
  data: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, template] of Object.entries(templates)) {
    if (!template.includes('{{')) {
      out[name] = template;
      continue;
    }
    const rendered = renderAnnotation(template, data);
    out[name] = 'value' in rendered ? rendered.value : template;
  }
  return out;
}

/**
 * The alert rules' evaluator: one per cluster (advisory lock), it reads the event log
 * from its own durable cursor (`alert_rule_cursor`, never past the log's horizon, so no
 * late commit is skipped) and, in the transaction that moves the cursor, opens or
 * updates the alerts the events' matching rules call for. It runs when events are
 * appended (LISTEN) and every 30 s.
 */
@Injectable()
export class AlertRuleEvaluator implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AlertRules');
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    @Inject(ALERTING_CLOCK) private readonly clock: AlertingClock,
    private readonly events: EventsService,
  ) {}

  onModuleInit(): void {
    if (!this.db.isInitialized || this.config.role === 'api') return;
    this.unsubscribe = this.events.onAppended(() => void this.kick());
    this.timer = setInterval(() => void this.kick(), POLL_MS);
    this.timer.unref();
    void this.kick();
  }

  /** Calls `listener` after a pass that opened or updated alerts (the Alertmanager sender). */
  onAlertsWritten(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs the evaluator now (again after the current pass, if one is running); resolves when caught up. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.evaluate().catch((error: Error) =>
          this.logger.warn(`Evaluation failed: ${error.message}`),
        );
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = null));
    return this.running;
  }

  /** Reads the log from the cursor until caught up, opening and updating alerts. */
  async evaluate(): Promise<void> {
    for (;;) {
      const pass = await this.db.transaction(async (manager) => {
        const [{ locked }] = await manager.query<{ locked: boolean }[]>(
          `SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`,
          [EVALUATE_LOCK],
        );
        if (!locked) return null; // another replica is evaluating
        const [{ cursor }] = await manager.query<{ cursor: string }[]>(
          `SELECT cursor::text AS cursor FROM alert_rule_cursor WHERE id = 1 FOR UPDATE`,
        );
        const page = await this.events.readAfter(cursor, {}, EVALUATE_BATCH);
        const written = page.events.length ? await this.apply(manager, page.events) : 0;
        await manager.query(`UPDATE alert_rule_cursor SET cursor = $1, modified = now() WHERE id = 1`, [
          String(page.cursor),
        ]);
        return { written, caughtUp: page.caughtUp };
      });
      if (!pass) return;
      if (pass.written) for (const listener of this.listeners) listener();
      if (pass.caughtUp) return;
    }
  }

  /** The alerts a page of events calls for; answers how many were opened or updated. */
  private async apply(manager: EntityManager, events: EventDto[]): Promise<number> {
    const organizations = [...new Set(events.map((e) => e.organization))];
    await ensureBuiltinRules(manager, organizations);
    const rules = await manager.query<RuleRow[]>(
      `SELECT id, organization_id, event_types, resolve_event_types, categories, severity_min, field_path, resource_selector, alertname,
         severity, labels, annotations, max_per_hour, max_critical_per_hour
       FROM alert_rules
       WHERE enabled AND organization_id = ANY($1::int[]) AND builtin IS DISTINCT FROM 'link_failed'
       ORDER BY created, id`,
      [organizations],
    );
    if (rules.length === 0) return 0;
    const matches: { rule: RuleRow; event: EventDto; changes: EventChange[] }[] = [];
    const resolving: { rule: RuleRow; event: EventDto }[] = [];
    for (const event of events)
      for (const rule of rules) {
        if (rule.organization_id !== event.organization) continue;
        if (rule.resolve_event_types.length && matchesEventType(rule.resolve_event_types, event.type))
          resolving.push({ rule, event });
        if (rule.resource_selector && !event.resource) continue;
        const match = matchEvent(
          {
            eventTypes: rule.event_types,
            categories: rule.categories,
            severityMin: rule.severity_min,
            fieldPath: rule.field_path,
          },
          event,
        );
        if (match) matches.push({ rule, event, changes: match.changes });
      }
    if (matches.length === 0 && resolving.length === 0) return 0;

    // Resource selectors: one statement per rule that has one, over the resources matched.
    const selected = new Map<string, Set<string>>();
    for (const rule of rules.filter((r) => r.resource_selector)) {
      const ids = [...new Set(matches.filter((m) => m.rule === rule).map((m) => m.event.resource!))];
      if (ids.length === 0) continue;
      try {
        selected.set(rule.id, await selectResources(manager, rule.resource_selector!, ids));
      } catch (error) {
        if (!(error instanceof ValidationFailedError)) throw error;
        this.logger.warn(`Alert rule ${rule.id}: its resource selector no longer parses (${error.message})`);
        selected.set(rule.id, new Set());
      }
    }
    const kept = matches.filter(
      (m) => !m.rule.resource_selector || selected.get(m.rule.id)?.has(m.event.resource!),
    );
    if (kept.length === 0 && resolving.length === 0) return 0;

    const names = await this.names(
      manager,
      [...kept, ...resolving].map((m) => m.event),
    );
    /** The labels of the rule's alert about the event's subject (the same for the event that resolves it). */
    const labelsOf = (rule: RuleRow, event: EventDto): Record<string, string> => {
      const system = names.systemOf(event);
      return {
        ...rule.labels,
        alertname: rule.alertname,
        severity: rule.severity,
        organization_id: String(event.organization),
        ...(event.resource ? { resource: event.resource } : {}),
        ...(event.provider ? { provider: event.provider } : {}),
        ...(system ? { system_id: system.id, system_key: system.system_key } : {}),
      };
    };

    // Resolving events: the rule's firing alert with the fingerprint the event would have opened is resolved;
    // matches before the last resolving event of their alert in this page are over already.
    const lastResolve = new Map<string, number>();
    for (const { rule, event } of resolving) {
      const key = `${rule.id}/${alertFingerprint(labelsOf(rule, event))}`;
      lastResolve.set(key, Math.max(lastResolve.get(key) ?? 0, event.id));
    }
    const now = this.clock.now();
    let resolved = 0;
    if (lastResolve.size)
      resolved = (
        await modifyReturning(
          manager,
          `UPDATE alerts a SET status = 'resolved', ends_at = $2, push_due_at = $2, last_received_at = $2,
             modified = now()
           FROM jsonb_to_recordset($1::jsonb) AS i(rule_id uuid, fingerprint text)
           WHERE a.rule_id = i.rule_id AND a.fingerprint = i.fingerprint AND a.status = 'firing'
             AND a.source = 'inventory'
           RETURNING a.id`,
          [
            JSON.stringify(
              [...lastResolve.keys()].map((key) => {
                const [rule_id, fingerprint] = key.split('/');
                return { rule_id, fingerprint };
              }),
            ),
            now,
          ],
        )
      ).length;

    const candidates: AlertCandidate[] = kept.map(({ rule, event, changes }) => {
      const system = names.systemOf(event);
      const labels = labelsOf(rule, event);
      const first = changes[0];
      const payload = event.payload;
      const data: Record<string, unknown> = {
        event_type: event.type,
        resource_name: (event.resource && names.resources.get(event.resource)) ?? payload.name ?? null,
        provider_name: (event.provider && names.providers.get(event.provider)) ?? null,
        system_name: system?.name ?? null,
        field_path: first?.field_path ?? null,
        previous: first?.previous ?? null,
        current: first?.current ?? null,
        matched_changes: changes.length,
        error_message: payload.error_message ?? null,
        ...labels,
      };
      return {
        ruleId: rule.id,
        organizationId: event.organization,
        alertname: rule.alertname,
        severity: rule.severity,
        labels,
        annotations: renderAnnotations(rule.annotations, data),
        fingerprint: alertFingerprint(labels),
        startsAt: new Date(event.occurred_at),
        systemId: system?.id ?? null,
        resourceId: event.resource,
      };
    });
    const limits = new Map<string, RuleLimits>(
      rules.map((r) => [r.id, { maxPerHour: r.max_per_hour, maxCriticalPerHour: r.max_critical_per_hour }]),
    );
    const open = candidates.filter(
      (c, i) => kept[i].event.id > (lastResolve.get(`${c.ruleId}/${c.fingerprint}`) ?? 0),
    );
    const result = await writeAlerts(manager, open, limits, now);
    return result.opened + result.updated + resolved;
  }

  /** Names the annotations show: of the events' resources, providers and systems (three statements). */
  private async names(manager: EntityManager, events: EventDto[]) {
    const ids = (pick: (e: EventDto) => string | null) => [
      ...new Set(events.map(pick).filter((v): v is string => v !== null)),
    ];
    // One after the other: a transaction's connection runs one statement at a time.
    const resources = await manager.query<{ id: string; name: string }[]>(
      `SELECT id, name FROM resources WHERE id = ANY($1::uuid[])`,
      [ids((e) => e.resource)],
    );
    const providers = await manager.query<{ id: string; name: string }[]>(
      `SELECT id, name FROM providers WHERE id = ANY($1::uuid[])`,
      [ids((e) => e.provider)],
    );
    const systems = await manager.query<SystemName[]>(
      `SELECT id, name, system_key, resource_id FROM systems WHERE id = ANY($1::uuid[]) OR resource_id = ANY($2::uuid[])`,
      [ids((e) => e.system), ids((e) => e.resource)],
    );
    const byId = new Map(systems.map((s) => [s.id, s]));
    const byResource = new Map(systems.filter((s) => s.resource_id).map((s) => [s.resource_id!, s]));
    return {
      resources: new Map(resources.map((r) => [r.id, r.name])),
      providers: new Map(providers.map((p) => [p.id, p.name])),
      /** The event's system, else the system linked to its resource (a pushing host). */
      systemOf: (e: EventDto): SystemName | undefined =>
        (e.system ? byId.get(e.system) : undefined) ?? (e.resource ? byResource.get(e.resource) : undefined),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
