import { NotFoundError } from '../errors.js';
import { ListExport, openListExport, pickFields } from './list-export.js';
import type { ParsedListQuery } from './list-query.js';
import { buildPage, type Page } from './page.js';

/** Anything that can run parameterised SQL: a DataSource, an EntityManager or a QueryRunner. */
export interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

export interface ListSource<Row, T> {
  /** The SELECT list (columns of `from` and its joins). */
  select: string;
  /** FROM clause including the joins filters, search and ordering refer to. */
  from: string;
  /** A cheaper FROM for the count, when the joins only feed the SELECT list. */
  countFrom?: string;
  /** Conditions the caller adds (parent resource, access scope); placeholders from `query.params`. */
  where?: string[];
  /**
   * Find the page's ids on `countFrom` alone (filters and ordering must only use its
   * columns), then fetch the full rows of just those ids: a deep page then skips
   * index entries instead of whole joined rows. The tie-breaker column is the id.
   */
  deferredJoin?: { id: string };
  map: (row: Row) => T;
  /** Completes a page (or an export batch) of mapped results, e.g. with one query for their related objects. */
  enrich?: (results: T[]) => Promise<T[]>;
}

/**
 * `format=csv|ndjson`: runList answers an empty Page standing for the export (so services
 * keep one return type); the ListExportInterceptor finds the stream here and sends it.
 */
const EXPORTS = new WeakMap<object, ListExport>();

/** The export a list answer carries, if it is one (see ListExportInterceptor). */
export function exportOf(answer: unknown): ListExport | undefined {
  return typeof answer === 'object' && answer !== null ? EXPORTS.get(answer) : undefined;
}

/** The download's name: the list's last path segment (`/resources/` → `resources.csv`). */
function exportFilename(query: ParsedListQuery): string {
  const segments = new URL(query.location.base).pathname.split('/').filter(Boolean);
  const name = (segments.at(-1) ?? 'export').replace(/[^A-Za-z0-9_-]/g, '') || 'export';
  return `${name}.${query.format}`;
}

/**
 * Runs a parsed list query: one SELECT for the page and one COUNT over the same
 * conditions (never `rows.length`), in parallel on two pooled connections.
 */
export async function runList<Row, T>(
  db: Queryable,
  query: ParsedListQuery,
  source: ListSource<Row, T>,
): Promise<Page<T>> {
  const conditions = [...(source.where ?? []), ...query.where];
  const whereSql = conditions.length ? `WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '';
  const params = query.params.values;
  if (query.format !== 'json') {
    const body = await openListExport<T & object>({
      db,
      sql: `SELECT ${source.select} FROM ${source.from} ${whereSql} ORDER BY ${query.orderBy}`,
      params,
      map: source.map as (row: never) => T & object,
      enrich: source.enrich as ((results: (T & object)[]) => Promise<(T & object)[]>) | undefined,
      fields: query.fields,
      format: query.format,
    });
    const answer: Page<T> = { count: 0, next: null, previous: null, results: [] };
    EXPORTS.set(answer, new ListExport(query.format, exportFilename(query), body));
    return answer;
  }
  if (query.style === 'cursor') return runKeysetPage(db, query, source, whereSql);
  const offset = query.offset;
  const pageSql = source.deferredJoin
    ? `SELECT ${source.select} FROM ${source.from} WHERE ${source.deferredJoin.id} IN (
         SELECT ${source.deferredJoin.id} FROM ${source.countFrom ?? source.from} ${whereSql}
         ORDER BY ${query.orderBy} LIMIT ${query.pageSize} OFFSET ${offset})
       ORDER BY ${query.orderBy}`
    : `SELECT ${source.select} FROM ${source.from} ${whereSql} ORDER BY ${query.orderBy} LIMIT ${query.pageSize} OFFSET ${offset}`;
  const [rows, count] = await Promise.all([
    db.query<Row[]>(pageSql, params),
    countRows(db, source, whereSql, params),
  ]);
  // A page past the end is a 404 (DRF's page numbers); an offset past the end is an empty page (NetBox).
  if (rows.length === 0 && query.page > 1 && query.style === 'page') throw new NotFoundError('Invalid page.');
  return buildPage(query, count, await finish(source, rows, query));
}

/** The count over the list's conditions (never `rows.length`). */
async function countRows<Row, T>(
  db: Queryable,
  source: ListSource<Row, T>,
  whereSql: string,
  params: unknown[],
): Promise<number> {
  const counted = await db.query<{ count: number }[]>(
    `SELECT count(*)::int AS count FROM ${source.countFrom ?? source.from} ${whereSql}`,
    params,
  );
  return counted[0]?.count ?? 0;
}

async function finish<Row, T>(source: ListSource<Row, T>, rows: Row[], query: ParsedListQuery): Promise<T[]> {
  let results = rows.map(source.map);
  if (source.enrich && results.length > 0) results = await source.enrich(results);
  return pickFields(results as (T & object)[], query.fields) as T[];
}

/**
 * A keyset page (`?cursor=`): the rows after the cursor's position (a condition
 * parseListQuery added), one more than the page to know whether there is a next, and
 * each row's ordering values as text (exact, microseconds included) for the next cursor.
 * Deep pages cost what the first does: no OFFSET to skip.
 */
async function runKeysetPage<Row, T>(
  db: Queryable,
  query: ParsedListQuery,
  source: ListSource<Row, T>,
  whereSql: string,
): Promise<Page<T>> {
  const params = query.params.values;
  const keys = query.orderTerms.map((term, i) => `(${term.sql})::text AS "__key${i}"`).join(', ');
  const limit = query.pageSize + 1;
  const pageWhere = query.keyset
    ? whereSql
      ? `${whereSql} AND (${query.keyset.sql})`
      : `WHERE ${query.keyset.sql}`
    : whereSql;
  const pageSql = source.deferredJoin
    ? `SELECT ${source.select}, ${keys} FROM ${source.from} WHERE ${source.deferredJoin.id} IN (
         SELECT ${source.deferredJoin.id} FROM ${source.countFrom ?? source.from} ${pageWhere}
         ORDER BY ${query.orderBy} LIMIT ${limit})
       ORDER BY ${query.orderBy}`
    : `SELECT ${source.select}, ${keys} FROM ${source.from} ${pageWhere} ORDER BY ${query.orderBy} LIMIT ${limit}`;
  // The count covers the whole list, as on every page: the cursor's condition is there only
  // so its parameters are typed (`… OR true` is folded away by the planner); services may add
  // parameters after it, so they cannot just be left out.
  const countWhere = query.keyset
    ? `${whereSql ? `${whereSql} AND` : 'WHERE'} ((${query.keyset.sql}) OR true)`
    : whereSql;
  const [rows, count] = await Promise.all([
    db.query<(Row & Record<string, string | null>)[]>(pageSql, params),
    countRows(db, source, countWhere, params),
  ]);
  const more = rows.length > query.pageSize;
  const pageRows = more ? rows.slice(0, query.pageSize) : rows;
  const last = pageRows.at(-1);
  const next = more && last ? query.orderTerms.map((_, i) => last[`__key${i}`] ?? null) : null;
  for (const row of pageRows) for (let i = 0; i < query.orderTerms.length; i++) delete row[`__key${i}`];
  return buildPage(query, count, await finish(source, pageRows as Row[], query), next);
}

/** The first row of a query, or a 404 with the given message. */
export async function queryOne<Row>(
  db: Queryable,
  sql: string,
  params: unknown[],
  notFound: string,
): Promise<Row> {
  const rows = await db.query<Row[]>(sql, params);
  if (!rows[0]) throw new NotFoundError(notFound);
  return rows[0];
}
