import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RateLimitedError, ValidationFailedError } from '../common/errors.js';
import { addressBucket, ClientAddressResolver } from '../common/http/client-address.js';
import type { Queryable } from '../common/list/list-runner.js';
import { type AuthThrottleConfig, INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** What a credentials check knows of its request: the headers and the peer. */
export interface CredentialRequest {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
}

/** Whose secret is being guessed: a local user's password or a system's secret. */
export type ThrottledPrincipal = 'user' | 'system';

/** How a credentials check ended (inventory_credential_checks_total): a hash computed or not. */
export type CredentialCheckOutcome = 'verified' | 'rejected' | 'remembered' | 'throttled';

/** The counters one attempt touches (those whose cap is not 0). */
export interface ThrottleBuckets {
  /** The username or system key from this client address; null when AUTH_THROTTLE_MAX_FAILURES=0. */
  principal: string | null;
  /** Every bucket of the attempt, the principal's first and the address's last (one lock order for all). */
  all: string[];
}

/** What the read before verification found. */
export interface ThrottleState {
  /** Seconds until no bucket of the attempt is locked (0: not locked). */
  throttle_wait: number;
  /** Whether the principal's bucket has a row (a success deletes it). */
  throttle_failures: number;
}

/** Usernames are at most 150 characters; system keys 64. Longer ones cannot exist, so a prefix is enough. */
const MAX_PRINCIPAL_LENGTH = 150;

/**
 * The failed-authentication throttle (issue #11 item 3): failed password checks (HTTP
 * Basic, POST /auth/login/) and failed system-secret checks (the push and agent routes)
 * count per principal — a username or system key *from one client address* — and per
 * client address (IPv6: its /AUTH_THROTTLE_IPV6_PREFIX network), in `auth_throttle`
 * (shared by every replica). A counter that reaches its cap within
 * AUTH_THROTTLE_WINDOW_SECONDS is locked for AUTH_THROTTLE_LOCKOUT_SECONDS: every attempt
 * it covers answers 429 with Retry-After, decided by the read that also fetches the
 * user or system row, before any hash is computed. A success deletes the principal's
 * counter from that address (never the address's: an attacker's own valid account does
 * not reset it). Keying the principal on (principal, address), as django-axes can,
 * means a stranger cannot lock a user out from everywhere; the per-address cap bounds
 * how many usernames one address may try.
 */
@Injectable()
export class AuthThrottle {
  private readonly addresses: ClientAddressResolver;
  private readonly config: AuthThrottleConfig;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.config = config.authThrottle;
    this.addresses = new ClientAddressResolver(config.facts.trustedProxies);
  }

  /** The client's address (forwarding headers only from TRUSTED_PROXIES), as the push rate limit reads it; 400 when none can be told. */
  clientAddress(request: CredentialRequest): string {
    const address = this.addresses.resolve(request.socket?.remoteAddress, request.headers);
    if (!address)
      throw new ValidationFailedError(
        { client_address: ['cannot be determined.'] },
        'Invalid client address.',
      );
    return address;
  }

  /** The buckets of one attempt: `user:<address>|<username>` (or `system:`) and `address:<address>`. */
  buckets(kind: ThrottledPrincipal, principal: string, clientAddress: string): ThrottleBuckets {
    const address = addressBucket(clientAddress, this.config.ipv6Prefix);
    const own =
      this.config.maxFailures > 0 ? `${kind}:${address}|${principal.slice(0, MAX_PRINCIPAL_LENGTH)}` : null;
    const all = [own, this.config.addressMaxFailures > 0 ? `address:${address}` : null].filter(
      (bucket): bucket is string => bucket !== null,
    );
    return { principal: own, all };
  }

  /**
   * A one-row subquery (`throttle_wait`, `throttle_failures`) over the buckets in
   * `bucketsParam` (text[]) for the principal's bucket in `principalParam`: the caller
   * joins its user or system lookup to it, so an attempt costs one read before any
   * verification. An aggregate without GROUP BY always answers one row.
   */
  stateSql(bucketsParam: string, principalParam: string): string {
    return `(SELECT coalesce(max(ceil(extract(epoch FROM locked_until - now()))) FILTER (WHERE locked_until > now()), 0)::int AS throttle_wait,
        coalesce(max(failures) FILTER (WHERE bucket = ${principalParam}), 0)::int AS throttle_failures
      FROM auth_throttle WHERE bucket = ANY(${bucketsParam}::text[]))`;
  }

  /** Counts a check's outcome (verified and rejected: a hash was computed). */
  observe(kind: ThrottledPrincipal, outcome: CredentialCheckOutcome): void {
    this.metrics?.credentialChecks.inc({ kind, outcome });
  }

  /** 429 with Retry-After when a bucket of the attempt is locked. */
  refuseIfLocked(kind: ThrottledPrincipal, state: ThrottleState): void {
    if (state.throttle_wait <= 0) return;
    this.observe(kind, 'throttled');
    throw new RateLimitedError(
      state.throttle_wait,
      `Too many failed authentication attempts; try again in ${state.throttle_wait} seconds.`,
    );
  }

  /**
   * Counts one failure in every bucket of the attempt: one upsert. A bucket whose window
   * and lockout have passed starts again at 1; one that reaches its cap is locked until
   * now + lockout. Concurrent failures queue on the row locks, taken in the same order
   * (principal, then address) by every attempt.
   */
  async recordFailure(buckets: ThrottleBuckets, db: Queryable = this.db): Promise<void> {
    if (buckets.all.length === 0) return;
    const cap = (column: string) => `CASE WHEN ${column} LIKE 'address:%' THEN $4::int ELSE $3::int END`;
    const stale = `((t.locked_until IS NOT NULL AND t.locked_until <= now()) OR (t.locked_until IS NULL AND t.window_ends_at <= now()))`;
    const lockedFrom = `now() + make_interval(secs => $5)`;
    await db.query(
      `INSERT INTO auth_throttle AS t (bucket, failures, window_ends_at, locked_until)
       SELECT b, 1, now() + make_interval(secs => $2), CASE WHEN ${cap('b')} <= 1 THEN ${lockedFrom} END
       FROM unnest($1::text[]) WITH ORDINALITY AS input(b, position) ORDER BY position
       ON CONFLICT (bucket) DO UPDATE SET
         failures = CASE WHEN ${stale} THEN 1 ELSE t.failures + 1 END,
         window_ends_at = CASE WHEN ${stale} THEN excluded.window_ends_at ELSE t.window_ends_at END,
         locked_until = CASE
           WHEN ${stale} THEN excluded.locked_until
           WHEN t.failures + 1 >= ${cap('t.bucket')} THEN coalesce(t.locked_until, ${lockedFrom})
           ELSE t.locked_until END`,
      [
        buckets.all,
        this.config.windowSeconds,
        this.config.maxFailures,
        this.config.addressMaxFailures,
        this.config.lockoutSeconds,
      ],
    );
  }

  /** After a success: the principal's counter from this address goes (when the read saw one). */
  async reset(buckets: ThrottleBuckets, state: ThrottleState, db: Queryable = this.db): Promise<void> {
    if (buckets.principal === null || state.throttle_failures === 0) return;
    await db.query(`DELETE FROM auth_throttle WHERE bucket = $1`, [buckets.principal]);
  }
}

/**
 * Deletes the counters that limit nothing any more (window and lockout both passed);
 * answers how many. Run hourly by the auth-throttle-pruning job.
 */
export async function pruneExpiredAuthThrottle(db: Queryable): Promise<number> {
  const rows = await db.query<{ count: number }[]>(
    `WITH deleted AS (
       DELETE FROM auth_throttle
       WHERE window_ends_at < now() AND (locked_until IS NULL OR locked_until < now()) RETURNING 1
     ) SELECT count(*)::int AS count FROM deleted`,
  );
  return rows[0]?.count ?? 0;
}
