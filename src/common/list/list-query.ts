import { InvalidQueryError } from '../errors.js';
import { UUID_PATTERN } from '../http/uuid-param.pipe.js';
import type { FilterDef, FilterValue, ListSpec } from './list-spec.js';
import { type ListFormat, negotiateListFormat, parseFieldsParam } from './list-export.js';
import { deriveLookups, escapeLike } from './lookups.js';
import { SqlParams } from './sql-params.js';

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 1000;

/** Where the request came from, to build `next`/`previous` links. */
export interface RequestLocation {
  /** scheme://host/path without the query string. */
  base: string;
  query: Record<string, string | string[]>;
}

/** A list request turned into SQL pieces: conditions over the spec's columns, the ORDER BY, and the page. */
export interface ParsedListQuery {
  where: string[];
  params: SqlParams;
  orderBy: string;
  page: number;
  pageSize: number;
  /** Rows skipped: (page - 1) × page_size, or the request's `offset`. */
  offset: number;
  /**
   * How the request paged: `page`/`page_size`, NetBox's `limit`/`offset` (next/previous
   * keep it), or `cursor` (keyset: `next` carries the position after the page's last row).
   */
  style: 'page' | 'limit' | 'cursor';
  /** The ORDER BY terms, tie-breaker last (keyset pages compare against them). */
  orderTerms: OrderTerm[];
  /** The ordering as requested (or the default), which a cursor is bound to. */
  orderingSignature: string;
  /** `?cursor=`: the ordering values of the row the page starts after (text, as PostgreSQL prints them); null: the start. */
  cursor: (string | null)[] | null;
  /** The keyset condition of a cursor page (rows after the cursor), kept out of `where` so the count covers the whole list. */
  keyset: { sql: string } | null;
  location: RequestLocation;
  /** `json` (the page envelope), or `csv`/`ndjson`: every matching row, streamed (`?format=` or Accept). */
  format: ListFormat;
  /** `?fields=`: the keys each result keeps (null: all). */
  fields: string[] | null;
}

type RawQuery = Record<string, string | string[] | undefined>;

/** One ORDER BY term: its SQL expression and direction. */
export interface OrderTerm {
  sql: string;
  descending: boolean;
}

/** Paging, ordering and output parameters every list reads besides its filters (and `search`). */
const RESERVED = new Set([
  'page',
  'page_size',
  'limit',
  'offset',
  'ordering',
  'search',
  'format',
  'fields',
  'cursor',
]);
export const LIST_CONTROL_PARAMS: ReadonlySet<string> = RESERVED;

/** A keyset cursor as it travels in URLs: base64url of `{"o": <ordering>, "k": [<values>]}`. */
export function encodeCursor(ordering: string, values: (string | null)[]): string {
  return Buffer.from(JSON.stringify({ o: ordering, k: values })).toString('base64url');
}

function decodeCursor(raw: string, ordering: string, terms: number): (string | null)[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  const { o, k } = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as {
    o?: unknown;
    k?: unknown;
  };
  if (
    raw.length > 4096 ||
    !Array.isArray(k) ||
    k.length !== terms ||
    !k.every((v) => v === null || (typeof v === 'string' && v.length <= 1024))
  )
    throw new InvalidQueryError('cursor', 'is not a cursor this list handed out (use its `next` link).');
  if (o !== ordering)
    throw new InvalidQueryError('cursor', 'was made for another ordering; start again without a cursor.');
  return k as (string | null)[];
}

/** All filters of a spec including the derived lookups; cached per spec. */
const expanded = new WeakMap<ListSpec, Record<string, FilterDef>>();
export function allFilters(spec: ListSpec): Record<string, FilterDef> {
  let filters = expanded.get(spec);
  if (!filters) {
    filters = { ...spec.filters };
    for (const [name, def] of Object.entries(spec.filters)) Object.assign(filters, deriveLookups(name, def));
    expanded.set(spec, filters);
  }
  return filters;
}

const DATE_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Parses an ISO 8601 date or date-time; a bare date, or a time without zone, is UTC. */
export function parseTimestamp(raw: string): Date | null {
  // A literal '+' in a query string arrives as a space: "…00:00:00 02:00" means "+02:00".
  const value = raw.trim().replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$/, '$1+$2');
  const match = DATE_PATTERN.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map((part) =>
    part === undefined ? undefined : Number(part),
  );
  const calendar = new Date(Date.UTC(year!, month! - 1, day));
  if (calendar.getUTCMonth() !== month! - 1 || calendar.getUTCDate() !== day) return null;
  if (hour === undefined) return calendar;
  if (hour > 23 || minute! > 59 || (second ?? 0) > 59) return null;
  const hasZone = /(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/.test(value.slice(10));
  const iso = value
    .replace(' ', 'T')
    .replace(/([+-]\d{2}):?(\d{2})?$/, (_m, h: string, m?: string) => `${h}:${m ?? '00'}`);
  const date = new Date(hasZone ? iso : `${iso}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Parses one raw value for a filter, or says why it is not acceptable. */
export function parseFilterValue(def: FilterDef, raw: string): FilterValue | { error: string } {
  switch (def.type) {
    case 'string':
      return raw.length > 1024 ? { error: 'is longer than 1024 characters.' } : raw;
    case 'uuid':
      return UUID_PATTERN.test(raw) ? raw.toLowerCase() : { error: `"${raw}" is not a valid UUID.` };
    case 'int':
      return /^-?\d{1,15}$/.test(raw) ? Number(raw) : { error: `"${raw}" is not a whole number.` };
    case 'number': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? n : { error: `"${raw}" is not a number.` };
    }
    case 'bool': {
      const lowered = raw.toLowerCase();
      if (['true', '1', 'yes'].includes(lowered)) return true;
      if (['false', '0', 'no'].includes(lowered)) return false;
      return { error: `"${raw}" is not a boolean; use true or false.` };
    }
    case 'enum':
      return def.enumValues?.includes(raw)
        ? raw
        : { error: `"${raw}" is not one of: ${(def.enumValues ?? []).join(', ')}.` };
    case 'datetime': {
      const date = parseTimestamp(raw);
      return date ?? { error: `"${raw}" is not an ISO 8601 date or date-time.` };
    }
  }
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function positiveInt(name: string, raw: string | string[] | undefined, fallback: number, min = 1): number {
  const values = asList(raw);
  if (values.length === 0) return fallback;
  if (values.length > 1) throw new InvalidQueryError(name, 'may be given only once.');
  const value = values[0];
  if (!/^\d{1,9}$/.test(value) || Number(value) < min)
    throw new InvalidQueryError(
      name,
      `"${value}" is not a ${min > 0 ? 'positive' : 'non-negative'} whole number.`,
    );
  return Number(value);
}

/** page/page_size, limit/offset (NetBox), or cursor with page_size or limit; mixing styles is a 400. */
function pagination(query: RawQuery): Pick<ParsedListQuery, 'page' | 'pageSize' | 'offset' | 'style'> {
  if (query.cursor !== undefined) {
    const mixed = ['page', 'offset'].find((name) => query[name] !== undefined);
    if (mixed) throw new InvalidQueryError(mixed, 'Use either cursor, or page / offset, not both.');
    if (query.limit !== undefined && query.page_size !== undefined)
      throw new InvalidQueryError('limit', 'Use either limit or page_size.');
    const size = query.limit !== undefined ? ['limit', query.limit] : ['page_size', query.page_size];
    const pageSize = Math.min(positiveInt(size[0] as string, size[1], DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
    return { page: 1, pageSize, offset: 0, style: 'cursor' };
  }
  const limitStyle = query.limit !== undefined || query.offset !== undefined;
  if (limitStyle && (query.page !== undefined || query.page_size !== undefined))
    throw new InvalidQueryError(
      query.page !== undefined ? 'page' : 'page_size',
      'Use either page and page_size, or limit and offset.',
    );
  if (limitStyle) {
    const pageSize = Math.min(positiveInt('limit', query.limit, DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
    const offset = positiveInt('offset', query.offset, 0, 0);
    return { page: Math.floor(offset / pageSize) + 1, pageSize, offset, style: 'limit' };
  }
  const page = positiveInt('page', query.page, 1);
  const pageSize = Math.min(positiveInt('page_size', query.page_size, DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
  return { page, pageSize, offset: (page - 1) * pageSize, style: 'page' };
}

/**
 * The filter and search conditions of a query (paging, ordering, format and fields are
 * left to the caller), their placeholders added to `params`: the list's own parser, also
 * for filters saved or sent in a body (watchlists, bulk tagging) and merged into another
 * query's parameters. A malformed value or unknown parameter is a 400 naming it.
 */
export function parseConditions(
  spec: ListSpec,
  query: RawQuery,
  params: SqlParams,
  extraAllowed: readonly string[] = [],
): string[] {
  const where: string[] = [];
  const filters = allFilters(spec);

  for (const [name, raw] of Object.entries(query)) {
    if (
      RESERVED.has(name) ||
      extraAllowed.includes(name) ||
      (spec.extraParams && Object.hasOwn(spec.extraParams, name))
    )
      continue;
    // Own properties only: `?constructor=x` or `ordering=toString` must not find Object.prototype's.
    const def = Object.hasOwn(filters, name) ? filters[name] : undefined;
    if (!def) {
      throw new InvalidQueryError(
        name,
        `unknown query parameter. Filters: ${Object.keys(filters).join(', ') || 'none'}.`,
      );
    }
    const rawValues = asList(raw);
    if (rawValues.length === 0) continue;
    if (rawValues.length > 1 && !def.multi) throw new InvalidQueryError(name, 'may be given only once.');
    const values: FilterValue[] = [];
    for (const rawValue of rawValues) {
      if (rawValue === '' && def.type !== 'string') throw new InvalidQueryError(name, 'must not be empty.');
      const parsed = parseFilterValue(def, rawValue);
      if (typeof parsed === 'object' && !(parsed instanceof Date))
        throw new InvalidQueryError(name, parsed.error);
      values.push(parsed);
    }
    where.push(def.build(values, params));
  }

  const search = asList(query.search);
  if (search.length > 1) throw new InvalidQueryError('search', 'may be given only once.');
  if (search.length === 1 && search[0].trim() !== '') {
    if (!spec.search) throw new InvalidQueryError('search', 'this list has no search.');
    if (search[0].length > 200) throw new InvalidQueryError('search', 'is longer than 200 characters.');
    const pattern = params.add(`%${escapeLike(search[0].trim())}%`);
    const { expression, condition, fields } = spec.search;
    where.push(
      condition
        ? condition(pattern)
        : expression
          ? `(${expression}) ILIKE ${pattern}`
          : `(${fields.map((f) => `${f} ILIKE ${pattern}`).join(' OR ')})`,
    );
  }

  return where;
}

/**
 * Turns a list request's query string into SQL pieces. Every malformed value, unknown
 * parameter and unknown ordering field is a 400 naming the parameter.
 */
export function parseListQuery(
  spec: ListSpec,
  query: RawQuery,
  location: RequestLocation,
  extraAllowed: readonly string[] = [],
  accept?: string,
): ParsedListQuery {
  const params = new SqlParams();
  const where = parseConditions(spec, query, params, extraAllowed);

  const orderingRaw = asList(query.ordering);
  if (orderingRaw.length > 1) throw new InvalidQueryError('ordering', 'may be given only once.');
  const names =
    orderingRaw.length === 1 && orderingRaw[0].trim() !== ''
      ? orderingRaw[0]
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : spec.defaultOrdering;
  const terms: OrderTerm[] = [];
  let lastDescending = false;
  for (const name of names) {
    const descending = name.startsWith('-');
    const field = descending ? name.slice(1) : name;
    const sql = Object.hasOwn(spec.ordering, field) ? spec.ordering[field] : undefined;
    if (!sql) {
      throw new InvalidQueryError(
        'ordering',
        `"${field}" is not an ordering field. Use: ${Object.keys(spec.ordering).join(', ')}.`,
      );
    }
    lastDescending = descending;
    terms.push({ sql, descending });
  }
  // A unique tie-breaker makes pages stable; it follows the last key's direction so a
  // composite index (key, id) can serve the ORDER BY.
  terms.push({ sql: spec.tieBreaker, descending: lastDescending });
  const orderBy = terms.map((t) => `${t.sql} ${t.descending ? 'DESC' : 'ASC'}`).join(', ');

  const paging = pagination(query);
  let cursor: (string | null)[] | null = null;
  let keyset: ParsedListQuery['keyset'] = null;
  if (paging.style === 'cursor') {
    const raw = asList(query.cursor);
    if (raw.length > 1) throw new InvalidQueryError('cursor', 'may be given only once.');
    if (raw[0]) cursor = decodeCursor(raw[0], orderingSignature(names), terms.length);
    // The position after the cursor's row, in this ordering (PostgreSQL puts NULLs last
    // ascending and first descending): later on an earlier key, or equal up to there.
    if (cursor) keyset = { sql: keysetCondition(terms, cursor, params) };
  }

  return {
    where,
    params,
    orderBy,
    orderTerms: terms,
    orderingSignature: orderingSignature(names),
    cursor,
    keyset,
    ...paging,
    location,
    format: negotiateListFormat(query.format, accept),
    fields: parseFieldsParam(query.fields),
  };
}

/** The ordering a cursor belongs to, as the client asked for it. */
export function orderingSignature(names: readonly string[]): string {
  return names.join(',');
}

/** Rows after `values` in the order of `terms`, NULL-aware; each value is compared as the text PostgreSQL printed. */
function keysetCondition(terms: OrderTerm[], values: (string | null)[], params: SqlParams): string {
  const equal: string[] = [];
  const alternatives: string[] = [];
  terms.forEach((term, i) => {
    const value = values[i];
    const placeholder = value === null ? null : params.add(value);
    let after: string;
    if (value === null) after = term.descending ? `${term.sql} IS NOT NULL` : 'false';
    else
      after = term.descending
        ? `${term.sql} < ${placeholder}`
        : `(${term.sql} > ${placeholder} OR ${term.sql} IS NULL)`;
    alternatives.push([...equal, after].join(' AND '));
    equal.push(value === null ? `${term.sql} IS NULL` : `${term.sql} = ${placeholder}`);
  });
  return alternatives.map((a) => `(${a})`).join(' OR ');
}
