/**
 * The identity rules an automation record is matched to resources by, tried in order:
 * the first rule that finds a candidate decides. Each rule has a confidence; a single
 * candidate at or above the auto-match threshold is a match, anything else (below the
 * threshold, or several candidates) waits in /pending-matches/.
 */
export const MATCH_RULES = [
  'smbios_serial',
  'bios_uuid',
  'mac_address',
  'ip_address',
  'fqdn',
  'hostname',
] as const;
export type MatchRule = (typeof MATCH_RULES)[number];

/** A host name someone confirmed for a resource before: always tried first, confidence 1. */
export const CONFIRMED_RULE = 'confirmed';
export type AppliedRule = MatchRule | typeof CONFIRMED_RULE;
export const APPLIED_RULES: readonly AppliedRule[] = [CONFIRMED_RULE, ...MATCH_RULES];

export interface RuleConfidence {
  rule: MatchRule;
  confidence: number;
}

/** The issue's tiers: serial 1.00, BIOS UUID 0.95, MAC 0.85, IP 0.75, FQDN 0.50, hostname 0.30. */
export const DEFAULT_MATCH_RULES: RuleConfidence[] = [
  { rule: 'smbios_serial', confidence: 1 },
  { rule: 'bios_uuid', confidence: 0.95 },
  { rule: 'mac_address', confidence: 0.85 },
  { rule: 'ip_address', confidence: 0.75 },
  { rule: 'fqdn', confidence: 0.5 },
  { rule: 'hostname', confidence: 0.3 },
];

export interface AutomationConfig {
  /** AUTOMATION_MATCH_RULES: the rules in the order they are tried; a rule left out is not tried. */
  rules: RuleConfidence[];
  /** AUTOMATION_AUTO_MATCH_THRESHOLD: a lone candidate at or above this confidence is matched without review. */
  autoMatchThreshold: number;
  /** AUTOMATION_MAX_BODY_MB: the body limit of POST /automation-records/, bytes. */
  maxBodyBytes: number;
}

const CONFIDENCE = /^(0(\.\d{1,3})?|1(\.0{1,3})?)$/;

/**
 * `smbios_serial=1.00,bios_uuid=0.95,...`: rule names from MATCH_RULES, each at most
 * once, confidences between 0 and 1 with up to three decimals. Problems are pushed
 * (named by `name`) and the defaults answered, so the config lists every problem at once.
 */
export function parseMatchRules(name: string, raw: string | undefined, problems: string[]): RuleConfidence[] {
  if (raw === undefined) return DEFAULT_MATCH_RULES;
  const rules: RuleConfidence[] = [];
  const bad: string[] = [];
  for (const entry of raw.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const at = entry.indexOf('=');
    const rule = (at < 0 ? entry : entry.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? '' : entry.slice(at + 1).trim();
    if (!(MATCH_RULES as readonly string[]).includes(rule) || !CONFIDENCE.test(value)) bad.push(entry);
    else if (rules.some((r) => r.rule === rule)) bad.push(`${entry} (listed twice)`);
    else rules.push({ rule: rule as MatchRule, confidence: Number(value) });
  }
  if (bad.length > 0 || rules.length === 0) {
    problems.push(
      `${name} must be a comma-separated list of rule=confidence (rules: ${MATCH_RULES.join(', ')}; confidence 0 to 1), e.g. ${DEFAULT_MATCH_RULES.map((r) => `${r.rule}=${r.confidence.toFixed(2)}`).join(',')}${bad.length ? ` (bad: ${bad.join(', ')})` : ''}`,
    );
    return DEFAULT_MATCH_RULES;
  }
  return rules;
}

/** A confidence between 0 and 1 (AUTOMATION_AUTO_MATCH_THRESHOLD). */
export function parseConfidence(
  name: string,
  raw: string | undefined,
  fallback: number,
  problems: string[],
): number {
  if (raw === undefined) return fallback;
  if (!CONFIDENCE.test(raw)) {
    problems.push(`${name} must be a number between 0 and 1 with up to three decimals (got "${raw}")`);
    return fallback;
  }
  return Number(raw);
}
