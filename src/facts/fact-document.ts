import { createHash } from 'node:crypto';
import { canonicalJson } from '../changes/diff-engine.js';

/** The three parts of a pushed document, each a JSON object (a missing one is empty). */
export interface FactParts {
  system_facts: Record<string, unknown>;
  package_facts: Record<string, unknown>;
  local_facts: Record<string, unknown>;
}

/**
 * Facts that change on every gathering and are never changes: uptime, clocks, free
 * memory and swap, load, the environment, free space of mounts. They are left out of
 * the content hash (so an otherwise identical push deduplicates) and of the diff.
 */
export const VOLATILE_FACTS = [
  'uptime_seconds',
  'date_time',
  'memfree_mb',
  'swapfree_mb',
  'memory_mb',
  'loadavg',
  'env',
  'gather_subset',
  'module_setup',
  'facter_uptime',
  'ohai_uptime',
] as const;
export const VOLATILE_MOUNT_FACTS = [
  'size_available',
  'block_available',
  'block_used',
  'inode_available',
  'inode_used',
] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Facts as `ansible -m setup` prints them carry an `ansible_` prefix; `ansible_facts` in a play does not. */
export function unprefixed(facts: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(facts);
  if (!keys.some((k) => k.startsWith('ansible_'))) return facts;
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key.startsWith('ansible_') ? key.slice(8) : key] = facts[key];
  return out;
}

const VOLATILE = new Set<string>(VOLATILE_FACTS);
const VOLATILE_MOUNT = new Set<string>(VOLATILE_MOUNT_FACTS);

/** A copy without some keys (built, not `delete`d: deleting slows every later read of the object). */
function without(record: Record<string, unknown>, drop: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in record) if (!drop.has(key)) out[key] = record[key];
  return out;
}

/** System facts without the volatile ones (a shallow copy; the input is not changed). */
export function stableSystemFacts(facts: Record<string, unknown>): Record<string, unknown> {
  const out = without(unprefixed(facts), VOLATILE);
  if (Array.isArray(out.mounts)) {
    out.mounts = out.mounts.map((mount: unknown) =>
      isObject(mount) ? without(mount, VOLATILE_MOUNT) : mount,
    );
  }
  return out;
}

/** sha256 (hex) of the canonical JSON of the stable parts: equal for pushes that differ only in volatile facts. */
export function contentHash(parts: FactParts): string {
  const text = canonicalJson({
    system_facts: stableSystemFacts(parts.system_facts),
    package_facts: parts.package_facts,
    local_facts: parts.local_facts,
  });
  return createHash('sha256').update(text).digest('hex');
}

const deviceKey = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');

/**
 * The document the diff engine compares: stable system facts with each interface's
 * facts grouped under `interfaces.<device>`, packages keyed by name (`name:arch` when a
 * package is installed for several architectures) and local facts under `local_facts`.
 */
export function diffableDocument(parts: FactParts): Record<string, unknown> {
  let system = stableSystemFacts(parts.system_facts);
  if (Array.isArray(system.interfaces)) {
    const interfaces: Record<string, unknown> = {};
    const grouped = new Set<string>();
    for (const name of system.interfaces) {
      if (typeof name !== 'string') continue;
      const key = deviceKey(name);
      interfaces[name] = system[key] ?? {};
      grouped.add(key);
    }
    system = without(system, grouped);
    system.interfaces = interfaces;
  }
  const document: Record<string, unknown> = { ...system };
  const packages = parts.package_facts.packages;
  if (isObject(packages)) {
    const keyed: Record<string, unknown> = {};
    for (const [name, entries] of Object.entries(packages)) {
      const list = Array.isArray(entries) ? entries : [entries];
      for (const entry of list) {
        // Copied without `name` (not `delete`d: that would slow every later read of the object).
        const fields: Record<string, unknown> = {};
        if (isObject(entry)) {
          for (const field in entry) if (field !== 'name') fields[field] = entry[field];
        } else fields.value = entry;
        const key = list.length > 1 && typeof fields.arch === 'string' ? `${name}:${fields.arch}` : name;
        keyed[key] = fields;
      }
    }
    document.packages = keyed;
  } else if (packages !== undefined) {
    document.packages = packages;
  }
  const otherPackageFacts = Object.fromEntries(
    Object.entries(parts.package_facts).filter(([key]) => key !== 'packages'),
  );
  if (Object.keys(otherPackageFacts).length > 0) document.package_facts = otherPackageFacts;
  if (Object.keys(parts.local_facts).length > 0) document.local_facts = parts.local_facts;
  return document;
}
