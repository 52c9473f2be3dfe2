import type { ChangeClassifier } from './change-rules.js';
import type { ChangeCategory, ChangeSeverity, ChangeType } from './resource-change.enums.js';

export interface DetectedChange {
  fieldPath: string;
  changeType: ChangeType;
  previousValue: unknown;
  currentValue: unknown;
  category: ChangeCategory;
  severity: ChangeSeverity;
}

export interface DiffOptions {
  /** Below this depth objects are compared as whole values. */
  maxDepth?: number;
  /** At most this many changes are reported (the rest are counted in `truncated`). */
  maxChanges?: number;
}

export interface DiffResult {
  changes: DetectedChange[];
  /** Changes not reported because of maxChanges. */
  truncated: number;
}

/** Identity keys tried, in order, to turn an array of objects into a map (interfaces by device, mounts by mount point). */
const IDENTITY_KEYS = ['device', 'mount', 'name', 'id', 'path', 'key', 'address'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Arrays of objects that share a unique identity key become maps keyed by it, so a
 * reordered list is no change and a path reads `mounts./boot.size_total`; arrays of
 * scalars are compared as sets.
 */
export function keyArray(values: unknown[]): Record<string, unknown> | null {
  if (values.length === 0 || !values.every(isObject)) return null;
  for (const key of IDENTITY_KEYS) {
    const ids = values.map((v) => v[key]);
    if (
      ids.every((id) => typeof id === 'string' || typeof id === 'number') &&
      new Set(ids).size === ids.length
    ) {
      return Object.fromEntries(values.map((v) => [String(v[key]), v]));
    }
  }
  return null;
}

/** True when both records hold the same scalar values under the same keys (and nothing else). */
function sameFlatRecord(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let count = 0;
  for (const key in a) {
    const v = a[key];
    if (v !== null && typeof v === 'object') return false;
    if (v !== b[key]) return false;
    count++;
  }
  for (const _key in b) count--;
  return count === 0;
}

/**
 * Stable JSON: object keys sorted, arrays of scalars sorted (they are sets here). It is
 * on the push hot path (the content hash of every push, ~180 KB documents), so the
 * native JSON.stringify does the writing, without a replacer (a replacer is a call back
 * into JavaScript for every value); `canonical` walks the document once and copies only
 * the objects and arrays whose order differs.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? 'null';
}

/** `value` in canonical order: the same object when it already is, else a copy of the parts that differ. */
function canonical(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Dates and the like serialize themselves.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (Array.isArray(value)) return canonicalArray(value as unknown[]);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let sorted = true;
  for (let i = 1; i < keys.length; i++)
    if (keys[i - 1] > keys[i]) {
      sorted = false;
      break;
    }
  if (!sorted) keys.sort();
  let copy: Record<string, unknown> | null = null;
  if (!sorted) copy = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = record[key];
    const ordered = item !== null && typeof item === 'object' ? canonical(item) : item;
    if (copy) copy[key] = ordered;
    else if (ordered !== item) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j]] = record[keys[j]];
      copy[key] = ordered;
    }
  }
  return copy ?? record;
}

/**
 * An array of objects keeps its order (its items canonical); an array of scalars is a set,
 * sorted by each item's JSON text, computed once per item (O(n log n) comparisons of
 * precomputed strings; a comparator that serialized both sides on every call made a 4 MB
 * array of numbers cost seconds).
 */
function canonicalArray(values: unknown[]): unknown[] {
  let copy: unknown[] | null = null;
  let scalars = true;
  for (let i = 0; i < values.length; i++) {
    const item = values[i];
    if (item === null || typeof item !== 'object') continue;
    scalars = false;
    const ordered = canonical(item);
    if (ordered !== item) {
      copy ??= values.slice();
      copy[i] = ordered;
    }
  }
  if (!scalars || values.length < 2) return copy ?? values;
  const keyed = values.map((value) => ({ text: JSON.stringify(value) ?? 'null', value }));
  let sorted = true;
  for (let i = 1; i < keyed.length; i++)
    if (keyed[i - 1].text > keyed[i].text) {
      sorted = false;
      break;
    }
  if (sorted) return values;
  keyed.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return keyed.map((entry) => entry.value);
}

/**
 * A semantic diff of two JSON documents into categorized, severity-ranked changes.
 * A subtree that appears or disappears is one change at its root (a new package is
 * `packages.nginx` added, not one change per field); values deeper than `maxDepth` are
 * compared whole. Paths are dotted and stable: `packages.nginx.version`.
 */
export function diffDocuments(
  previous: unknown,
  current: unknown,
  classifier: ChangeClassifier,
  options: DiffOptions = {},
): DiffResult {
  const maxDepth = options.maxDepth ?? 8;
  const maxChanges = options.maxChanges ?? 1000;
  const changes: DetectedChange[] = [];
  let truncated = 0;

  const emit = (path: string, changeType: ChangeType, before: unknown, after: unknown) => {
    if (changes.length >= maxChanges) {
      truncated++;
      return;
    }
    changes.push({
      fieldPath: path,
      changeType,
      previousValue: before === undefined ? null : before,
      currentValue: after === undefined ? null : after,
      ...classifier.classify(path, changeType, after),
    });
  };

  const asMap = (value: unknown): Record<string, unknown> | null =>
    isObject(value) ? value : Array.isArray(value) ? keyArray(value) : null;

  const walk = (before: unknown, after: unknown, path: string, depth: number) => {
    if (before === after) return;
    const beforeMap = asMap(before);
    const afterMap = asMap(after);
    if (beforeMap && afterMap && depth < maxDepth) {
      // Most subtrees are unchanged flat records (a package, an interface's scalars): skip those cheaply.
      if (sameFlatRecord(beforeMap, afterMap)) return;
      for (const key in beforeMap) {
        const b = beforeMap[key];
        if (b === undefined) continue;
        const a = afterMap[key];
        if (a === undefined) emit(path ? `${path}.${key}` : key, 'removed', b, undefined);
        else if (a !== b) walk(b, a, path ? `${path}.${key}` : key, depth + 1);
      }
      for (const key in afterMap) {
        const a = afterMap[key];
        if (a !== undefined && beforeMap[key] === undefined)
          emit(path ? `${path}.${key}` : key, 'added', undefined, a);
      }
      return;
    }
    if (canonicalJson(before) !== canonicalJson(after)) emit(path || '$', 'modified', before, after);
  };

  walk(previous, current, '', 0);
  return { changes, truncated };
}
