import type { EntityManager } from 'typeorm';
/**
 * Classifies errors raised by `pg`/TypeORM. PostgreSQL error codes come from
 * https://www.postgresql.org/docs/current/errcodes-appendix.html.
 */
export type DatabaseErrorKind = 'unavailable' | 'unique' | 'foreign_key' | 'invalid_text' | 'check' | null;

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

export function classifyDatabaseError(error: unknown): DatabaseErrorKind {
  const err = error as { code?: string; driverError?: { code?: string; message?: string }; message?: string };
  const code = err.driverError?.code ?? err.code;
  const message = err.driverError?.message ?? err.message ?? '';
  if (code && UNAVAILABLE_NODE_CODES.has(code)) return 'unavailable';
  if (
    code &&
    (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300')
  )
    return 'unavailable';
  if (
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end|DataSource is not initialized/i.test(
      message,
    )
  )
    return 'unavailable';
  if (code === '23505') return 'unique';
  if (code === '23503') return 'foreign_key';
  if (code === '22P02' || code === '22007' || code === '22008' || code === '22003') return 'invalid_text';
  if (code === '23514') return 'check';
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
