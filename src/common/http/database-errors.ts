import type { EntityManager } from 'typeorm';
/**
 * Classifies errors raised by `pg`/TypeORM. PostgreSQL error codes come from
 * https://www.postgresql.org/docs/current/errcodes-appendix.html.
 */
export type DatabaseErrorKind =
  | 'unavailable'
  | 'conflict_retry'
  | 'unique'
  | 'foreign_key'
  | 'invalid_text'
  | 'unstorable_text'
  | 'check'
  | null;

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * Messages of `pg`, `pg-pool` and TypeORM when the connection is gone or cannot be had
 * (they carry no code): a dropped connection, a pool that could not connect within
 * connectionTimeoutMillis, a query runner TypeORM released because its connection died
 * under it (the commit of a transaction whose connection was lost).
 */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end|DataSource is not initialized|Client was closed and is not queryable|Connection is not established|Query runner already released|connection provided by a query runner was already released|terminating connection|the database system is (starting up|shutting down|in recovery mode)|server closed the connection unexpectedly|read ECONNRESET|connect ECONNREFUSED/i;

/** PostgreSQL SQLSTATEs of a server that is going away, starting or out of connections. */
function isUnavailableSqlState(code: string): boolean {
  // 08: connection exception; 57P01-57P05: admin/crash shutdown, cannot connect now,
  // database dropped, idle session timeout; 53300: too many connections.
  return code.startsWith('08') || /^57P0[1-5]$/.test(code) || code === '53300';
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  name?: unknown;
  cause?: unknown;
  driverError?: unknown;
  errors?: unknown;
}

/**
 * The error and what it wraps (TypeORM's `driverError`, `cause` chains, the attempts of
 * an AggregateError), breadth first, without cycles and at most 20 deep.
 */
function errorChain(error: unknown): ErrorLike[] {
  const seen = new Set<unknown>();
  const chain: ErrorLike[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 20) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const e = current as ErrorLike;
    chain.push(e);
    queue.push(e.driverError, e.cause);
    if (Array.isArray(e.errors)) queue.push(...(e.errors as unknown[]).slice(0, 5));
  }
  return chain;
}

/** True when the error (or anything it wraps) says the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return errorChain(error).some((e) => {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNAVAILABLE_NODE_CODES.has(code) || isUnavailableSqlState(code)) return true;
    if (
      e.name === 'QueryRunnerAlreadyReleasedError' ||
      e.name === 'QueryRunnerProviderAlreadyReleasedError' ||
      e.name === 'ConnectionIsNotSetError'
    )
      return true;
    return typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message);
  });
}

export function classifyDatabaseError(error: unknown): DatabaseErrorKind {
  if (isDatabaseUnavailable(error)) return 'unavailable';
  // The SQLSTATE of the first error in the chain that has one (QueryFailedError → pg's DatabaseError).
  const code = errorChain(error)
    .map((e) => e.code)
    .find((c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c));
  // 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available: the
  // transaction lost a race with a concurrent one and was rolled back; the same request
  // again is expected to succeed.
  if (code === '40001' || code === '40P01' || code === '55P03') return 'conflict_retry';
  if (code === '23505') return 'unique';
  if (code === '23503') return 'foreign_key';
  if (code === '22P02' || code === '22007' || code === '22008' || code === '22003') return 'invalid_text';
  if (code === '23514') return 'check';
  // 22021 character_not_in_repertoire (a NUL byte in text, invalid UTF-8), 22P05
  // untranslatable_character (\u0000 in jsonb): input PostgreSQL cannot store, from any
  // query parameter, path or body — answered 400 here, in one place.
  if (code === '22021' || code === '22P05') return 'unstorable_text';
  return null;
}

/**
 * Runs a write transaction; a unique-index violation (a race the service's own
 * pre-check could not see, or the only check) becomes the given 400 instead of a 409.
 */
export async function inTransactionUnique<T>(
  db: { transaction<R>(work: (manager: EntityManager) => Promise<R>): Promise<R> },
  work: (manager: EntityManager) => Promise<T>,
  onDuplicate: () => Error,
): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (error) {
    if (classifyDatabaseError(error) === 'unique') throw onDuplicate();
    throw error;
  }
}
