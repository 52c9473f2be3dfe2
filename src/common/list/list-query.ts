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
  /** How the request paged: `page`/`page_size`, or NetBox's `limit`/`offset` (next/previous keep it). */
  style: 'page' | 'limit';
  location: RequestLocation;
  /** `json` (the page envelope), or `csv`/`ndjson`: every matching row, streamed (`?format=` or Accept). */
  format: ListFormat;
  /** `?fields=`: the keys each result keeps (null: all). */
  fields: string[] | null;
}

type RawQuery = Record<string, string | string[] | undefined>;

const RESERVED = new Set(['page', 'page_size', 'limit', 'offset', 'ordering', 'search', 'format', 'fields']);

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

/** page/page_size, or limit/offset (NetBox); mixing the two is a 400. */
function pagination(query: RawQuery): Pick<ParsedListQuery, 'page' | 'pageSize' | 'offset' | 'style'> {
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

  const orderingRaw = asList(query.ordering);
  if (orderingRaw.length > 1) throw new InvalidQueryError('ordering', 'may be given only once.');
  const names =
    orderingRaw.length === 1 && orderingRaw[0].trim() !== ''
      ? orderingRaw[0]
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : spec.defaultOrdering;
  const terms: string[] = [];
  let lastDirection = 'ASC';
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
    lastDirection = descending ? 'DESC' : 'ASC';
    terms.push(`${sql} ${lastDirection}`);
  }
  // A unique tie-breaker makes pages stable; it follows the last key's direction so a
  // composite index (key, id) can serve the ORDER BY.
  terms.push(`${spec.tieBreaker} ${lastDirection}`);

  return {
    where,
    params,
    orderBy: terms.join(', '),
    ...pagination(query),
    location,
    format: negotiateListFormat(query.format, accept),
    fields: parseFieldsParam(query.fields),
  };
}
