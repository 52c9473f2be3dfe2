import { isIP } from 'node:net';
import { RateLimitedError } from '../common/errors.js';
import type { Queryable } from '../common/list/list-runner.js';

/**
 * The anonymous push rate limit's table (push_rate_limits), owned here: one row per
 * bucket, shared by every replica through PostgreSQL.
 */

/**
 * The bucket of a client address: an IPv4 address is its own bucket; an IPv6 address
 * shares one with its /prefix network (a host given a /64 can pick any of 2^64
 * addresses, so per-address buckets would not limit it).
 */
export function rateLimitBucket(address: string, ipv6Prefix: number): string {
  if (isIP(address) !== 6 || ipv6Prefix >= 128) return address;
  const groups = expandIpv6(address);
  let bits = ipv6Prefix;
  const kept = groups.map((group) => {
    const keep = Math.max(0, Math.min(16, bits));
    bits -= 16;
    return keep === 16 ? group : keep === 0 ? 0 : group & ~((1 << (16 - keep)) - 1) & 0xffff;
  });
  return `${kept.map((g) => g.toString(16)).join(':')}/${ipv6Prefix}`;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, an embedded IPv4 tail converted). */
function expandIpv6(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((g) =>
    parseInt(g || '0', 16),
  );
}

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
