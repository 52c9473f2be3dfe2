import { http, startTestApp, type TestApp } from '../support/app.js';
import {
  freePort,
  hasAlertmanager,
  startAlertmanager,
  type RunningAlertmanager,
} from '../support/alertmanager.js';
import { createOrganization } from '../support/factories.js';
import { createSystem, type TestSystem } from '../support/facts.js';

const TOKEN = 'alert-history-token-for-tests';
const PROXY = '/api/services/mimir/alertmanager/api/v2';
type Json = Record<string, any>;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const notification = (alerts: Json[]) => ({
  version: '4',
  groupKey: '{}:{alertname="X"}',
  status: 'firing',
  receiver: 'inventory',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example',
  alerts,
});

describe('POST /alert_history and /alerts/', () => {
  let t: TestApp;
  let a: TestSystem;
  let b: TestSystem;
  let orgA: number;
  let orgB: number;
  const post = (body: unknown, token: string | null = TOKEN) =>
    http(`${t.root}/api/alert_history`, {
      method: 'POST',
      json: body,
      anonymous: true,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const alert = (system: TestSystem, fingerprint: string, status = 'firing', extra: Json = {}) => ({
    status,
    labels: {
      alertname: 'DiskFull',
      severity: 'critical',
      system_key: system.system_key,
      organization_id: '999',
    },
    annotations: { summary: 'disk full' },
    startsAt: '2026-11-30T10:00:00Z',
    endsAt: status === 'resolved' ? '2026-11-30T11:00:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: '',
    fingerprint,
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp({ ALERT_HISTORY_TOKEN: TOKEN });
    orgA = await createOrganization(t.pool, 'History A');
    orgB = await createOrganization(t.pool, 'History B');
    a = await createSystem(t, orgA, 'host-a');
    b = await createSystem(t, orgB, 'host-b');
  });
  afterAll(async () => {
    await t.close();
  });

  it('records firing and resolved notifications in the organization of the system_key, once per occurrence', async () => {
    expect((await post(notification([alert(a, 'aaaa0001'), alert(b, 'bbbb0001')]))).status).toBe(204);
    const listed = await http(`${t.api}/alerts/?ordering=alertname`);
    expect(listed.body.count).toBe(2);
    const mine = (await http(`${t.api}/alerts/?system=${a.id}`)).body.results[0];
    expect(mine).toMatchObject({
      organization: orgA,
      source: 'alertmanager',
      alertname: 'DiskFull',
      severity: 'critical',
      status: 'firing',
      fingerprint: 'aaaa0001',
      ends_at: null,
      receiver: 'inventory',
      system: a.id,
      starts_at: '2026-11-30T10:00:00.000Z',
    });
    // The same occurrence again, then resolved: one row, updated.
    expect((await post(notification([alert(a, 'aaaa0001')]))).status).toBe(204);
    expect((await post(notification([alert(a, 'aaaa0001', 'resolved')]))).status).toBe(204);
    const after = await http(`${t.api}/alerts/?fingerprint=aaaa0001`);
    expect(after.body.count).toBe(1);
    expect(after.body.results[0]).toMatchObject({ status: 'resolved', ends_at: '2026-11-30T11:00:00.000Z' });
    // A new start of the same fingerprint is a new occurrence.
    await post(notification([alert(a, 'aaaa0001', 'firing', { startsAt: '2026-12-01T08:00:00Z' })]));
    expect((await http(`${t.api}/alerts/?fingerprint=aaaa0001`)).body.count).toBe(2);
  });

  it('skips alerts without a known system_key and refuses malformed notifications with a 4xx', async () => {
    const before = (await http(`${t.api}/alerts/`)).body.count;
    const unknown = alert(a, 'cccc0001');
    unknown.labels.system_key = 'SYS-NOPE-NOPE-NOPE-NOPE';
    expect(
      (await post(notification([unknown, { ...alert(a, 'dddd0001'), labels: { alertname: 'X' } }]))).status,
    ).toBe(204);
    expect((await http(`${t.api}/alerts/`)).body.count).toBe(before);

    for (const [body, field] of [
      [{ alerts: 'no' }, 'alerts'],
      [notification([{ ...alert(a, 'eeee0001'), status: 'pending' }]), 'alerts[0].status'],
      [notification([{ ...alert(a, 'eeee0001'), labels: { n: 1 } }]), 'alerts[0].labels'],
      [notification([{ ...alert(a, 'eeee0001'), startsAt: 'yesterday' }]), 'alerts[0].startsAt'],
      [notification([{ ...alert(a, 'eeee0001'), fingerprint: "'; drop" }]), 'alerts[0].fingerprint'],
    ] as const) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toHaveProperty([field]);
    }
    const many = notification(Array.from({ length: 1001 }, (_, i) => alert(a, `f${i}`)));
    expect((await post(many)).status).toBe(413);
    expect((await http(`${t.api}/alerts/`)).body.count).toBe(before);
  });

  it('answers 401 without the token or with a wrong one', async () => {
    expect((await post(notification([]), null)).status).toBe(401);
    const wrong = await post(notification([]), 'not-it');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/Bearer/);
  });

  it('scopes alerts by organization, and acknowledging or resolving needs alert.change', async () => {
    const roleId = async (name: string) =>
      (await http(`${t.api}/role_definitions/?name=${encodeURIComponent(name)}`)).body.results[0]
        .id as number;
    const member = await t.createUser('alerts-member-a');
    const adminB = await t.createUser('alerts-admin-b');
    const grant = async (role: string, user: number, org: number) =>
      expect(
        (
          await http(`${t.api}/role_user_assignments/`, {
            method: 'POST',
            json: { role_definition: await roleId(role), user, object_id: String(org) },
          })
        ).status,
      ).toBe(201);
    await grant('Organization Member', member.id, orgA);
    await grant('Organization Admin', adminB.id, orgB);

    const seen = await http(`${t.api}/alerts/`, { as: member.bearer });
    expect(seen.body.results.every((x: Json) => x.organization === orgA)).toBe(true);
    expect(seen.body.count).toBeGreaterThan(0);
    const firingA = (await http(`${t.api}/alerts/?status=firing&organization=${orgA}`)).body.results[0];
    expect((await http(`${t.api}/alerts/${firingA.id}/`, { as: adminB.bearer })).status).toBe(404);
    expect(
      (await http(`${t.api}/alerts/${firingA.id}/acknowledge/`, { method: 'POST', as: member.bearer }))
        .status,
    ).toBe(403);

    const ack = await http(`${t.api}/alerts/${firingA.id}/acknowledge/`, { method: 'POST' });
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledged_by).toBe(t.admin.id);
    expect(ack.body.acknowledged_at).not.toBeNull();

    const totals = await http(`${t.api}/alerts/totals/`, { as: member.bearer });
    expect(totals.status).toBe(200);
    const firingCount = (await http(`${t.api}/alerts/?status=firing`, { as: member.bearer })).body.count;
    expect(totals.body.firing).toBe(firingCount);
    expect(totals.body.unacknowledged).toBe(firingCount - 1);
    expect(Object.values(totals.body.by_severity as Record<string, number>).reduce((n, c) => n + c, 0)).toBe(
      firingCount,
    );

    const resolved = await http(`${t.api}/alerts/${firingA.id}/resolve/`, { method: 'POST' });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolved_by: t.admin.id });
    expect(resolved.body.ends_at).not.toBeNull();
    expect((await http(`${t.api}/alerts/${firingA.id}/resolve/`, { method: 'POST' })).status).toBe(200);
  });
});

describe('POST /alert_history without ALERT_HISTORY_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });
  it('refuses every notification with 503, saying what to configure', async () => {
    const res = await http(`${t.api}/alert_history/`, {
      method: 'POST',
      json: notification([]),
      anonymous: true,
    });
    expect(res.status).toBe(503);
    expect(res.body.detail).toMatch(/ALERT_HISTORY_TOKEN/);
  });
});

/**
 * End to end with Debian's real Alertmanager: an agent posts an alert through the
 * per-system proxy, Alertmanager notifies its webhook receiver (this service's
 * /api/alert_history with the bearer token), and /alerts/ shows it firing, then resolved.
 */
(hasAlertmanager ? describe : describe.skip)(
  'agent → proxy → Alertmanager → /alert_history → /alerts/',
  () => {
    let t: TestApp;
    let am: RunningAlertmanager;
    let system: TestSystem;
    beforeAll(async () => {
      // Alertmanager's port is chosen first so the app can be started pointing at it, and
      // Alertmanager then started with the app's receiver URL.
      const amPort = await freePort();
      t = await startTestApp({ ALERTMANAGER_URL: `http://127.0.0.1:${amPort}`, ALERT_HISTORY_TOKEN: TOKEN });
      am = await startAlertmanager({
        webhookUrl: `${t.root}/api/alert_history`,
        bearerToken: TOKEN,
        port: amPort,
      });
      const org = await createOrganization(t.pool, 'E2E alerts');
      system = await createSystem(t, org, 'edge-01');
    });
    afterAll(async () => {
      await t?.close();
      await am?.stop();
    });

    it('records what fired and what resolved', async () => {
      const startsAt = new Date(Date.now() - 60_000).toISOString();
      const sent = await http(`${t.root}${PROXY}/alerts`, {
        method: 'POST',
        as: system.basic,
        json: [
          {
            labels: { alertname: 'ServiceDown', severity: 'warning' },
            annotations: { summary: '{{.alertname}}' },
            startsAt,
          },
        ],
      });
      expect(sent.status).toBe(200);
      const firing = await waitFor('the firing notification', async () => {
        const page = await http(`${t.api}/alerts/?alertname=ServiceDown`);
        return page.body.results[0]?.status === 'firing' ? page.body.results[0] : undefined;
      });
      expect(firing).toMatchObject({
        system: system.id,
        annotations: { summary: 'ServiceDown' },
        severity: 'warning',
      });

      await http(`${t.root}${PROXY}/alerts`, {
        method: 'POST',
        as: system.basic,
        json: [
          {
            labels: { alertname: 'ServiceDown', severity: 'warning' },
            startsAt,
            endsAt: new Date(Date.now() - 1000).toISOString(),
          },
        ],
      });
      const resolved = await waitFor('the resolved notification', async () => {
        const row = (await http(`${t.api}/alerts/${firing.id}/`)).body;
        return row.status === 'resolved' ? row : undefined;
      });
      expect(resolved.ends_at).not.toBeNull();
    });
  },
);
