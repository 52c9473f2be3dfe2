import type { Queryable } from '../common/list/list-runner.js';
import type { BuiltinRule, RuleSeverity } from './alert-rule.entity.js';

/** What a built-in rule starts with (every field stays editable afterwards). */
export interface BuiltinRuleDefaults {
  builtin: BuiltinRule;
  name: string;
  description: string;
  alertname: string;
  severity: RuleSeverity;
  eventTypes: string[];
  resolveEventTypes: string[];
  severityMin: string | null;
  annotations: Record<string, string>;
}

export const LINK_FAILED = 'LinkFailed';
export const INGEST_STALLED = 'IngestStalled';

/** The built-in rules of every organization, on by default. */
export const BUILTIN_RULE_DEFAULTS: readonly BuiltinRuleDefaults[] = [
  {
    builtin: 'link_failed',
    name: LINK_FAILED,
    description:
      'A system of the organization sent no heartbeat for HEARTBEAT_TIMEOUT_MINUTES (checked every 5 minutes; not matched against events).',
    alertname: LINK_FAILED,
    severity: 'critical',
    eventTypes: [],
    resolveEventTypes: [],
    severityMin: null,
    annotations: {
      summary: 'No heartbeat received from system {{.system_name}}',
      description:
        'The system {{.system_name}} ({{.system_key}}) has not communicated with the server since {{.last_heartbeat}}. Check the service connection.',
    },
  },
  {
    builtin: 'collection_run_failed',
    name: 'Collection run failed',
    description: 'A collection run of one of the organization’s providers failed.',
    alertname: 'CollectionRunFailed',
    severity: 'warning',
    eventTypes: ['collection_run.failed'],
    resolveEventTypes: ['collection_run.completed'],
    severityMin: null,
    annotations: {
      summary: 'Collection from {{.provider_name}} failed',
      description: '{{.error_message}}',
    },
  },
  {
    builtin: 'resource_removed',
    name: 'Resource removed',
    description: 'A resource is no longer found by its provider.',
    alertname: 'ResourceRemoved',
    severity: 'warning',
    eventTypes: ['resource.removed'],
    resolveEventTypes: ['resource.restored'],
    severityMin: null,
    annotations: {
      summary: '{{.resource_name}} was removed',
      description: '{{.resource_name}} is no longer reported by {{.provider_name}}.',
    },
  },
  {
    builtin: 'critical_change',
    name: 'Critical change',
    description: 'A change classified critical was detected on a resource.',
    alertname: 'CriticalChange',
    severity: 'critical',
    eventTypes: ['resource.changed'],
    resolveEventTypes: [],
    severityMin: 'critical',
    annotations: {
      summary: 'Critical change on {{.resource_name}}: {{.field_path}}',
      description:
        '{{.field_path}} changed from {{.previous}} to {{.current}} ({{.matched_changes}} critical change(s)).',
    },
  },
];

/**
 * Gives organizations the built-in rules they lack (one statement; a rule once made is
 * never made again, whatever was edited). `organizationIds` null: every organization.
 */
export async function ensureBuiltinRules(db: Queryable, organizationIds: number[] | null): Promise<void> {
  if (organizationIds !== null && organizationIds.length === 0) return;
  await db.query(
    `INSERT INTO alert_rules (organization_id, builtin, name, description, alertname, severity, event_types,
       resolve_event_types, severity_min, annotations)
     SELECT o.id, b.builtin, b.name, b.description, b.alertname, b.severity, b.event_types, b.resolve_event_types,
       b.severity_min, b.annotations
     FROM organizations o
     CROSS JOIN jsonb_to_recordset($1::jsonb) AS b(builtin text, name text, description text, alertname text,
       severity text, event_types text[], resolve_event_types text[], severity_min text, annotations jsonb)
     WHERE ($2::int[] IS NULL OR o.id = ANY($2::int[]))
       AND NOT EXISTS (SELECT 1 FROM alert_rules r WHERE r.organization_id = o.id AND r.builtin = b.builtin)
     ON CONFLICT DO NOTHING`,
    [
      JSON.stringify(
        BUILTIN_RULE_DEFAULTS.map((b) => ({
          builtin: b.builtin,
          name: b.name,
          description: b.description,
          alertname: b.alertname,
          severity: b.severity,
          event_types: b.eventTypes,
          resolve_event_types: b.resolveEventTypes,
          severity_min: b.severityMin,
          annotations: b.annotations,
        })),
      ),
      organizationIds,
    ],
  );
}
