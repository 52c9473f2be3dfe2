import pg from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { Queryable } from '../common/list/list-runner.js';
import type { EventSeverity, EventType } from './event.enums.js';

/** One event to append; written in the caller's transaction. */
export interface NewEvent {
  type: EventType;
  organizationId: number;
  providerId?: string | null;
  resourceId?: string | null;
  systemId?: string | null;
  severity?: EventSeverity | null;
  payload: Record<string, unknown>;
  /** null or absent: the transaction's now(). */
  occurredAt?: Date | null;
}

/** LISTEN/NOTIFY channel woken after every transaction that appended events commits. */
export const EVENTS_CHANNEL = 'inventory_events';

/**
 * The writers' barrier (an advisory lock key, "events" in ASCII). Every transaction that
 * appends events holds it SHARED from before its ids are allocated until it ends; the
 * horizon (below) takes it EXCLUSIVE for an instant. Writers never wait for each other.
 */
export const EVENT_WRITERS_LOCK = '111533268710003';

/**
 * Takes the writers' barrier and queues the commit notification. Must run before the
 * events' ids are allocated, in the same transaction (a separate statement: the order of
 * evaluation inside one statement is not guaranteed).
 */
async function enterWriters(db: Queryable): Promise<void> {
  // Outside a transaction the barrier and the insert would be two autocommit statements
  // (on a pool, maybe two connections), and a horizon read between them would hand out
  // the new ids before they commit: a reader would skip them for ever.
  if (
    db instanceof pg.Pool ||
    db instanceof DataSource ||
    (db instanceof EntityManager && !db.queryRunner?.isTransactionActive)
  )
    throw new Error('Events are appended inside the transaction of what they describe.');
  await db.query(`SELECT pg_advisory_xact_lock_shared($1::bigint), pg_notify('${EVENTS_CHANNEL}', '')`, [
    EVENT_WRITERS_LOCK,
  ]);
}

/** Appends events in one statement (jsonb_to_recordset), in the caller's transaction. */
export async function appendEvents(db: Queryable, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await enterWriters(db);
  await db.query(
    `INSERT INTO events (occurred_at, organization_id, provider_id, resource_id, system_id, type, severity, payload)
     SELECT coalesce(e.occurred_at, now()), e.organization_id, e.provider_id, e.resource_id, e.system_id, e.type,
       e.severity, coalesce(e.payload, '{}')
     -- A function scan returns the rows in list order, so ids follow the list.
     FROM jsonb_to_recordset($1::jsonb) AS e(occurred_at timestamptz, organization_id int, provider_id uuid,
       resource_id uuid, system_id uuid, type text, severity text, payload jsonb)`,
    [
      JSON.stringify(
        events.map((e) => ({
          occurred_at: e.occurredAt ?? null,
          organization_id: e.organizationId,
          provider_id: e.providerId ?? null,
          resource_id: e.resourceId ?? null,
          system_id: e.systemId ?? null,
          type: e.type,
          severity: e.severity ?? null,
          payload: e.payload,
        })),
      ),
    ],
  );
}

/**
 * Appends the events a SELECT of the caller produces, without the rows travelling to
 * Node and back (a full run's 300,000 new relationships). The SELECT must yield the
 * columns occurred_at, organization_id, provider_id, resource_id, system_id, type,
 * severity, payload, in that order. Returns how many were appended.
 */
export async function appendEventsFrom(db: Queryable, select: string, params: unknown[]): Promise<number> {
  await enterWriters(db);
  const rows = await db.query<{ n: number }[]>(
    `WITH appended AS (
       INSERT INTO events (occurred_at, organization_id, provider_id, resource_id, system_id, type, severity, payload)
       ${select}
       RETURNING 1
     ) SELECT count(*)::int AS n FROM appended`,
    params,
  );
  return rows[0].n;
}

/**
 * The highest id no reader can be surprised by: every event with an id at or below it
 * has committed (or rolled back) and is visible to any snapshot taken afterwards.
 *
 * Ids are allocated when a row is inserted, not when its transaction commits, so two
 * writers can commit out of id order: id 11 visible while id 10 is still in flight. A
 * cursor that moved past 11 would then skip 10 for ever. Taking the writers' barrier
 * exclusively waits for every writer that holds it (those that allocated ids) to end;
 * any writer after it allocates ids above the sequence's value read under the lock. So
 * the value read there is a horizon: readers hand out ids up to it and no further.
 * The exclusive hold lasts one sequence read; new writers queue behind it for that long.
 */
export async function readHorizon(db: DataSource): Promise<string> {
  return db.transaction(async (manager) => {
    await manager.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [EVENT_WRITERS_LOCK]);
    const rows = await manager.query<{ horizon: string }[]>(
      `SELECT (CASE WHEN is_called THEN last_value ELSE 0 END)::text AS horizon FROM events_id_seq`,
    );
    return rows[0].horizon;
  });
}

/** What the write paths need of the log (EventsService, or EVENT_LOG outside Nest: benchmarks, seeds). */
export interface EventAppender {
  append(db: Queryable, events: NewEvent[]): Promise<void>;
  appendFrom(db: Queryable, select: string, params: unknown[]): Promise<number>;
}

export const EVENT_LOG: EventAppender = { append: appendEvents, appendFrom: appendEventsFrom };

/** A change's severity as an event severity (`info` is none). */
export function eventSeverity(severity: string | null | undefined): EventSeverity | null {
  return severity === 'low' || severity === 'medium' || severity === 'high' || severity === 'critical'
    ? severity
    : null;
}

const SEVERITY_ORDER = ['info', 'low', 'medium', 'high', 'critical'];

/** The highest of some change severities, as an event severity. */
export function highestSeverity(severities: Iterable<string>): EventSeverity | null {
  let best = -1;
  for (const s of severities) best = Math.max(best, SEVERITY_ORDER.indexOf(s));
  return best < 0 ? null : eventSeverity(SEVERITY_ORDER[best]);
}

/** At most this many change rows travel inside one resource.changed event. */
export const MAX_EVENT_CHANGES = 200;
