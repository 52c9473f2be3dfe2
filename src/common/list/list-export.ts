import { Readable } from 'node:stream';
import { InvalidQueryError } from '../errors.js';
import type { Queryable } from './list-runner.js';

/** How a list answers: the JSON page envelope, or every matching row as CSV or NDJSON. */
export type ListFormat = 'json' | 'csv' | 'ndjson';

export const EXPORT_MEDIA_TYPES: Record<Exclude<ListFormat, 'json'>, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** Rows fetched per round trip while exporting: memory stays bounded by this, whatever the total. */
export const EXPORT_BATCH_ROWS = 1000;

const ACCEPTED: Record<string, ListFormat> = {
  'application/json': 'json',
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
};

/**
 * The list format a request asks for: `?format=` wins; else the Accept header's most
 * preferred type among JSON, CSV and NDJSON (browsers' `text/html, *\/*` stay JSON).
 */
export function negotiateListFormat(
  format: string | string[] | undefined,
  accept: string | undefined,
): ListFormat {
  if (format !== undefined) {
    if (Array.isArray(format)) throw new InvalidQueryError('format', 'may be given only once.');
    if (format === 'json' || format === 'csv' || format === 'ndjson') return format;
    throw new InvalidQueryError('format', `"${format}" is not one of: json, csv, ndjson.`);
  }
  let best: { format: ListFormat; q: number } = { format: 'json', q: 0 };
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const chosen = ACCEPTED[type.trim()];
    if (!chosen) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (Number.isFinite(q) && q > best.q) best = { format: chosen, q };
  }
  return best.format;
}

/** `?fields=a,b`: the response keys to keep (null: all). */
export function parseFieldsParam(raw: string | string[] | undefined): string[] | null {
  if (raw === undefined) return null;
  const joined = Array.isArray(raw) ? raw.join(',') : raw;
  const names = [
    ...new Set(
      joined
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length === 0) throw new InvalidQueryError('fields', 'must name at least one field.');
  for (const name of names)
    if (!/^[a-z_][a-z0-9_]{0,63}$/.test(name))
      throw new InvalidQueryError('fields', `"${name}" is not a field name.`);
  return names;
}

/**
 * Keeps only `fields` of each row. An unknown name is a 400 listing the row's fields; it
 * can be told only when there is a row to compare with (an empty list accepts any name).
 */
export function pickFields<T extends object>(rows: T[], fields: string[] | null): Partial<T>[] {
  if (!fields || rows.length === 0) return rows;
  const known = Object.keys(rows[0]);
  const unknown = fields.filter((f) => !known.includes(f));
  if (unknown.length > 0)
    throw new InvalidQueryError(
      'fields',
      `unknown field(s) ${unknown.join(', ')}. Fields: ${known.join(', ')}.`,
    );
  return rows.map((row) => {
    const picked: Record<string, unknown> = {};
    for (const f of fields) picked[f] = (row as Record<string, unknown>)[f];
    return picked as Partial<T>;
  });
}

/** One CSV cell (RFC 4180): objects and arrays as JSON, null as empty, quoted when needed. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (cells: unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** A list answered as a stream of every matching row instead of one page. */
export class ListExport {
  constructor(
    readonly format: Exclude<ListFormat, 'json'>,
    /** A name for the download (Content-Disposition), from the list's path. */
    readonly filename: string,
    readonly body: Readable,
  ) {}
}

export interface ExportSource<T> {
  db: Queryable;
  /** The whole query, without LIMIT/OFFSET, in the list's order. */
  sql: string;
  params: unknown[];
  /** Row → DTO, then per batch (e.g. a second query for the batch's related objects). */
  map: (row: never) => T;
  enrich?: (results: T[]) => Promise<T[]>;
  fields: string[] | null;
  format: Exclude<ListFormat, 'json'>;
}

interface CursorConnection {
  query<R = unknown>(sql: string, parameters?: unknown[]): Promise<R>;
  release(): Promise<void>;
}

/** A connection of its own for the export's cursor (a DataSource hands one out; anything else is used as is). */
async function exportConnection(db: Queryable): Promise<CursorConnection> {
  const source = db as Queryable & {
    createQueryRunner?: () => CursorConnection & { connect(): Promise<unknown> };
  };
  if (typeof source.createQueryRunner === 'function') {
    const runner = source.createQueryRunner();
    await runner.connect();
    return runner;
  }
  return { query: (sql, params) => db.query(sql, params), release: async () => undefined };
}

/**
 * Streams every row of a list query through a server-side cursor in a read-only
 * transaction: one consistent snapshot, EXPORT_BATCH_ROWS rows in memory at a time,
 * and the next batch fetched only when the client has taken the previous one
 * (Readable.from pulls on demand). A client that goes away closes the cursor. The
 * first batch is fetched before answering, so a bad `fields` or a database error is
 * still a normal 4xx/5xx rather than a cut-off download.
 */
export async function openListExport<T extends object>(source: ExportSource<T>): Promise<Readable> {
  const connection = await exportConnection(source.db);
  const fetchBatch = async (): Promise<Record<string, unknown>[]> => {
    const rows = await connection.query<never[]>(`FETCH ${EXPORT_BATCH_ROWS} FROM list_export`);
    let results = rows.map(source.map);
    if (source.enrich && results.length > 0) results = await source.enrich(results);
    return pickFields(results, source.fields);
  };
  let first: Record<string, unknown>[];
  try {
    await connection.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await connection.query(`DECLARE list_export NO SCROLL CURSOR FOR ${source.sql}`, source.params);
    first = await fetchBatch();
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    await connection.release();
    throw error;
  }
  const header = source.fields ?? (first[0] ? Object.keys(first[0]) : []);
  const encode = (rows: Record<string, unknown>[]) =>
    source.format === 'ndjson'
      ? rows.map((row) => `${JSON.stringify(row)}\n`).join('')
      : rows.map((row) => csvLine(header.map((name) => row[name]))).join('');

  // Ended, failed or abandoned (a stream destroyed before its first read never runs
  // the generator's finally): the connection goes back to the pool exactly once.
  let released = false;
  const finish = async (commit: boolean) => {
    if (released) return;
    released = true;
    await connection.query(commit ? 'COMMIT' : 'ROLLBACK').catch(() => undefined);
    await connection.release();
  };
  async function* chunks(): AsyncGenerator<string> {
    let complete = false;
    try {
      if (source.format === 'csv' && header.length > 0) yield csvLine(header);
      let batch = first;
      while (batch.length > 0) {
        yield encode(batch);
        if (batch.length < EXPORT_BATCH_ROWS) break;
        batch = await fetchBatch();
      }
      complete = true;
    } finally {
      await finish(complete);
    }
  }
  const stream = Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
  stream.once('close', () => void finish(false));
  return stream;
}
