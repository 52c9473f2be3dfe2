import { CHANGE_SEVERITIES } from '../changes/resource-change.enums.js';
import type { EventDto } from '../events/dto/event.dto.js';
import { matchesEventType } from '../events/events.service.js';

/**
 * Labels the server sets on every alert the inventory sends, over anything a rule (or a
 * client) gives: they say where the alert comes from and whom it concerns.
 */
export const SERVER_LABELS = [
  'alertname',
  'severity',
  'organization_id',
  'system_key',
  'system_id',
  'resource',
  'provider',
] as const;

/** What of a rule the matcher needs. */
export interface RuleMatcher {
  eventTypes: string[];
  categories: string[];
  severityMin: string | null;
  fieldPath: string | null;
}

/** One change row of a `resource.changed` event. */
export interface EventChange {
  field_path: string;
  change_type: string;
  category: string;
  severity: string;
  previous: unknown;
  current: unknown;
}

const rank = (severity: string | null | undefined): number =>
  severity ? (CHANGE_SEVERITIES as readonly string[]).indexOf(severity) : -1;

/** A field-path glob as a RegExp: `*` is any run within a segment, `**` any run at all; a match may go deeper. */
export function fieldPathRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^.]*';
    else source += c.replace(/[\\^$+?.()|[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}(?:\\..*)?$`);
}

/** Whether `path` is selected by the glob (the path itself, or anything beneath it). */
export function fieldPathMatches(pattern: string, path: string): boolean {
  return fieldPathRegExp(pattern).test(path);
}

/**
 * Whether the event matches the rule's type, category, severity and field-path
 * conditions (the resource selector is checked in SQL). A `resource.changed` event
 * matches through its change rows: at least one must meet every condition, and those
 * that do are answered. Other events have no change rows: a rule with categories or a
 * field path never matches them, and `severityMin` applies to the event's severity.
 */
export function matchEvent(rule: RuleMatcher, event: EventDto): { changes: EventChange[] } | null {
  if (!matchesEventType(rule.eventTypes, event.type)) return null;
  const min = rank(rule.severityMin);
  const rows = Array.isArray(event.payload.changes) ? (event.payload.changes as EventChange[]) : null;
  if (event.type === 'resource.changed' && rows) {
    const glob = rule.fieldPath ? fieldPathRegExp(rule.fieldPath) : null;
    const changes = rows.filter(
      (c) =>
        (rule.categories.length === 0 || rule.categories.includes(c.category)) &&
        (min < 0 || rank(c.severity) >= min) &&
        (!glob || glob.test(c.field_path)),
    );
    return changes.length ? { changes } : null;
  }
  if (rule.categories.length || rule.fieldPath) return null;
  if (min >= 0 && rank(event.severity) < min) return null;
  return { changes: [] };
}

const FNV_OFFSET = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;
const MASK = (1n << 64n) - 1n;

/**
 * Alertmanager's fingerprint of a label set (Prometheus `model.LabelSet.Fingerprint`:
 * FNV-1a 64 over the sorted names and values, each followed by the byte 0xff), as the
 * 16 hex digits Alertmanager shows. Stable over the labels, and equal to Alertmanager's
 * own, so its notifications of an alert find the inventory's row.
 */
export function alertFingerprint(labels: Record<string, string>): string {
  let hash = FNV_OFFSET;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) hash = ((hash ^ BigInt(b)) * FNV_PRIME) & MASK;
  };
  const encoder = new TextEncoder();
  const separator = new Uint8Array([0xff]);
  for (const name of Object.keys(labels).sort()) {
    add(encoder.encode(name));
    add(separator);
    add(encoder.encode(labels[name]));
    add(separator);
  }
  return hash.toString(16).padStart(16, '0');
}
