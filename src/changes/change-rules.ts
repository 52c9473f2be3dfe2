import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import {
  CHANGE_CATEGORIES,
  CHANGE_SEVERITIES,
  CHANGE_TYPES,
  type ChangeCategory,
  type ChangeSeverity,
  type ChangeType,
} from './resource-change.enums.js';

/**
 * One rule of the ordered list that gives each change its category and severity. The
 * first rule whose `match` pattern (and `change_types`, when given) fits wins, so the
 * outcome is deterministic. Patterns are dotted paths: `*` is one segment (or part of
 * one: `packages.openssl*`), `**` any number of segments.
 */
export interface ChangeRule {
  match: string;
  change_types?: ChangeType[];
  /** Only when the new value (as text) is one of these: `system.status` becoming `inactive`. */
  to?: string[];
  category: ChangeCategory;
  severity: ChangeSeverity;
}

const rule = (
  match: string,
  category: ChangeCategory,
  severity: ChangeSeverity,
  change_types?: ChangeType[],
  to?: string[],
): ChangeRule => ({
  match,
  category,
  severity,
  ...(change_types ? { change_types } : {}),
  ...(to ? { to } : {}),
});
const appearing: ChangeType[] = ['added', 'removed'];

/**
 * The built-in rules, most specific first, for every source of changes: the tracked
 * fields of a pulled (collected) resource (`name`, `state`, `cpu_count`, ...,
 * `properties.<key>`, `removed_at`), the fact paths of a push (`hostname`,
 * `packages.nginx.version`, ...) and a system's heartbeat status (`system.status`). A
 * path both kinds share (`fqdn`) is classified alike whichever way it arrived. A rules
 * file (CHANGE_RULES_FILE) is tried before them. The README lists them as a table.
 */
export const DEFAULT_CHANGE_RULES: readonly ChangeRule[] = [
  // A resource disappearing from its provider or coming back; a push client going silent.
  rule('removed_at', 'availability', 'medium'),
  rule('system.status', 'availability', 'high', undefined, ['inactive']),
  rule('system.status', 'availability', 'info'),
  // Tracked fields of a resource (pulled by collectors; pushes set them from their facts).
  rule('name', 'identity', 'low'),
  rule('state', 'state', 'medium'),
  rule('power_state', 'state', 'medium'),
  rule('cpu_count', 'hardware', 'medium'),
  rule('memory_mb', 'hardware', 'medium'),
  rule('disk_gb', 'hardware', 'medium'),
  rule('ip_addresses', 'network', 'low'),
  rule('os_type', 'os', 'high'),
  rule('os_name', 'os', 'medium'),
  rule('flavor', 'configuration', 'medium'),
  rule('region', 'configuration', 'low'),
  rule('availability_zone', 'configuration', 'low'),
  rule('cloud_tenant', 'configuration', 'low'),
  rule('properties.**', 'configuration', 'info'),
  // Fact paths of pushes.
  rule('product_uuid', 'identity', 'critical'),
  rule('machine_id', 'identity', 'critical'),
  rule('product_serial', 'identity', 'high'),
  rule('hostname', 'identity', 'high'),
  rule('fqdn', 'identity', 'high'),
  rule('nodename', 'identity', 'medium'),
  rule('domain', 'identity', 'medium'),
  rule('distribution', 'os', 'high'),
  rule('distribution_major_version', 'os', 'high'),
  rule('os_family', 'os', 'high'),
  rule('distribution*', 'os', 'medium'),
  rule('lsb.**', 'os', 'low'),
  rule('kernel', 'os', 'medium'),
  rule('kernel_version', 'os', 'low'),
  rule('selinux.**', 'security', 'high'),
  rule('selinux', 'security', 'high'),
  rule('apparmor.**', 'security', 'high'),
  rule('fips', 'security', 'high'),
  rule('packages.openssl*.**', 'security', 'medium'),
  rule('packages.openssl*', 'security', 'medium'),
  rule('packages.openssh*.**', 'security', 'medium'),
  rule('packages.openssh*', 'security', 'medium'),
  rule('packages.libssl*.**', 'security', 'medium'),
  rule('packages.libssl*', 'security', 'medium'),
  rule('packages.sudo.**', 'security', 'medium'),
  rule('packages.sudo', 'security', 'medium'),
  rule('packages.*', 'software', 'low', appearing),
  rule('packages.**', 'software', 'info'),
  rule('processor_vcpus', 'hardware', 'high'),
  rule('memtotal_mb', 'hardware', 'high'),
  rule('processor*', 'hardware', 'medium'),
  rule('swaptotal_mb', 'hardware', 'low'),
  rule('virtualization_*', 'hardware', 'medium'),
  rule('product_*', 'hardware', 'low'),
  rule('system_vendor', 'hardware', 'low'),
  rule('bios_*', 'hardware', 'low'),
  rule('board_*', 'hardware', 'low'),
  rule('chassis_*', 'hardware', 'low'),
  rule('devices.*', 'storage', 'high', appearing),
  rule('devices.**', 'storage', 'medium'),
  rule('mounts.*', 'storage', 'medium', appearing),
  rule('mounts.**', 'storage', 'low'),
  rule('lvm.**', 'storage', 'low'),
  rule('default_ipv4.**', 'network', 'medium'),
  rule('default_ipv6.**', 'network', 'medium'),
  rule('all_ipv4_addresses', 'network', 'medium'),
  rule('all_ipv6_addresses', 'network', 'low'),
  rule('interfaces.*', 'network', 'medium', appearing),
  rule('interfaces.**', 'network', 'low'),
  rule('dns.**', 'network', 'low'),
  rule('local_facts.**', 'configuration', 'low'),
  rule('**', 'configuration', 'info'),
];

interface CompiledRule extends ChangeRule {
  regex: RegExp;
}

function compile(pattern: string): RegExp {
  const source = pattern
    .replace(/[|\\{}()[\]^$+?.]/g, '\\$&')
    .split('**')
    .map((part) => part.replace(/\*/g, '[^.]*'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

/** Classifies changes with an ordered rule list (first match wins). */
export class ChangeClassifier {
  private readonly rules: CompiledRule[];

  constructor(rules: readonly ChangeRule[] = DEFAULT_CHANGE_RULES) {
    this.rules = rules.map((r) => ({ ...r, regex: compile(r.match) }));
  }

  classify(
    path: string,
    changeType: ChangeType,
    current?: unknown,
  ): { category: ChangeCategory; severity: ChangeSeverity } {
    for (const r of this.rules) {
      if (r.change_types && !r.change_types.includes(changeType)) continue;
      if (r.to && !r.to.includes(typeof current === 'string' ? current : JSON.stringify(current ?? null)))
        continue;
      if (r.regex.test(path)) return { category: r.category, severity: r.severity };
    }
    return { category: 'configuration', severity: 'info' };
  }
}

/** Checks a rules document (a list, or `{rules: [...]}`); throws naming the first bad rule. */
export function parseChangeRules(document: unknown): ChangeRule[] {
  const list = Array.isArray(document) ? document : (document as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list))
    throw new Error('the change rules file must hold a list of rules (or {rules: [...]})');
  return list.map((raw: unknown, index) => {
    const r = raw as Partial<ChangeRule> | null;
    const where = `rule ${index + 1}`;
    if (!r || typeof r.match !== 'string' || r.match === '')
      throw new Error(`${where}: "match" must be a path pattern`);
    if (!CHANGE_CATEGORIES.includes(r.category as ChangeCategory))
      throw new Error(`${where}: "category" must be one of ${CHANGE_CATEGORIES.join(', ')}`);
    if (!CHANGE_SEVERITIES.includes(r.severity as ChangeSeverity))
      throw new Error(`${where}: "severity" must be one of ${CHANGE_SEVERITIES.join(', ')}`);
    if (
      r.change_types !== undefined &&
      (!Array.isArray(r.change_types) || r.change_types.some((t) => !CHANGE_TYPES.includes(t)))
    )
      throw new Error(`${where}: "change_types" must be a list of ${CHANGE_TYPES.join(', ')}`);
    if (r.to !== undefined && (!Array.isArray(r.to) || r.to.some((v) => typeof v !== 'string')))
      throw new Error(`${where}: "to" must be a list of values (text)`);
    return rule(r.match, r.category!, r.severity!, r.change_types, r.to);
  });
}

/** The rules in effect: those of the file (JSON or YAML) first, then the built-in ones. */
export function loadChangeRules(file: string | null): ChangeRule[] {
  if (!file) return [...DEFAULT_CHANGE_RULES];
  const text = readFileSync(file, 'utf8');
  const document: unknown = file.endsWith('.json') ? JSON.parse(text) : loadYaml(text);
  return [...parseChangeRules(document), ...DEFAULT_CHANGE_RULES];
}
