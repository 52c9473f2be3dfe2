import { InvalidQueryError, ValidationFailedError } from '../common/errors.js';
import { LIST_CONTROL_PARAMS, parseConditions } from '../common/list/list-query.js';
import { SqlParams } from '../common/list/sql-params.js';
import { RESOURCE_LIST } from './resource.list-spec.js';

/** A resources filter as stored and answered: parameter name → its values (the list's query string, parsed). */
export type ResourceFilter = Record<string, string[]>;

const MAX_FILTER_PARAMS = 50;
const MAX_FILTER_CHARS = 8192;

/**
 * A resources filter sent in a body (bulk tagging, a dynamic watchlist): either the
 * resources list's query string (`state=running&tag=env=prod`, a leading `?` allowed) or
 * an object of the same parameters (`{"state": "running", "tag": ["env=prod"]}`). Paging,
 * ordering and output parameters are refused; every filter and lookup is the list's own,
 * parsed by its own parser (so a bad one is the list's 400, named `<field>.<parameter>`).
 */
export function normalizeResourceFilter(raw: unknown, field: string): ResourceFilter {
  const bad = (message: string, parameter?: string) =>
    new ValidationFailedError({ [parameter ? `${field}.${parameter}` : field]: [message] });
  const filter: ResourceFilter = Object.create(null) as ResourceFilter;
  if (typeof raw === 'string') {
    if (raw.length > MAX_FILTER_CHARS) throw bad(`is longer than ${MAX_FILTER_CHARS} characters.`);
    for (const [name, value] of new URLSearchParams(raw.replace(/^\?/, '')))
      (filter[name] ??= []).push(value);
  } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      const values = Array.isArray(value) ? (value as unknown[]) : [value];
      if (!values.every((v) => ['string', 'number', 'boolean'].includes(typeof v)))
        throw bad('must be a string, number or boolean, or a list of them.', name);
      filter[name] = values.map(String);
    }
    if (JSON.stringify(filter).length > MAX_FILTER_CHARS)
      throw bad(`is longer than ${MAX_FILTER_CHARS} characters.`);
  } else {
    throw bad(
      'must be the resources list\'s query string (e.g. "state=running&tag=env=prod") or an object of its parameters.',
    );
  }
  if (Object.keys(filter).length > MAX_FILTER_PARAMS) throw bad(`at most ${MAX_FILTER_PARAMS} parameters.`);
  for (const name of Object.keys(filter)) {
    if (name !== 'search' && LIST_CONTROL_PARAMS.has(name))
      throw bad('paging, ordering and output parameters do not belong in a filter.', name);
  }
  resourceFilterConditions(filter, new SqlParams(), field);
  return filter;
}

/**
 * The SQL conditions (alias `r` on `resources`) of a normalized filter, placeholders
 * added to `params` (so they join another query's). 400 naming `<field>.<parameter>`.
 */
export function resourceFilterConditions(filter: ResourceFilter, params: SqlParams, field: string): string[] {
  try {
    return parseConditions(RESOURCE_LIST, filter, params);
  } catch (error) {
    if (!(error instanceof InvalidQueryError)) throw error;
    const errors: Record<string, string[]> = {};
    for (const [parameter, messages] of Object.entries(error.errors))
      errors[`${field}.${parameter}`] = messages;
    const [name, messages] = Object.entries(error.errors)[0];
    throw new ValidationFailedError(errors, `Invalid value for '${name}' in ${field}: ${messages[0]}`);
  }
}
