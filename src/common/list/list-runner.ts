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
  const offset = query.offset;
  const pageSql = source.deferredJoin
    ? `SELECT ${source.select} FROM ${source.from} WHERE ${source.deferredJoin.id} IN (
         SELECT ${source.deferredJoin.id} FROM ${source.countFrom ?? source.from} ${whereSql}
         ORDER BY ${query.orderBy} LIMIT ${query.pageSize} OFFSET ${offset})
       ORDER BY ${query.orderBy}`
    : `SELECT ${source.select} FROM ${source.from} ${whereSql} ORDER BY ${query.orderBy} LIMIT ${query.pageSize} OFFSET ${offset}`;
  const [rows, counted] = await Promise.all([
    db.query<Row[]>(pageSql, params),
    db.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM ${source.countFrom ?? source.from} ${whereSql}`,
      params,
    ),
  ]);
  const count = counted[0]?.count ?? 0;
  // A page past the end is a 404 (DRF's page numbers); an offset past the end is an empty page (NetBox).
  if (rows.length === 0 && query.page > 1 && query.style === 'page') throw new NotFoundError('Invalid page.');
  let results = rows.map(source.map);
  if (source.enrich && results.length > 0) results = await source.enrich(results);
  return buildPage(query, count, pickFields(results as (T & object)[], query.fields) as T[]);
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
