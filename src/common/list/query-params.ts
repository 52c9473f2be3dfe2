import { InvalidQueryError } from '../errors.js';
import { parseFilterValue, parseTimestamp } from './list-query.js';

/**
 * Readers for an endpoint's own query parameters (those a list spec declares in
 * `extraParams`): given once, well-formed, else a 400 naming the parameter.
 */
type RawQuery = Record<string, string | string[] | undefined>;

export function singleParam(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new InvalidQueryError(name, 'may be given only once.');
  return value === '' ? undefined : value;
}

export function boolParam(query: RawQuery, name: string): boolean {
  const raw = singleParam(query, name);
  if (raw === undefined) return false;
  const parsed = parseFilterValue(
    { type: 'bool', description: '', multi: false, lookups: false, build: () => '' },
    raw,
  );
  if (typeof parsed !== 'boolean')
    throw new InvalidQueryError(name, `"${raw}" is not a boolean; use true or false.`);
  return parsed;
}

export function timestampParam(query: RawQuery, name: string): Date | null {
  const raw = singleParam(query, name);
  if (raw === undefined) return null;
  const date = parseTimestamp(raw);
  if (!date) throw new InvalidQueryError(name, `"${raw}" is not an ISO 8601 date or date-time.`);
  return date;
}
