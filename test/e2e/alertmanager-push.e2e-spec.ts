import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALERTING_CLOCK, type AlertingClock } from '../../src/alerting/alerting-clock.js';
import { AlertmanagerSender } from '../../src/alerting/alertmanager-sender.js';
import { LinkFailedMonitor } from '../../src/alerting/link-failed-monitor.js';
import type { NewEvent } from '../../src/events/event-log.sql.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { createSystem } from '../support/facts.js';
import {
  freePort,
  hasAlertmanager,
  startAlertmanager,
  type RunningAlertmanager,
} from '../support/alertmanager.js';
import {
  appendCommittedEvents,
  createOrganization,
  createProvider,
  createResource,
} from '../support/factories.js';

type Json = Record<string, any>;
const TOKEN = 'alert-history-token-push-tests';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A recording relay: `/am/…` goes on to Alertmanager (so the test sees what the
 * inventory sends, headers included), `/hook` to the app's /api/alert_history (so it
 * sees what Alertmanager notifies).
 */
async function relay(targets: { am: () => string; hook: () => string }) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      seen.push({ path, headers: req.headers, body });
      const target = path.startsWith('/am/') ? `${targets.am()}${path.slice(3)}` : targets.hook();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (path === '/hook') headers.authorization = String(req.headers.authorization ?? '');
      fetch(target, { method: req.method, headers, body: req.method === 'GET' ? undefined : body })
        .then(async (answer) => {
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'text/plain',
          });
          res.end(await answer.text());
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Rule → alert → the real Alertmanager → its webhook receiver → POST /alert_history, end
 * to end: the inventory's alerts are POSTed to /api/v2/alerts with Basic credentials and
 * the tenant header, with the server's labels, and Alertmanager's fingerprint is the
 * inventory's; they are refreshed before endsAt while firing (a simulated clock) and
 * resolved with endsAt = now.
 */
(hasAlertmanager ? describe : describe.skip)('pushing alerts to Alertmanager', () => {
  let t: TestApp;
  let am: RunningAlertmanager;
  let r: Awaited<ReturnType<typeof relay>>;
  let org: number;
  let provider: string;
  let vm: string;
  let clock: AlertingClock;
  const realNow = () => new Date();
  const amAlerts = async (filter: string) =>
    (await http(`${am.url}/api/v2/alerts?filter=${encodeURIComponent(filter)}`, { anonymous: true }))
      .body as Json[];
  const posts = () => r.seen.filter((s) => s.path === '/am/api/v2/alerts');

  beforeAll(async () => {
    const amPort = await freePort();
    let hook = '';
    r = await relay({ am: () => `http://127.0.0.1:${amPort}`, hook: () => hook });
    t = await startTestApp({
      ALERTMANAGER_URL: `${r.url}/am`,
      ALERTMANAGER_USERNAME: 'inventory',
      ALERTMANAGER_PASSWORD: 'am-secret',
      ALERTMANAGER_TENANT: 'tenant-a',
      ALERT_HISTORY_TOKEN: TOKEN,
    });
    hook = `${t.root}/api/alert_history`;
    am = await startAlertmanager({ port: amPort, webhookUrl: `${r.url}/hook`, bearerToken: TOKEN });
    clock = t.app.get(ALERTING_CLOCK);
    org = await createOrganization(t.pool, 'Push Org');
    provider = await createProvider(t.pool, { organizationId: org, name: 'vcsa-push' });
    vm = await createResource(t.pool, {
      providerId: provider,
      organizationId: org,
      type: 'virtual_machine',
      name: 'web-01',
    });
  });
  afterAll(async () => {
    clock.now = realNow;
    await t?.close();
    await am?.stop();
    await r?.close();
  });

  it('sends a rule’s alert with the server’s labels; Alertmanager notifies it back to /alert_history', async () => {
    const removed: NewEvent = {
      type: 'resource.removed',
      organizationId: org,
      providerId: provider,
      resourceId: vm,
      payload: { ems_ref: 'vm-1', name: 'web-01', source: 'collection_run', collection_run: null },
    };
    await appendCommittedEvents(t.pool, [removed]);
    const ours = await waitFor('the ResourceRemoved alert', async () => {
      const [a] = (await http(`${t.api}/alerts/?alertname=ResourceRemoved`)).body.results;
      return a as Json | undefined;
    });
    const [upstream] = await waitFor('the alert at Alertmanager', async () => {
      const list = await amAlerts(`resource="${vm}"`);
      return list.length ? list : undefined;
    });
    expect(upstream.labels).toEqual({
      alertname: 'ResourceRemoved',
      severity: 'warning',
      organization_id: String(org),
      resource: vm,
      provider,
    });
    expect(upstream.annotations).toEqual({
      summary: 'web-01 was removed',
      description: 'web-01 is no longer reported by vcsa-push.',
    });
    // The same fingerprint on both sides, and the same start.
    expect(upstream.fingerprint).toBe(ours.fingerprint);
    expect(new Date(upstream.startsAt).toISOString()).toBe(ours.starts_at);
    // Sent with the configured credentials and tenant.
    const [post] = posts();
    expect(post.headers.authorization).toBe(`Basic ${Buffer.from('inventory:am-secret').toString('base64')}`);
    expect(post.headers['x-scope-orgid']).toBe('tenant-a');
    const endsAt = new Date(JSON.parse(post.body)[0].endsAt).getTime();
    expect(endsAt - Date.now()).toBeGreaterThan(8 * 60_000);

    // Alertmanager's webhook reached /alert_history: our row knows its receiver, and no second row appeared.
    const notified = await waitFor('the notification', async () => {
      const a = (await http(`${t.api}/alerts/${ours.id}/`)).body;
      return a.receiver === 'inventory' ? a : undefined;
    });
    expect(notified).toMatchObject({ source: 'inventory', status: 'firing' });
    expect((await http(`${t.api}/alerts/?fingerprint=${ours.fingerprint}`)).body.count).toBe(1);
    const hook = r.seen.find((s) => s.path === '/hook' && s.body.includes(ours.fingerprint));
    expect(hook?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('refreshes firing alerts before their endsAt and resolves them with endsAt = now', async () => {
    const [ours] = (await http(`${t.api}/alerts/?alertname=ResourceRemoved`)).body.results;
    const sender = t.app.get(AlertmanagerSender);
    const sentFor = () => posts().filter((p) => p.body.includes(`"resource":"${vm}"`));
    const before = sentFor().length;

    // Nothing is due a minute later…
    let now = new Date(Date.now() + 60_000);
    clock.now = () => now;
    expect((await sender.push(now)).sent).toBe(0);
    // …five minutes later the alert is sent again, with a later endsAt.
    now = new Date(Date.now() + 5 * 60_000);
    expect((await sender.push(now)).sent).toBe(1);
    const refreshed = JSON.parse(sentFor().at(-1)!.body)[0];
    expect(sentFor().length).toBe(before + 1);
    expect(new Date(refreshed.endsAt).getTime()).toBe(now.getTime() + 10 * 60_000);
    expect(refreshed.startsAt).toBe(ours.starts_at);
    clock.now = realNow;

    // Resolved here: sent once with endsAt = now, and Alertmanager no longer lists it as active.
    const resolvedAt = Date.now();
    expect((await http(`${t.api}/alerts/${ours.id}/resolve/`, { method: 'POST' })).body.status).toBe(
      'resolved',
    );
    await waitFor('the resolve at Alertmanager', async () =>
      (await amAlerts(`resource="${vm}"`)).length === 0 ? true : undefined,
    );
    const last = JSON.parse(sentFor().at(-1)!.body)[0];
    expect(Math.abs(new Date(last.endsAt).getTime() - resolvedAt)).toBeLessThan(10_000);
    const count = sentFor().length;
    expect((await sender.push(new Date(Date.now() + 30 * 60_000))).sent).toBe(0);
    expect(sentFor().length).toBe(count);
    // Alertmanager's resolved notification arrives and changes nothing of ours.
    await waitFor('the resolved notification', async () =>
      r.seen.some((s) => s.path === '/hook' && s.body.includes('"status":"resolved"') && s.body.includes(vm))
        ? true
        : undefined,
    );
    expect((await http(`${t.api}/alerts/${ours.id}/`)).body).toMatchObject({
      status: 'resolved',
      source: 'inventory',
    });
  });

  it('sends LinkFailed with the system’s labels and resolves it at Alertmanager when the system is back', async () => {
    const system = await createSystem(t, org, 'edge-01');
    await t.pool.query(
      `UPDATE systems SET status = 'inactive', last_heartbeat_at = now() - interval '2 hours' WHERE id = $1`,
      [system.id],
    );
    expect(await t.app.get(LinkFailedMonitor).check(new Date())).toMatchObject({ opened: 1 });
    const [upstream] = await waitFor('LinkFailed at Alertmanager', async () => {
      const list = await amAlerts(`system_key="${system.system_key}"`);
      return list.length ? list : undefined;
    });
    expect(upstream.labels).toEqual({
      alertname: 'LinkFailed',
      severity: 'critical',
      organization_id: String(org),
      system_id: system.id,
      system_key: system.system_key,
    });
    expect(new Date(upstream.endsAt).getTime() - Date.now()).toBeGreaterThan(8 * 60_000);
    await t.pool.query(`UPDATE systems SET status = 'active', last_heartbeat_at = now() WHERE id = $1`, [
      system.id,
    ]);
    expect(await t.app.get(LinkFailedMonitor).check(new Date())).toMatchObject({ resolved: 1 });
    await waitFor('the resolve at Alertmanager', async () =>
      (await amAlerts(`system_key="${system.system_key}"`)).length === 0 ? true : undefined,
    );
  });

  it('never sends Alertmanager’s own alerts back to it', async () => {
    const system = await createSystem(t, org, 'agent-01');
    const notification = {
      version: '4',
      status: 'firing',
      receiver: 'inventory',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DiskFull', severity: 'critical', system_key: system.system_key },
          annotations: {},
          startsAt: '2026-12-01T10:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'abcdef0123456789',
        },
      ],
    };
    const stored = await http(`${t.root}/api/alert_history`, {
      method: 'POST',
      anonymous: true,
      headers: { authorization: `Bearer ${TOKEN}` },
      json: notification,
    });
    expect(stored.status).toBe(204);
    const { rowCount } = await t.pool.query(
      `UPDATE alerts SET push_due_at = now() - interval '1 minute' WHERE source = 'alertmanager'`,
    );
    expect(rowCount).toBe(1);
    const before = posts().length;
    await t.app.get(AlertmanagerSender).push(new Date());
    expect(posts().length).toBe(before);
  });
});
