import type { SqlParams } from './sql-params.js';

/** The type of a filter's value: decides parsing (and the 400 on malformed input) and the OpenAPI schema. */
export type FilterValueType = 'string' | 'uuid' | 'int' | 'number' | 'bool' | 'enum' | 'datetime';

/** A parsed filter value: strings stay strings, numbers are numbers, dates are Dates. */
export type FilterValue = string | number | boolean | Date;

export type FilterOperator = 'eq' | 'gte' | 'lte';

export interface FilterDef {
  type: FilterValueType;
  description: string;
  /** Allowed values of an enum filter. */
  enumValues?: readonly string[];
  /** Repeatable (`?state=a&state=b` means "a or b"). */
  multi: boolean;
  /** NetBox-style lookups derived from this filter: `__ic`, `__isw`, `__empty` (text), `__gte`, `__lte` (numbers, dates), `__n` (all). */
  lookups: boolean;
  /** Builds the SQL condition for the (non-empty) list of parsed values. */
  build: (values: FilterValue[], params: SqlParams) => string;
  /** The column expression lookups apply to (set by the column builders). */
  column?: string;
}

export interface ListSpec {
  /** Filters by query parameter name. */
  filters: Record<string, FilterDef>;
  /**
   * `?search=`: a case-insensitive substring of any of `fields`; or of one SQL
   * `expression` (to match an expression index); or a `condition` built from the
   * ILIKE pattern's placeholder (e.g. a subquery on another table).
   */
  search?: {
    fields: string[];
    description: string;
    expression?: string;
    condition?: (pattern: string) => string;
  };
  /** Ordering names to SQL expressions. */
  ordering: Record<string, string>;
  defaultOrdering: string[];
  /** The unique column appended to every ORDER BY so pages are stable. */
  tieBreaker: string;
  /** Other query parameters the endpoint reads itself (name → description), e.g. `include`. */
  extraParams?: Record<string, string>;
}

export function defineListSpec(spec: {
  filters?: Record<string, FilterDef>;
  search?: ListSpec['search'];
  ordering: Record<string, string>;
  defaultOrdering: string[];
  tieBreaker: string;
  extraParams?: Record<string, string>;
}): ListSpec {
  for (const name of spec.defaultOrdering) {
    if (!Object.hasOwn(spec.ordering, name.replace(/^-/, '')))
      throw new Error(`default ordering "${name}" is not declared`);
  }
  return { filters: spec.filters ?? {}, ...spec };
}

function column(
  type: FilterValueType,
  sql: string,
  description: string,
  options: Partial<FilterDef> = {},
): FilterDef {
  return {
    type,
    description,
    multi: true,
    lookups: false,
    column: sql,
    build: (values, params) =>
      values.length === 1 ? `${sql} = ${params.add(values[0])}` : `${sql} = ANY(${params.add(values)})`,
    ...options,
  };
}

function compare(type: FilterValueType, sql: string, op: '>=' | '<=', description: string): FilterDef {
  return {
    type,
    description,
    multi: false,
    lookups: false,
    build: (values, params) => `${sql} ${op} ${params.add(values[0])}`,
  };
}

/** Filter builders: each list declares its filters with these. */
export const filter = {
  /** Exact text match; repeatable; with lookups `__ic`, `__isw`, `__n`, `__empty`. */
  string: (sql: string, description: string, options: { lookups?: boolean } = {}) =>
    column('string', sql, description, { lookups: options.lookups ?? true }),
  uuid: (sql: string, description: string) => column('uuid', sql, description, { lookups: true }),
  int: (sql: string, description: string) => column('int', sql, description, { lookups: true }),
  bool: (sql: string, description: string): FilterDef => ({
    type: 'bool',
    description,
    multi: false,
    lookups: false,
    build: (values, params) => `${sql} = ${params.add(values[0])}`,
  }),
  enumOf: (values: readonly string[], sql: string, description: string) =>
    column('enum', sql, description, { enumValues: values, lookups: true }),
  /** `name_after`: the timestamp is at or after the value. */
  after: (sql: string, description: string) => compare('datetime', sql, '>=', description),
  /** `name_before`: the timestamp is at or before the value. */
  before: (sql: string, description: string) => compare('datetime', sql, '<=', description),
  min: (sql: string, description: string, type: 'int' | 'number' = 'int') =>
    compare(type, sql, '>=', description),
  max: (sql: string, description: string, type: 'int' | 'number' = 'int') =>
    compare(type, sql, '<=', description),
  /** Anything else: the list builds its own SQL from the parsed values. */
  custom: (
    def: Omit<FilterDef, 'multi' | 'lookups'> & { multi?: boolean; lookups?: boolean },
  ): FilterDef => ({
    multi: false,
    lookups: false,
    ...def,
  }),
};
