import type pg from 'pg';
import { appendEvents, type NewEvent } from '../../src/events/event-log.sql.js';

/** Appends events the way the writers do: in a transaction of their own, through the log's one writer. */
export async function appendTestEvents(pool: pg.Pool, events: NewEvent[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await appendEvents(
      { query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as never },
      events,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
