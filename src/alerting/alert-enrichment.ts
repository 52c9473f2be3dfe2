/**
 * What the collector's Alertmanager proxy does to a system's requests, as pure
 * functions: authoritative labels on posted alerts, annotation templates rendered
 * from the labels, a `system_key` matcher forced into posted silences, and the
 * ownership test for a silence.
 */

export interface SystemAlertContext {
  systemId: string;
  systemKey: string;
  organizationId: number;
  systemName: string;
  organizationName: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Labels set from the server whatever the client sent. */
export function authoritativeLabels(context: SystemAlertContext): Record<string, string> {
  return {
    system_key: context.systemKey,
    system_id: context.systemId,
    organization_id: String(context.organizationId),
  };
}

/** Labels added only where the client did not set them (for receivers' messages). */
function informationalLabels(context: SystemAlertContext): Record<string, string> {
  return { system_name: context.systemName, organization_name: context.organizationName };
}

export type TemplateWarning = (message: string, annotation: string) => void;

/**
 * Renders an annotation the way Go's text/template does for the collector's
 * annotations: `{{.label}}` (and `{{ .label }}`, `{{- .label -}}`) is the label's value,
 * `<no value>` when the label is missing; `{{/* comments *\/}}` vanish. Anything else
 * (unclosed actions, functions, conditionals) is refused: the caller keeps the
 * annotation unchanged and logs why. Only values containing `{{` are processed.
 */
export function renderAnnotation(template: string, labels: Json): { value: string } | { error: string } {
  let out = '';
  let at = 0;
  for (;;) {
    const open = template.indexOf('{{', at);
    if (open < 0) return { value: out + template.slice(at) };
    const close = template.indexOf('}}', open + 2);
    if (close < 0) return { error: 'unclosed action' };
    let text = template.slice(at, open);
    let inner = template.slice(open + 2, close);
    let rest = close + 2;
    if (inner.startsWith('- ') || inner === '-') {
      text = text.trimEnd();
      inner = inner.slice(1);
    }
    if (inner.endsWith(' -')) {
      inner = inner.slice(0, -1);
      const after = template.slice(rest);
      rest += after.length - after.trimStart().length;
    }
    out += text;
    const action = inner.trim();
    if (/^\/\*[\s\S]*\*\/$/.test(action)) {
      at = rest;
      continue;
    }
    const field = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(action);
    if (!field) return { error: `unsupported action "{{${inner}}}"` };
    const value = Object.prototype.hasOwnProperty.call(labels, field[1]) ? labels[field[1]] : undefined;
    out +=
      value === undefined || value === null
        ? '<no value>'
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
    at = rest;
  }
}

/**
 * POST alerts: each alert gets the authoritative labels over the client's, the
 * informational ones where missing, and its string annotations containing `{{`
 * rendered from its labels. A body that is not an array of objects is left as it is
 * (Alertmanager answers it with its own 400).
 */
export function enrichAlerts(body: unknown, context: SystemAlertContext, warn: TemplateWarning): unknown {
  if (!Array.isArray(body)) return body;
  return body.map((alert: unknown) => {
    if (!isObject(alert)) return alert;
    const labels: Json = {
      ...informationalLabels(context),
      ...(isObject(alert.labels) ? alert.labels : {}),
      ...authoritativeLabels(context),
    };
    const enriched: Json = { ...alert, labels };
    if (isObject(alert.annotations)) {
      const annotations: Json = {};
      for (const [key, value] of Object.entries(alert.annotations)) {
        if (typeof value !== 'string' || !value.includes('{{')) {
          annotations[key] = value;
          continue;
        }
        const rendered = renderAnnotation(value, labels);
        if ('error' in rendered) {
          warn(`annotation template not rendered: ${rendered.error}`, key);
          annotations[key] = value;
        } else annotations[key] = rendered.value;
      }
      enriched.annotations = annotations;
    }
    return enriched;
  });
}

/** POST silences: the client's `system_key` matchers are replaced by one exact matcher for this system. */
export function forceSilenceMatcher(body: unknown, systemKey: string): unknown {
  if (!isObject(body)) return body;
  const matchers: unknown[] = Array.isArray(body.matchers) ? (body.matchers as unknown[]) : [];
  return {
    ...body,
    matchers: [
      ...matchers.filter((m: unknown) => !(isObject(m) && m.name === 'system_key')),
      { name: 'system_key', value: systemKey, isRegex: false, isEqual: true },
    ],
  };
}

/** True when the silence has an exact (not regex, not negated) `system_key` matcher for this system. */
export function silenceOwnedBy(silence: unknown, systemKey: string): boolean {
  if (!isObject(silence) || !Array.isArray(silence.matchers)) return false;
  return silence.matchers.some(
    (m: unknown) =>
      isObject(m) &&
      m.name === 'system_key' &&
      m.value === systemKey &&
      m.isRegex !== true &&
      m.isEqual !== false,
  );
}

/** An alert (or a group's alert) of this system: its `system_key` label is the system's. */
export function alertOwnedBy(alert: unknown, systemKey: string): boolean {
  return isObject(alert) && isObject(alert.labels) && alert.labels.system_key === systemKey;
}

/** The Alertmanager matcher that scopes a list to this system (`filter=system_key="…"`). */
export function systemKeyFilter(systemKey: string): string {
  return `system_key="${systemKey.replace(/["\\]/g, '\\$&')}"`;
}
