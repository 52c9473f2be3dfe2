import { Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { InvalidQueryError } from '../common/errors.js';
import type { Queryable } from '../common/list/list-runner.js';
import { SqlParams } from '../common/list/sql-params.js';
import { DATABASE_URL } from '../common/tokens.js';
import { AccessService } from '../rbac/access.service.js';
import type { EventDto } from './dto/event.dto.js';
import { EVENT_SEVERITIES, EVENT_TYPES, type EventSeverity } from './event.enums.js';
import {
  appendEvents,
  appendEventsFrom,
  EVENTS_CHANNEL,
  type NewEvent,
  readHorizon,
} from './event-log.sql.js';

export type { NewEvent } from './event-log.sql.js';

/** What a reader narrows the log to (all optional; lists are OR-ed within, AND-ed across). */
export interface EventFilters {
  /** Exact types or prefixes (`resource.*`). */
  types?: string[];
  organizations?: number[];
  providers?: string[];
  resources?: string[];
  severityMin?: EventSeverity;
}

export const DEFAULT_EVENT_LIMIT = 100;
export const MAX_EVENT_LIMIT = 1000;

interface EventRow {
  id: string;
  occurred_at: Date;
  organization_id: number;
  provider_id: string | null;
  resource_id: string | null;
  system_id: string | null;
  type: string;
  severity: EventSeverity | null;
  payload: Record<string, unknown>;
}

const toEventDto = (row: EventRow): EventDto => ({
  id: Number(row.id),
  occurred_at: row.occurred_at.toISOString(),
  type: row.type,
  organization: row.organization_id,
  provider: row.provider_id,
  resource: row.resource_id,
  system: row.system_id,
  severity: row.severity,
  payload: row.payload,
});

/** A page of the log: the events, and the cursor to read on from (never past the horizon). */
export interface EventPage {
  events: EventDto[];
  /** Read on after this id: the last event's when the page is full, else the horizon (all below it was read). */
  cursor: number;
  /** False when the page is full (more may follow at once). */
  caughtUp: boolean;
}

/**
 * The event log (issue 10; /work/EVENTS-CONTRACT.md). `append` is the only writer, in
 * the caller's transaction; `readAfter` reads by cursor and never past the horizon
 * (src/events/event-log.sql.ts), so an event whose transaction commits late is never
 * skipped; `onAppended` wakes listeners after commits (LISTEN inventory_events).
 */
@Injectable()
export class EventsService implements OnApplicationShutdown {
  private readonly logger = new Logger('Events');
  private running: Promise<string> | null = null;
  private queued: Promise<string> | null = null;
  private readonly listeners = new Set<() => void>();
  private listener: pg.Client | null = null;
  private listening: Promise<void> | null = null;
  private closed = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Optional() private readonly access?: AccessService,
    @Optional() @Inject(DATABASE_URL) private readonly databaseUrl?: string,
  ) {}

  /** Appends events in the caller's transaction (one statement for the whole list). */
  append(manager: EntityManager | Queryable, events: NewEvent[]): Promise<void> {
    return appendEvents(manager, events);
  }

  /** Appends the events a SELECT yields (see appendEventsFrom), in the caller's transaction. */
  appendFrom(manager: EntityManager | Queryable, select: string, params: unknown[]): Promise<number> {
    return appendEventsFrom(manager, select, params);
  }

  /**
   * The safe horizon. Concurrent callers share computations: one runs, and callers that
   * arrive meanwhile share the next one (started after it), so nobody gets a horizon
   * computed before they asked.
   */
  horizon(): Promise<string> {
    if (!this.running) {
      this.running = readHorizon(this.db).finally(() => (this.running = null));
      return this.running;
    }
    if (!this.queued) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.horizon();
        });
    }
    return this.queued;
  }

  /** Events after `cursor` (up to the horizon), oldest first; `scope` is an extra SQL condition. */
  async readAfter(
    cursor: number | string,
    filters: EventFilters = {},
    limit = DEFAULT_EVENT_LIMIT,
    scope?: (params: SqlParams) => string | null,
  ): Promise<EventPage> {
    const horizon = await this.horizon();
    const params = new SqlParams();
    const where = [`e.id > ${params.add(String(cursor))}::bigint`, `e.id <= ${params.add(horizon)}::bigint`];
    if (filters.types?.length) {
      const exact = filters.types.filter((t) => !t.endsWith('*'));
      const prefixes = filters.types.filter((t) => t.endsWith('*')).map((t) => `${t.slice(0, -1)}%`);
      const parts: string[] = [];
      if (exact.length) parts.push(`e.type = ANY(${params.add(exact)}::text[])`);
      if (prefixes.length) parts.push(`e.type LIKE ANY(${params.add(prefixes)}::text[])`);
      where.push(`(${parts.join(' OR ')})`);
    }
    if (filters.organizations?.length)
      where.push(`e.organization_id = ANY(${params.add(filters.organizations)}::int[])`);
    if (filters.providers?.length)
      where.push(`e.provider_id = ANY(${params.add(filters.providers)}::uuid[])`);
    if (filters.resources?.length)
      where.push(`e.resource_id = ANY(${params.add(filters.resources)}::uuid[])`);
    if (filters.severityMin) {
      const levels = EVENT_SEVERITIES.slice(EVENT_SEVERITIES.indexOf(filters.severityMin));
      where.push(`e.severity = ANY(${params.add(levels)}::text[])`);
    }
    const scoped = scope?.(params);
    if (scoped) where.push(scoped);
    const rows = await this.db.query<EventRow[]>(
      `SELECT e.id::text AS id, e.occurred_at, e.organization_id, e.provider_id, e.resource_id, e.system_id, e.type,
         e.severity, e.payload
       FROM events e WHERE ${where.join(' AND ')} ORDER BY e.id LIMIT ${params.add(limit)}`,
      params.values,
    );
    const events = rows.map(toEventDto);
    const full = events.length === limit;
    const after = Number(cursor);
    const cursorOut = full ? events[events.length - 1].id : Math.max(after, Number(horizon));
    return { events, cursor: cursorOut, caughtUp: !full };
  }

  /**
   * The caller's view of the log: events are scoped like the objects they describe —
   * system events by `system.view` on the organization, everything else (resources,
   * relationships, runs, facts) by `provider.view` on the organization or the provider.
   */
  async readVisible(actor: Actor, cursor: number, filters: EventFilters, limit: number): Promise<EventPage> {
    const access = this.access!;
    const providerScope = await access.scope(actor, 'provider.view');
    const systemScope = await access.scope(actor, 'system.view');
    return this.readAfter(cursor, filters, limit, (params) => {
      const providers = access.scopeCondition(providerScope, params, {
        organization: 'e.organization_id',
        provider: 'e.provider_id',
      });
      const systems = access.scopeCondition(systemScope, params, { organization: 'e.organization_id' });
      if (providers === null && systems === null) return null;
      return `((e.type LIKE 'system.%' AND ${systems ?? 'true'}) OR (e.type NOT LIKE 'system.%' AND ${providers ?? 'true'}))`;
    });
  }

  /** A provider moved to another organization: its events move with it (caller's transaction). */
  async moveProvider(manager: EntityManager, providerId: string, organizationId: number): Promise<void> {
    await manager.query(
      `UPDATE events SET organization_id = $1 WHERE provider_id = $2 AND organization_id <> $1`,
      [organizationId, providerId],
    );
  }

  /** Retention: deletes events older than `cutoff`, `batch` at a time (each its own transaction). */
  async deleteOlderThan(cutoff: Date, batch: number, statementTimeout: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const count = await this.db.transaction(async (manager) => {
        await manager.query(`SET LOCAL statement_timeout = '${statementTimeout}'`);
        const [, n] = await manager.query<[unknown[], number]>(
          `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE occurred_at < $1 ORDER BY id LIMIT ${batch})`,
          [cutoff],
        );
        return n;
      });
      deleted += count;
      if (count < batch) return deleted;
    }
  }

  /** Calls `listener` after each commit that appended events (any replica); returns the unsubscribe. */
  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    void this.listen();
    return () => this.listeners.delete(listener);
  }

  private listen(): Promise<void> {
    if (this.listening || this.closed || !this.databaseUrl) return this.listening ?? Promise.resolve();
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: 'inventory-events',
    });
    this.listening = (async () => {
      client.on('notification', () => {
        for (const listener of this.listeners) listener();
      });
      client.on('error', (error) => {
        this.logger.warn(`LISTEN ${EVENTS_CHANNEL} connection lost: ${error.message}; reconnecting`);
        this.reconnect(client);
      });
      client.on('end', () => this.reconnect(client));
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      this.listener = client;
      // Whatever committed while not listening is read now.
      for (const listener of this.listeners) listener();
    })().catch((error: Error) => {
      this.logger.warn(`LISTEN ${EVENTS_CHANNEL} failed: ${error.message}; retrying in 1 s`);
      this.reconnect(client);
    });
    return this.listening;
  }

  private reconnect(client: pg.Client): void {
    if (this.listener !== client && this.listener !== null) return;
    this.listener = null;
    this.listening = null;
    client.removeAllListeners();
    client.end().catch(() => undefined);
    if (this.closed) return;
    setTimeout(() => void this.listen(), 1000).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    const client = this.listener;
    this.listener = null;
    if (client) {
      client.removeAllListeners();
      await client.end().catch(() => undefined);
    }
  }
}

/** An event type, or a prefix of some (`resource.*`), as readers and webhooks name them. */
export function isEventTypePattern(type: string): boolean {
  return type.endsWith('.*')
    ? EVENT_TYPES.some((t) => t.startsWith(type.slice(0, -1)))
    : (EVENT_TYPES as readonly string[]).includes(type);
}

/** Whether `type` is selected by `patterns` (types or prefixes); an empty list selects every type. */
export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return (
    patterns.length === 0 ||
    patterns.some((p) => (p.endsWith('.*') ? type.startsWith(p.slice(0, -1)) : p === type))
  );
}

/** Parses the readers' query parameters (`GET /events/`, `/events/stream/`); 400 on anything malformed. */
export function parseEventQuery(query: Record<string, unknown>): {
  after: number | null;
  limit: number;
  filters: EventFilters;
} {
  const known = ['after', 'limit', 'type', 'organization', 'provider', 'resource', 'severity_min'];
  for (const key of Object.keys(query))
    if (!known.includes(key))
      throw new InvalidQueryError(key, `unknown parameter; expected ${known.join(', ')}`);
  const list = (key: string): string[] => {
    const value = query[key];
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [value])
      .flatMap((v) => String(v).split(','))
      .filter((v) => v !== '');
  };
  const one = (key: string): string | undefined => {
    const values = list(key);
    if (values.length > 1) throw new InvalidQueryError(key, 'give it once');
    return values[0];
  };
  const after = one('after');
  if (after !== undefined && !/^\d{1,15}$/.test(after))
    throw new InvalidQueryError('after', 'must be an event id (a non-negative integer)');
  const limitText = one('limit');
  const limit = limitText === undefined ? DEFAULT_EVENT_LIMIT : Number(limitText);
  if ((limitText !== undefined && !/^\d{1,7}$/.test(limitText)) || limit < 1 || limit > MAX_EVENT_LIMIT)
    throw new InvalidQueryError('limit', `must be an integer from 1 to ${MAX_EVENT_LIMIT}`);
  const types = list('type');
  for (const type of types) {
    if (!isEventTypePattern(type))
      throw new InvalidQueryError(
        'type',
        `"${type}" is not an event type or prefix (${EVENT_TYPES.join(', ')})`,
      );
  }
  const organizations = list('organization').map((v) => {
    if (!/^\d{1,9}$/.test(v)) throw new InvalidQueryError('organization', 'must be an organization id');
    return Number(v);
  });
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const uuids = (key: string) =>
    list(key).map((v) => {
      if (!uuid.test(v)) throw new InvalidQueryError(key, 'must be a UUID');
      return v.toLowerCase();
    });
  const severity = one('severity_min');
  if (severity !== undefined && !(EVENT_SEVERITIES as readonly string[]).includes(severity))
    throw new InvalidQueryError('severity_min', `must be one of ${EVENT_SEVERITIES.join(', ')}`);
  return {
    after: after === undefined ? null : Number(after),
    limit,
    filters: {
      types,
      organizations,
      providers: uuids('provider'),
      resources: uuids('resource'),
      severityMin: severity as EventSeverity | undefined,
    },
  };
}
