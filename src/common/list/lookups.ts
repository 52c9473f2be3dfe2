import type { FilterDef, FilterValueType } from './list-spec.js';

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * NetBox-style lookups derived from a filter declared with `lookups: true`:
 * `__n` (not any of) for every type, `__ic` / `__isw` / `__empty` for text,
 * `__gte` / `__lte` for numbers and timestamps.
 */
export function deriveLookups(name: string, def: FilterDef): Record<string, FilterDef> {
  const col = def.column;
  if (!def.lookups || !col) return {};
  const out: Record<string, FilterDef> = {
    [`${name}__n`]: {
      type: def.type,
      enumValues: def.enumValues,
      description: `Exclude: ${name} is none of the values (repeatable).`,
      multi: true,
      lookups: false,
      build: (values, params) => `(${col} IS NULL OR ${col} <> ALL(${params.add(values)}))`,
    },
  };
  const textual: FilterValueType[] = ['string'];
  const ordered: FilterValueType[] = ['int', 'number', 'datetime'];
  if (textual.includes(def.type)) {
    out[`${name}__ic`] = {
      type: 'string',
      description: `${name} contains the value, ignoring case (repeatable: any of).`,
      multi: true,
      lookups: false,
      build: (values, params) =>
        `(${values.map((v) => `${col} ILIKE ${params.add(`%${escapeLike(String(v))}%`)}`).join(' OR ')})`,
    };
    out[`${name}__isw`] = {
      type: 'string',
      description: `${name} starts with the value, ignoring case (repeatable: any of).`,
      multi: true,
      lookups: false,
      build: (values, params) =>
        `(${values.map((v) => `${col} ILIKE ${params.add(`${escapeLike(String(v))}%`)}`).join(' OR ')})`,
    };
    out[`${name}__empty`] = {
      type: 'bool',
      description: `true: ${name} is empty; false: ${name} has a value.`,
      multi: false,
      lookups: false,
      build: (values) =>
        values[0] ? `(${col} IS NULL OR ${col} = '')` : `(${col} IS NOT NULL AND ${col} <> '')`,
    };
  }
  if (ordered.includes(def.type)) {
    out[`${name}__gte`] = {
      type: def.type,
      description: `${name} is greater than or equal to the value.`,
      multi: false,
      lookups: false,
      build: (values, params) => `${col} >= ${params.add(values[0])}`,
    };
    out[`${name}__lte`] = {
      type: def.type,
      description: `${name} is less than or equal to the value.`,
      multi: false,
      lookups: false,
      build: (values, params) => `${col} <= ${params.add(values[0])}`,
    };
  }
  return out;
}

export { escapeLike };
