import {
  enrichAlerts,
  forceSilenceMatcher,
  renderAnnotation,
  silenceOwnedBy,
  systemKeyFilter,
  type SystemAlertContext,
} from './alert-enrichment.js';

const context: SystemAlertContext = {
  systemId: '6f9619ff-8b86-d011-b42d-00c04fc964ff',
  systemKey: 'SYS-AAAA-BBBB-CCCC-DDDD',
  organizationId: 7,
  systemName: 'fw-01',
  organizationName: 'ACME',
};

describe('renderAnnotation (the collector’s Go text/template annotations)', () => {
  const labels = { alertname: 'DiskFull', severity: 'critical' };
  it('substitutes labels, with or without spaces and trim markers', () => {
    expect(renderAnnotation('Alert {{.alertname}} is {{ .severity }}', labels)).toEqual({
      value: 'Alert DiskFull is critical',
    });
    expect(renderAnnotation('a  {{- .alertname -}}  b', labels)).toEqual({ value: 'aDiskFullb' });
  });
  it('renders a missing label as <no value> and drops comments', () => {
    expect(renderAnnotation('{{.nope}}{{/* note */}}!', labels)).toEqual({ value: '<no value>!' });
  });
  it('refuses unclosed and unsupported actions (the caller keeps the annotation as it was)', () => {
    expect(renderAnnotation('{{.alertname', labels)).toHaveProperty('error');
    expect(renderAnnotation('{{if .severity}}x{{end}}', labels)).toHaveProperty('error');
    expect(renderAnnotation('{{.constructor}}', labels)).toEqual({ value: '<no value>' });
  });
});

describe('enrichAlerts', () => {
  it('overrides the server-owned labels, adds informational ones only where missing, keeps non-string annotations', () => {
    const warnings: string[] = [];
    const [alert] = enrichAlerts(
      [
        {
          labels: { alertname: 'X', system_key: 'SYS-OTHER', organization_id: '1', system_name: 'mine' },
          annotations: { count: 3, summary: '{{.system_name}} / {{.organization_name}}', bad: '{{.x' },
        },
      ],
      context,
      (message) => warnings.push(message),
    ) as { labels: Record<string, string>; annotations: Record<string, unknown> }[];
    expect(alert.labels).toEqual({
      alertname: 'X',
      system_key: context.systemKey,
      system_id: context.systemId,
      organization_id: '7',
      system_name: 'mine',
      organization_name: 'ACME',
    });
    expect(alert.annotations).toEqual({ count: 3, summary: 'mine / ACME', bad: '{{.x' });
    expect(warnings).toHaveLength(1);
  });
  it('leaves a body that is not a list of alerts to Alertmanager', () => {
    expect(enrichAlerts({ not: 'a list' }, context, () => undefined)).toEqual({ not: 'a list' });
  });
});

describe('silences', () => {
  it('forces one exact system_key matcher and tells ownership only from an exact one', () => {
    const forced = forceSilenceMatcher(
      {
        matchers: [
          { name: 'system_key', value: '.*', isRegex: true },
          { name: 'alertname', value: 'X' },
        ],
      },
      context.systemKey,
    );
    expect(silenceOwnedBy(forced, context.systemKey)).toBe(true);
    expect(silenceOwnedBy(forced, 'SYS-OTHER')).toBe(false);
    expect(
      silenceOwnedBy(
        { matchers: [{ name: 'system_key', value: context.systemKey, isRegex: true }] },
        context.systemKey,
      ),
    ).toBe(false);
    expect(
      silenceOwnedBy(
        { matchers: [{ name: 'system_key', value: context.systemKey, isEqual: false }] },
        context.systemKey,
      ),
    ).toBe(false);
  });
  it('quotes the key in the list filter', () => {
    expect(systemKeyFilter('SYS-"x')).toBe('system_key="SYS-\\"x"');
  });
});
