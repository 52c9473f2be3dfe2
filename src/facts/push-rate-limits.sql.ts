import { RateLimitedError } from '../common/errors.js';
import type { Queryable } from '../common/list/list-runner.js';

/**
 * The anonymous push rate limit's table (push_rate_limits), owned here: one row per
 * bucket, shared by every replica through PostgreSQL.
 */

/**
 * Seconds until `bucket` may submit again (0: now). A read, taking nothing: the push
 * routes call it before reading the body so a client inside its window costs one
 * indexed lookup, not a parse of its body.
 */
export async function checkRateLimit(db: Queryable, bucket: string, minutes: number): Promise<number> {
  if (minutes <= 0) return 0;
  const rows = await db.query<{ wait: number }[]>(
    `SELECT greatest(0, ceil(extract(epoch FROM last_accepted_at + make_interval(mins => $2) - now())))::int AS wait
     FROM push_rate_limits WHERE bucket = $1`,
    [bucket, minutes],
  );
  return rows[0]?.wait ?? 0;
}

/**
 * One accepted submission per bucket per window, decided by PostgreSQL: the upsert's
 * WHERE lets the row be taken only when the window has passed, and concurrent requests
 * for one bucket queue on the row lock, so exactly one wins. Run in the push's
 * transaction: a push that fails does not use up the window.
 */
export async function takeRateLimit(db: Queryable, bucket: string, minutes: number): Promise<void> {
  if (minutes <= 0) return;
  const taken = await db.query<{ bucket: string }[]>(
    `INSERT INTO push_rate_limits (bucket, last_accepted_at) VALUES ($1, now())
     ON CONFLICT (bucket) DO UPDATE SET last_accepted_at = now()
     WHERE push_rate_limits.last_accepted_at <= now() - make_interval(mins => $2)
     RETURNING bucket`,
    [bucket, minutes],
  );
  if (taken.length > 0) return;
  throw new RateLimitedError(Math.max(1, (await checkRateLimit(db, bucket, minutes)) || minutes * 60));
}

/** Deletes the rows whose window has passed (they limit nothing any more); answers how many. */
export async function pruneExpiredRateLimits(db: Queryable, minutes: number): Promise<number> {
  const rows = await db.query<{ count: number }[]>(
    `WITH deleted AS (
       DELETE FROM push_rate_limits WHERE last_accepted_at < now() - make_interval(mins => $1) RETURNING 1
     ) SELECT count(*)::int AS count FROM deleted`,
    [Math.max(0, minutes)],
  );
  return rows[0]?.count ?? 0;
}
