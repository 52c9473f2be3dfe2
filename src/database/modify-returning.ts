import type { Queryable } from '../common/list/list-runner.js';

/**
 * Runs an UPDATE or DELETE … RETURNING and gives back its rows. TypeORM answers such
 * statements as `[rows, rowCount]` (only INSERT and SELECT come back as plain rows),
 * which is easy to misread as two rows.
 */
export async function modifyReturning<Row>(db: Queryable, sql: string, params: unknown[]): Promise<Row[]> {
  if (!/^\s*(UPDATE|DELETE)\b/i.test(sql))
    throw new Error('modifyReturning is for UPDATE and DELETE statements');
  const [rows] = await db.query<[Row[], number]>(sql, params);
  return rows;
}
