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

/** Stable JSON: object keys sorted, arrays of scalars sorted (they are sets here). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    const items = value.map(canonicalJson);
    if (value.every((v) => !isObject(v) && !Array.isArray(v))) items.sort();
    return `[${items.join(',')}]`;
  }
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    let out = '{';
    for (let i = 0; i < keys.length; i++) {
      const v = value[keys[i]];
      if (v === undefined) continue;
      if (out.length > 1) out += ',';
      out += `${JSON.stringify(keys[i])}:${canonicalJson(v)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value ?? null);
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
      ...classifier.classify(path, changeType),
    });
  };

  const asMap = (value: unknown): Record<string, unknown> | null =>
    isObject(value) ? value : Array.isArray(value) ? keyArray(value) : null;

  const walk = (before: unknown, after: unknown, path: string, depth: number) => {
    const beforeMap = asMap(before);
    const afterMap = asMap(after);
    if (beforeMap && afterMap && depth < maxDepth) {
      for (const key of new Set([...Object.keys(beforeMap), ...Object.keys(afterMap)])) {
        const child = path ? `${path}.${key}` : key;
        const inBefore = beforeMap[key] !== undefined;
        const inAfter = afterMap[key] !== undefined;
        if (inBefore && !inAfter) emit(child, 'removed', beforeMap[key], undefined);
        else if (!inBefore && inAfter) emit(child, 'added', undefined, afterMap[key]);
        else walk(beforeMap[key], afterMap[key], child, depth + 1);
      }
      return;
    }
    if (before === after) return;
    if (canonicalJson(before) !== canonicalJson(after)) emit(path || '$', 'modified', before, after);
  };

  walk(previous, current, '', 0);
  return { changes, truncated };
}
