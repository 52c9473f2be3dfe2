/** Flattens JSON to `path → value` and compares two snapshots path by path. */
export function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = '{}';
    for (const [key, inner] of entries) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out[prefix] = JSON.stringify(value);
  }
  return out;
}

export interface DiffRow {
  path: string;
  change: 'added' | 'removed' | 'modified';
  before?: string;
  after?: string;
}

export function diff(before: unknown, after: unknown): DiffRow[] {
  const a = flatten(before);
  const b = flatten(after);
  const rows: DiffRow[] = [];
  for (const path of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (!(path in a)) rows.push({ path, change: 'added', after: b[path] });
    else if (!(path in b)) rows.push({ path, change: 'removed', before: a[path] });
    else if (a[path] !== b[path]) rows.push({ path, change: 'modified', before: a[path], after: b[path] });
  }
  return rows;
}
