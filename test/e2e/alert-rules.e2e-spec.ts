import { ALERTING_CLOCK, type AlertingClock } from '../../src/alerting/alerting-clock.js';
import type { NewEvent } from '../../src/events/event-log.sql.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import {
  appendCommittedEvents,
  createOrganization,
  createProvider,
  createResource,
} from '../support/factories.js';

type Json = Record<string, any>;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const change = (
  fieldPath: string,
  category: string,
  severity: string,
  previous: unknown,
  current: unknown,
) => ({
  field_path: fieldPath,
  change_type: 'modified',
  category,
  severity,
  previous,
  current,
});

/**
 * /alert-rules/ and the evaluator: CRUD with 400s naming the field, the built-in rules,
 * matching by type, category, severity, field path and a resource selector in the
 * resources list's syntax, repeated matches updating the open alert, and the hourly
 * rate limits (a simulated clock moves the window).
 */
describe('alert rules', () => {
  let t: TestApp;
  let org: number;
  let other: number;
  let provider: string;
  let prodVm: string;
  let devVm: string;
  let clock: AlertingClock;
  const realNow = () => new Date();

  const rules = (query = '') => http(`${t.api}/alert-rules/${query}`);
  const createRule = (body: Json) => http(`${t.api}/alert-rules/`, { method: 'POST', json: body });
  const alertsOf = async (rule: string) =>
    (await http(`${t.api}/alerts/?rule=${rule}&ordering=starts_at&page_size=100`)).body.results as Json[];
  const changed = (resource: string, changes: Json[], extra: Partial<NewEvent> = {}): NewEvent => ({
    type: 'resource.changed',
    organizationId: org,
    providerId: provider,
    resourceId: resource,
    severity: changes.some((c) => c.severity === 'critical') ? 'critical' : 'medium',
    payload: {
      source: 'collection_run',
      collection_run: null,
      fact_snapshot: null,
      changes,
      changes_total: changes.length,
    },
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp({});
    clock = t.app.get(ALERTING_CLOCK);
    org = await createOrganization(t.pool, 'Rules Org');
    other = await createOrganization(t.pool, 'Rules Other');
    provider = await createProvider(t.pool, { organizationId: org, name: 'vcsa-rules' });
    prodVm = await createResource(t.pool, {
      providerId: provider,
      organizationId: org,
      type: 'virtual_machine',
      name: 'db-prod-01',
      providerTags: { env: 'prod' },
    });
    devVm = await createResource(t.pool, {
      providerId: provider,
      organizationId: org,
      type: 'virtual_machine',
      name: 'db-dev-01',
      providerTags: { env: 'dev' },
    });
  });
  afterAll(async () => {
    clock.now = realNow;
    await t.close();
  });

  it('gives every organization the four built-in rules, on, editable and not deletable', async () => {
    const listed = await rules(`?organization=${org}&ordering=name`);
    expect(listed.status).toBe(200);
    const builtins = Object.fromEntries(listed.body.results.map((r: Json) => [r.builtin, r]));
    expect(Object.keys(builtins).sort()).toEqual([
      'collection_run_failed',
      'critical_change',
      'link_failed',
      'resource_removed',
    ]);
    expect(builtins.link_failed).toMatchObject({
      name: 'LinkFailed',
      alertname: 'LinkFailed',
      severity: 'critical',
      enabled: true,
    });
    expect(builtins.critical_change).toMatchObject({
      event_types: ['resource.changed'],
      severity_min: 'critical',
    });
    expect(builtins.collection_run_failed).toMatchObject({
      event_types: ['collection_run.failed'],
      resolve_event_types: ['collection_run.completed'],
      max_per_hour: 50,
      max_critical_per_hour: 10,
    });
    expect((await rules(`?organization=${other}`)).body.count).toBe(4);

    const removed = await http(`${t.api}/alert-rules/${builtins.resource_removed.id}/`, { method: 'DELETE' });
    expect(removed.status).toBe(409);
    const edited = await http(`${t.api}/alert-rules/${builtins.resource_removed.id}/`, {
      method: 'PATCH',
      json: { severity: 'info', labels: { team: 'inventory' } },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      severity: 'info',
      labels: { team: 'inventory' },
      builtin: 'resource_removed',
    });
    const linkFailed = await http(`${t.api}/alert-rules/${builtins.link_failed.id}/`, {
      method: 'PATCH',
      json: { event_types: ['resource.changed'] },
    });
    expect(linkFailed.status).toBe(400);
    expect(Object.keys(linkFailed.body.errors)).toEqual(['event_types']);
  });

  it('refuses bad rules with a 400 naming the field, and writes nothing', async () => {
    const good = { organization: org, name: 'bad one', severity: 'warning' };
    const before = (await rules(`?organization=${org}`)).body.count;
    for (const [body, field] of [
      [{ ...good, event_types: ['resource.exploded'] }, 'event_types'],
      [{ ...good, categories: ['weather'] }, 'categories'],
      [{ ...good, resolve_event_types: ['resource.*', 'run.done'] }, 'resolve_event_types'],
      [{ ...good, severity_min: 'dire' }, 'severity_min'],
      [{ ...good, severity: 'urgent' }, 'severity'],
      [{ ...good, resource_selector: 'resource_type=virtual_machine&colour=blue' }, 'resource_selector'],
      [{ ...good, resource_selector: 'cpu_count=many' }, 'resource_selector'],
      [{ ...good, resource_selector: 'ordering=name' }, 'resource_selector'],
      [{ ...good, labels: { severity: 'low' } }, 'labels.severity'],
      [{ ...good, labels: { 'bad-name': 'x' } }, 'labels.bad-name'],
      [{ ...good, labels: { team: 7 } }, 'labels.team'],
      [{ ...good, annotations: { summary: '{{ if .x }}yes{{ end }}' } }, 'annotations.summary'],
      [{ ...good, annotations: { summary: 'unclosed {{.x' } }, 'annotations.summary'],
      [{ ...good, max_per_hour: 0 }, 'max_per_hour'],
      [{ ...good, organization: 999999 }, 'organization'],
      [{ organization: org, severity: 'warning' }, 'name'],
    ] as const) {
      const answer = await createRule(body);
      expect([answer.status, Object.keys(answer.body.errors ?? {})]).toEqual([400, [field]]);
    }
    expect((await rules(`?organization=${org}`)).body.count).toBe(before);
    const created = await createRule({ ...good, name: 'unique' });
    expect(created.status).toBe(201);
    expect((await createRule({ ...good, name: 'unique' })).body.errors).toHaveProperty('name');
    expect((await http(`${t.api}/alert-rules/${created.body.id}/`, { method: 'DELETE' })).status).toBe(204);
  });

  it('matches by type, category, severity, field path and resource selector; repeats update the open alert', async () => {
    const created = await createRule({
      organization: org,
      name: 'Prod VM memory',
      event_types: ['resource.*'],
      categories: ['hardware'],
      severity_min: 'medium',
      field_path: 'memory_mb',
      resource_selector: 'resource_type=virtual_machine&tag=env=prod',
      severity: 'warning',
      labels: { team: 'platform', severity_hint: 'x' },
      annotations: {
        summary: '{{.resource_name}}: {{.field_path}} {{.previous}} → {{.current}}',
        static: 'as is',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ alertname: 'Prod VM memory', builtin: null, enabled: true });
    const rule = created.body.id as string;

    await appendCommittedEvents(t.pool, [
      changed(devVm, [change('memory_mb', 'hardware', 'medium', 4096, 8192)]), // not selected
      changed(prodVm, [change('os_name', 'os', 'high', 'a', 'b')]), // wrong category and path
      changed(prodVm, [change('memory_mb', 'hardware', 'low', 4096, 4097)]), // below severity_min
      changed(prodVm, [change('cpu_count', 'hardware', 'medium', 2, 4)]), // other path
      changed(prodVm, [change('memory_mb', 'hardware', 'medium', 4096, 8192)]), // the match
    ]);
    const [alert] = await waitFor('the rule to open an alert', async () => {
      const list = await alertsOf(rule);
      return list.length ? list : undefined;
    });
    expect(await alertsOf(rule)).toHaveLength(1);
    expect(alert).toMatchObject({
      source: 'inventory',
      organization: org,
      alertname: 'Prod VM memory',
      severity: 'warning',
      status: 'firing',
      resource: prodVm,
      rule,
      match_count: 1,
      annotations: { summary: 'db-prod-01: memory_mb 4096 → 8192', static: 'as is' },
    });
    expect(alert.labels).toEqual({
      alertname: 'Prod VM memory',
      severity: 'warning',
      organization_id: String(org),
      resource: prodVm,
      provider,
      team: 'platform',
      severity_hint: 'x',
    });
    expect(alert.fingerprint).toMatch(/^[0-9a-f]{16}$/);

    // The same resource matching again: the open alert is updated, not a second one.
    await appendCommittedEvents(t.pool, [
      changed(prodVm, [change('memory_mb', 'hardware', 'high', 8192, 16384)]),
    ]);
    const again = await waitFor('the alert to be updated', async () => {
      const [a] = await alertsOf(rule);
      return a?.match_count === 2 ? a : undefined;
    });
    expect(again).toMatchObject({ id: alert.id, fingerprint: alert.fingerprint, starts_at: alert.starts_at });
    expect(again.annotations.summary).toBe('db-prod-01: memory_mb 8192 → 16384');
    expect(await alertsOf(rule)).toHaveLength(1);

    // Resolved by hand, the next match opens a new occurrence with the same fingerprint.
    const resolved = await http(`${t.api}/alerts/${alert.id}/resolve/`, { method: 'POST' });
    expect(resolved.body.status).toBe('resolved');
    await appendCommittedEvents(t.pool, [
      changed(prodVm, [change('memory_mb', 'hardware', 'medium', 16384, 8192)]),
    ]);
    const reopened = await waitFor('a new occurrence', async () => {
      const list = await alertsOf(rule);
      return list.length === 2 ? list : undefined;
    });
    expect(reopened.map((a) => a.status)).toEqual(['resolved', 'firing']);
    expect(reopened[1].fingerprint).toBe(alert.fingerprint);

    // Disabled, it matches nothing (checked after a later event another rule sees).
    await http(`${t.api}/alert-rules/${rule}/`, { method: 'PATCH', json: { enabled: false } });
    await appendCommittedEvents(t.pool, [
      changed(prodVm, [change('memory_mb', 'hardware', 'medium', 8192, 1024)]),
      changed(devVm, [change('disks.sda.size_gb', 'storage', 'critical', 10, 0)]),
    ]);
    await waitFor('the critical change alert', async () => {
      const list = (await http(`${t.api}/alerts/?alertname=CriticalChange&resource=${devVm}`)).body.results;
      return list.length ? list : undefined;
    });
    const [stillOne] = (await alertsOf(rule)).filter((a) => a.status === 'firing');
    expect(stillOne.match_count).toBe(1);
  });

  it('opens the built-in alerts: critical change, collection run failed, resource removed', async () => {
    const run = '00000000-0000-4000-8000-000000000001';
    await appendCommittedEvents(t.pool, [
      {
        type: 'collection_run.failed',
        organizationId: org,
        providerId: provider,
        severity: 'high',
        payload: {
          collection_run: run,
          collection_type: 'full',
          status: 'failed',
          error_message: 'connection refused',
        },
      },
      {
        type: 'resource.removed',
        organizationId: org,
        providerId: provider,
        resourceId: devVm,
        payload: { ems_ref: 'vm-2', name: 'db-dev-01', source: 'collection_run', collection_run: run },
      },
    ]);
    const failed = await waitFor('CollectionRunFailed', async () => {
      const [a] = (await http(`${t.api}/alerts/?alertname=CollectionRunFailed`)).body.results;
      return a;
    });
    expect(failed).toMatchObject({
      severity: 'warning',
      labels: { provider, organization_id: String(org) },
      annotations: { summary: 'Collection from vcsa-rules failed', description: 'connection refused' },
    });
    const removed = await waitFor('ResourceRemoved', async () => {
      const [a] = (await http(`${t.api}/alerts/?alertname=ResourceRemoved`)).body.results;
      return a;
    });
    // The edited built-in: severity info and the extra label.
    expect(removed).toMatchObject({
      severity: 'info',
      resource: devVm,
      labels: { team: 'inventory', resource: devVm },
      annotations: { summary: 'db-dev-01 was removed' },
    });
    // Their resolving events: the run completes again, the resource comes back.
    await appendCommittedEvents(t.pool, [
      {
        type: 'collection_run.completed',
        organizationId: org,
        providerId: provider,
        payload: { collection_run: run, collection_type: 'full', status: 'completed' },
      },
      {
        type: 'resource.restored',
        organizationId: org,
        providerId: provider,
        resourceId: devVm,
        payload: { ems_ref: 'vm-2', name: 'db-dev-01', source: 'collection_run', collection_run: run },
      },
    ]);
    for (const id of [failed.id, removed.id])
      await waitFor('the resolve', async () => {
        const a = (await http(`${t.api}/alerts/${id}/`)).body;
        return a.status === 'resolved' ? a : undefined;
      });
    const critical = (await http(`${t.api}/alerts/?alertname=CriticalChange&resource=${devVm}`)).body
      .results[0];
    expect(critical.annotations.summary).toBe('Critical change on db-dev-01: disks.sda.size_gb');
    const totals = (await http(`${t.api}/alerts/totals/`)).body;
    expect(totals.by_severity.critical).toBeGreaterThanOrEqual(1);
    expect(totals.by_severity.warning).toBeGreaterThanOrEqual(1); // Prod VM memory
    expect(totals.by_severity.info).toBeUndefined(); // ResourceRemoved, resolved
  });

  it('enforces the hourly rate limits (all alerts and critical ones) and opens again in the next hour', async () => {
    let now = new Date();
    clock.now = () => now;
    const made = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++)
        ids.push(
          await createResource(t.pool, {
            providerId: provider,
            organizationId: org,
            type: 'virtual_machine',
            name: `burst-${Math.random().toString(36).slice(2, 8)}`,
          }),
        );
      return ids;
    };
    const created = (ids: string[]): NewEvent[] =>
      ids.map((id) => ({
        type: 'resource.created',
        organizationId: org,
        providerId: provider,
        resourceId: id,
        payload: { ems_ref: id, name: id, source: 'collection_run', collection_run: null },
      }));
    const critical = (
      await createRule({
        organization: org,
        name: 'New VM (critical)',
        event_types: ['resource.created'],
        severity: 'critical',
        max_per_hour: 5,
        max_critical_per_hour: 3,
      })
    ).body;
    const warning = (
      await createRule({
        organization: org,
        name: 'New VM (warning)',
        event_types: ['resource.created'],
        severity: 'warning',
        max_per_hour: 2,
      })
    ).body;
    const ruleState = async (id: string) => (await http(`${t.api}/alert-rules/${id}/`)).body;

    await appendCommittedEvents(t.pool, created(await made(5)));
    await waitFor('both rules to have run out', async () =>
      (await ruleState(critical.id)).suppressed_count === 2 &&
      (await ruleState(warning.id)).suppressed_count === 3
        ? true
        : undefined,
    );
    expect(await alertsOf(critical.id)).toHaveLength(3); // the critical cap, below max_per_hour
    expect(await alertsOf(warning.id)).toHaveLength(2);
    expect((await ruleState(critical.id)).last_suppressed_at).not.toBeNull();

    // Still within the hour: nothing more opens.
    now = new Date(now.getTime() + 30 * 60_000);
    await appendCommittedEvents(t.pool, created(await made(1)));
    await waitFor('the next suppression', async () =>
      (await ruleState(critical.id)).suppressed_count === 3 ? true : undefined,
    );
    expect(await alertsOf(critical.id)).toHaveLength(3);

    // An hour after the first ones: the window has room again.
    now = new Date(now.getTime() + 31 * 60_000);
    await appendCommittedEvents(t.pool, created(await made(4)));
    await waitFor('new alerts in the next hour', async () =>
      (await alertsOf(critical.id)).length === 6 && (await alertsOf(warning.id)).length === 4
        ? true
        : undefined,
    );
    expect((await ruleState(critical.id)).suppressed_count).toBe(4);
    expect((await ruleState(warning.id)).suppressed_count).toBe(6);
    clock.now = realNow;
  });

  it('scopes rules by organization (alert_rule.view) and needs alert_rule.add to create', async () => {
    const user = await t.createUser('rules-outsider');
    const listed = await http(`${t.api}/alert-rules/`, { as: user.bearer });
    expect(listed.status).toBe(200);
    expect(listed.body.count).toBe(0);
    const refused = await http(`${t.api}/alert-rules/`, {
      method: 'POST',
      as: user.bearer,
      json: { organization: org, name: 'sneaky', severity: 'info' },
    });
    expect([400, 403]).toContain(refused.status);
  });
});
