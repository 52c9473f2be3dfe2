import { http, startTestApp, type TestApp } from '../support/app.js';
import { hasAlertmanager, startAlertmanager, type RunningAlertmanager } from '../support/alertmanager.js';
import { createOrganization } from '../support/factories.js';
import { createSystem, type TestSystem } from '../support/facts.js';

if (!hasAlertmanager)
  console.warn(
    'prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager): skipping the Alertmanager proxy e2e test.',
  );

const PROXY = '/api/services/mimir/alertmanager/api/v2';
type Json = Record<string, any>;

/**
 * The collector's per-system Alertmanager proxy against a real Alertmanager (Debian's
 * prometheus-alertmanager, started on a free port): each system reads, posts and
 * silences only its own alerts, whatever it sends.
 */
(hasAlertmanager ? describe : describe.skip)('the per-system Alertmanager proxy (real Alertmanager)', () => {
  let t: TestApp;
  let am: RunningAlertmanager;
  let a: TestSystem;
  let b: TestSystem;
  let orgA: number;

  const proxy = (system: TestSystem, path: string, init: RequestInit & { json?: unknown } = {}) =>
    http(`${t.root}${PROXY}/${path}`, { ...init, as: system.basic });
  /** What Alertmanager itself holds (not through the proxy). */
  const upstream = async (path: string): Promise<any> => (await fetch(`${am.url}/api/v2/${path}`)).json();

  const alert = (labels: Json, annotations: Json = {}) => ({
    labels,
    annotations,
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  const silence = (matchers: Json[]) => ({
    matchers,
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    createdBy: 'agent',
    comment: 'maintenance',
  });

  beforeAll(async () => {
    am = await startAlertmanager();
    t = await startTestApp({ ALERTMANAGER_URL: am.url });
    orgA = await createOrganization(t.pool, 'Alerting A');
    const orgB = await createOrganization(t.pool, 'Alerting B');
    a = await createSystem(t, orgA, 'fw-a');
    b = await createSystem(t, orgB, 'fw-b');
  });
  afterAll(async () => {
    await t?.close();
    await am?.stop();
  });

  it('POST alerts: system_key, system_id and organization_id are the server’s; annotations are templated from the labels', async () => {
    const posted = await proxy(a, 'alerts', {
      method: 'POST',
      json: [
        alert(
          {
            alertname: 'DiskFull',
            severity: 'critical',
            system_key: b.system_key,
            system_id: b.id,
            organization_id: '999',
          },
          {
            summary: 'Alert {{.alertname}} has severity {{.severity}}',
            description: 'System: {{ .system_key }} in {{.organization_name}}',
            missing: 'value: {{.nope}}',
            broken: 'oops {{.alertname',
            plain: 'no templates here',
          },
        ),
      ],
    });
    expect(posted.status).toBe(200);
    const stored = (await upstream('alerts')).filter((x: Json) => x.labels.alertname === 'DiskFull');
    expect(stored).toHaveLength(1);
    expect(stored[0].labels).toMatchObject({
      system_key: a.system_key,
      system_id: a.id,
      organization_id: String(orgA),
      system_name: 'fw-a',
      organization_name: 'Alerting A',
    });
    expect(stored[0].annotations).toEqual({
      summary: 'Alert DiskFull has severity critical',
      description: `System: ${a.system_key} in Alerting A`,
      missing: 'value: <no value>',
      broken: 'oops {{.alertname',
      plain: 'no templates here',
    });
  });

  it("GET alerts and alerts/groups show only the caller's alerts, whatever filter it sends", async () => {
    await proxy(b, 'alerts', {
      method: 'POST',
      json: [alert({ alertname: 'LoadHigh', severity: 'warning' })],
    });
    const mine = await proxy(a, 'alerts');
    expect(mine.status).toBe(200);
    expect(mine.body.map((x: Json) => x.labels.alertname)).toEqual(['DiskFull']);
    const theirs = await proxy(b, 'alerts');
    expect(theirs.body.map((x: Json) => x.labels.alertname)).toEqual(['LoadHigh']);
    // Asking for another system's alerts, or for all of them, still yields only one's own.
    const sneaky = await proxy(a, `alerts?filter=${encodeURIComponent(`system_key="${b.system_key}"`)}`);
    expect(sneaky.body).toEqual([]);
    const wide = await proxy(a, `alerts?filter=${encodeURIComponent('system_key=~".+"')}`);
    expect(wide.body.map((x: Json) => x.labels.system_key)).toEqual([a.system_key]);
    const groups = await proxy(a, 'alerts/groups');
    expect(groups.status).toBe(200);
    const grouped = groups.body.flatMap((g: Json) => g.alerts.map((x: Json) => x.labels.system_key));
    expect(grouped).toEqual([a.system_key]);
  });

  it('POST silences always targets the caller: a client system_key matcher is overwritten', async () => {
    const created = await proxy(a, 'silences', {
      method: 'POST',
      json: silence([
        { name: 'system_key', value: b.system_key, isRegex: false, isEqual: true },
        { name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true },
      ]),
    });
    expect(created.status).toBe(200);
    const id: string = created.body.silenceID;
    const stored = await upstream(`silence/${id}`);
    const keys = stored.matchers.filter((m: Json) => m.name === 'system_key');
    expect(keys).toEqual([{ name: 'system_key', value: a.system_key, isRegex: false, isEqual: true }]);
    expect(stored.matchers.some((m: Json) => m.name === 'alertname')).toBe(true);

    // Lists: each system sees only its own silences.
    await proxy(b, 'silences', {
      method: 'POST',
      json: silence([{ name: 'alertname', value: 'LoadHigh', isRegex: false }]),
    });
    const mine = await proxy(a, 'silences');
    expect(mine.body.map((s: Json) => s.id)).toEqual([id]);
    const theirs = await proxy(b, 'silences');
    expect(theirs.body.map((s: Json) => s.id)).not.toContain(id);
    expect(theirs.body).toHaveLength(1);
  });

  it("another system can neither read, replace nor delete a system's silence (403, and it stays active)", async () => {
    const created = await proxy(a, 'silences', {
      method: 'POST',
      json: silence([{ name: 'alertname', value: 'Backup', isRegex: false }]),
    });
    const id: string = created.body.silenceID;
    for (const path of [`silence/${id}`, `silences/${id}`]) {
      expect((await proxy(b, path)).status).toBe(403);
      expect((await proxy(b, path, { method: 'DELETE' })).status).toBe(403);
    }
    const replace = await proxy(b, 'silences', {
      method: 'POST',
      json: { ...silence([{ name: 'alertname', value: 'Backup', isRegex: false }]), id },
    });
    expect(replace.status).toBe(403);
    expect((await upstream(`silence/${id}`)).status.state).toBe('active');
    // An id that does not exist is not "owned" either.
    expect((await proxy(a, 'silence/00000000-0000-0000-0000-000000000000')).status).toBe(403);

    const own = await proxy(a, `silence/${id}`);
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(id);
    expect((await proxy(a, `silences/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await upstream(`silence/${id}`)).status.state).toBe('expired');
  });

  it('answers 401 without or with wrong system credentials, 403 for a suspended system, 404 off the proxied paths', async () => {
    expect((await http(`${t.root}${PROXY}/alerts`, { anonymous: true })).status).toBe(401);
    const wrong = `Basic ${Buffer.from(`${a.system_key}:not-the-secret`).toString('base64')}`;
    expect((await http(`${t.root}${PROXY}/alerts`, { as: wrong })).status).toBe(401);
    for (const path of ['status', 'receivers', 'alerts/nothing'])
      expect((await proxy(a, path)).status).toBe(404);

    const c = await createSystem(t, orgA, 'fw-suspended');
    expect((await http(`${t.api}/systems/${c.id}/suspend/`, { method: 'POST' })).status).toBe(200);
    expect((await proxy(c, 'alerts')).status).toBe(403);
  });

  it('is also served under the API prefix', async () => {
    const viaPrefix = await http(`${t.api}/services/mimir/alertmanager/api/v2/alerts`, { as: a.basic });
    expect(viaPrefix.status).toBe(200);
    expect(viaPrefix.body.map((x: Json) => x.labels.system_key)).toEqual([a.system_key]);
  });

  it('GET /api/systems/info answers the system its own record in the agent envelope', async () => {
    const info = await http(`${t.root}/api/systems/info`, { as: a.basic });
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      code: 200,
      message: 'system info retrieved successfully',
      data: {
        system_id: a.id,
        system_key: a.system_key,
        name: 'fw-a',
        suspended: false,
        deleted: false,
        registered: false,
        organization: { id: String(orgA), name: 'Alerting A' },
      },
    });
    expect(info.body.data).not.toHaveProperty('secret');
    expect(JSON.stringify(info.body)).not.toContain(a.secret);
    expect((await http(`${t.root}/api/systems/info`, { anonymous: true })).status).toBe(401);
  });
});

describe('the Alertmanager proxy without ALERTMANAGER_URL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 503 saying what to configure', async () => {
    const org = await createOrganization(t.pool, 'No AM');
    const system = await createSystem(t, org, 'fw');
    const answer = await http(`${t.root}${PROXY}/alerts`, { as: system.basic });
    expect(answer.status).toBe(503);
    expect(answer.body.detail).toMatch(/ALERTMANAGER_URL/);
  });
});
