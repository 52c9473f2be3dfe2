import { ALERTING_CLOCK, type AlertingClock } from '../../src/alerting/alerting-clock.js';
import { LinkFailedMonitor, stalledSystems } from '../../src/alerting/link-failed-monitor.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { createOrganization } from '../support/factories.js';
import { createSystem, type TestSystem } from '../support/facts.js';

type Json = Record<string, any>;
const MIN = 60_000;

/**
 * LinkFailed and IngestStalled on a simulated clock (the check is called with the time
 * it runs at; heartbeats are set in the database): fires for inactive systems with
 * startsAt = last heartbeat + HEARTBEAT_TIMEOUT_MINUTES (never in the future), refreshes
 * at each check, resolves when the system is active again; 20+ systems going silent
 * within 180 s of each other raise one IngestStalled instead.
 */
describe('LinkFailed and IngestStalled', () => {
  let t: TestApp;
  let monitor: LinkFailedMonitor;
  let clock: AlertingClock;
  let org: number;
  let other: number;
  const T = new Date(Math.floor(Date.now() / 1000) * 1000);
  const at = (minutes: number) => new Date(T.getTime() + minutes * MIN);
  const setSystem = (s: TestSystem, status: string, heartbeat: Date, suspended = false) =>
    t.pool.query(`UPDATE systems SET status = $2, last_heartbeat_at = $3, suspended_at = $4 WHERE id = $1`, [
      s.id,
      status,
      heartbeat,
      suspended ? heartbeat : null,
    ]);
  const linkFailed = async (system: TestSystem) =>
    (await http(`${t.api}/alerts/?alertname=LinkFailed&system=${system.id}&ordering=starts_at`)).body
      .results as Json[];
  const ingestStalled = async () =>
    (await http(`${t.api}/alerts/?alertname=IngestStalled&ordering=starts_at`)).body.results as Json[];

  beforeAll(async () => {
    t = await startTestApp({ HEARTBEAT_TIMEOUT_MINUTES: '10' });
    monitor = t.app.get(LinkFailedMonitor);
    clock = t.app.get(ALERTING_CLOCK);
    org = await createOrganization(t.pool, 'Link Org');
    other = await createOrganization(t.pool, 'Fleet Org');
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds groups of heartbeats within the window', () => {
    const base = T.getTime();
    const tight = Array.from({ length: 20 }, (_, i) => new Date(base + i * 9_000)); // 171 s
    expect(stalledSystems(tight).size).toBe(20);
    expect(stalledSystems(tight.slice(1)).size).toBe(0);
    const spread = Array.from({ length: 20 }, (_, i) => new Date(base + i * 10_000)); // 190 s
    expect(stalledSystems(spread).size).toBe(0);
    expect(stalledSystems([...tight, new Date(base + 3600_000)]).size).toBe(20);
  });

  it('fires, refreshes and resolves LinkFailed on a simulated clock', async () => {
    const a = await createSystem(t, org, 'node-a');
    const b = await createSystem(t, org, 'node-b');
    const c = await createSystem(t, org, 'node-c');
    const d = await createSystem(t, org, 'node-d');
    await setSystem(a, 'inactive', at(-15));
    await setSystem(b, 'inactive', at(-3));
    await setSystem(c, 'inactive', at(-30), true); // suspended
    await setSystem(d, 'active', at(-1));

    expect(await monitor.check(T)).toMatchObject({ opened: 2, resolved: 0, stalled: 0 });
    const [alertA] = await linkFailed(a);
    expect(alertA).toMatchObject({
      source: 'inventory',
      organization: org,
      severity: 'critical',
      status: 'firing',
      system: a.id,
      starts_at: at(-5).toISOString(), // last heartbeat + 10 minutes
      match_count: 1,
    });
    expect(alertA.labels).toEqual({
      alertname: 'LinkFailed',
      severity: 'critical',
      organization_id: String(org),
      system_id: a.id,
      system_key: a.system_key,
    });
    expect(alertA.annotations.summary).toBe('No heartbeat received from system node-a');
    expect(alertA.annotations.description).toContain(at(-15).toISOString());
    // Last heartbeat + timeout lies in the future: it starts now.
    expect((await linkFailed(b))[0].starts_at).toBe(T.toISOString());
    expect(await linkFailed(c)).toEqual([]);
    expect(await linkFailed(d)).toEqual([]);

    // Five minutes later: the same alerts, refreshed (due at Alertmanager again).
    expect(await monitor.check(at(5))).toMatchObject({ opened: 0, firing: 2, resolved: 0 });
    const [refreshed] = await linkFailed(a);
    expect(refreshed).toMatchObject({ id: alertA.id, match_count: 2, status: 'firing' });
    const { rows } = await t.pool.query(`SELECT push_due_at FROM alerts WHERE id = $1`, [alertA.id]);
    expect(rows[0].push_due_at.toISOString()).toBe(at(5).toISOString());

    // node-a is back: its alert is resolved at the check (and the resolve is due at Alertmanager).
    await setSystem(a, 'active', at(6));
    expect(await monitor.check(at(10))).toMatchObject({ resolved: 1, firing: 1 });
    const [resolved] = await linkFailed(a);
    expect(resolved).toMatchObject({ id: alertA.id, status: 'resolved', ends_at: at(10).toISOString() });
    expect((await linkFailed(b))[0]).toMatchObject({ status: 'firing', match_count: 3 });

    // Silent again later: a new occurrence.
    await setSystem(a, 'inactive', at(12));
    await monitor.check(at(25));
    const occurrences = await linkFailed(a);
    expect(occurrences.map((o) => o.status)).toEqual(['resolved', 'firing']);
    expect(occurrences[1].starts_at).toBe(at(22).toISOString());

    // The built-in rule switched off: its alerts are resolved; the simulated clock also drives the scheduler's job.
    const [rule] = (await http(`${t.api}/alert-rules/?organization=${org}&builtin=link_failed`)).body.results;
    await http(`${t.api}/alert-rules/${rule.id}/`, { method: 'PATCH', json: { enabled: false } });
    clock.now = () => at(30);
    try {
      expect(await monitor.check()).toMatchObject({ resolved: 2, firing: 0 });
    } finally {
      clock.now = () => new Date();
    }
    expect((await linkFailed(b))[0]).toMatchObject({ status: 'resolved', ends_at: at(30).toISOString() });
    await http(`${t.api}/alert-rules/${rule.id}/`, {
      method: 'PATCH',
      json: { enabled: true, severity: 'high' },
    });
  });

  it('raises one IngestStalled instead of a storm of LinkFailed, and resolves it', async () => {
    const fleet: TestSystem[] = [];
    for (let i = 0; i < 25; i++) fleet.push(await createSystem(t, other, `fleet-${i}`));
    const loner = await createSystem(t, other, 'loner');
    // Silent within 120 s of each other (an ingest fault), and one long before.
    for (const [i, s] of fleet.entries())
      await setSystem(s, 'inactive', new Date(at(40).getTime() + i * 5_000));
    await setSystem(loner, 'inactive', at(0));

    const first = await monitor.check(at(55));
    expect(first).toMatchObject({ stalled: 25 });
    const [stalled] = await ingestStalled();
    expect(stalled).toMatchObject({
      source: 'inventory',
      organization: null,
      severity: 'critical',
      status: 'firing',
      labels: { alertname: 'IngestStalled', severity: 'critical' },
      starts_at: at(50).toISOString(),
    });
    expect(stalled.annotations.systems).toBe('25');
    for (const s of fleet.slice(0, 3)) expect(await linkFailed(s)).toEqual([]);
    // The loner is a broken link of its own.
    expect((await linkFailed(loner))[0]).toMatchObject({ status: 'firing', starts_at: at(10).toISOString() });
    // Only global alert.view holders see the platform's alert.
    const member = await t.createUser('fleet-viewer');
    expect((await http(`${t.api}/alerts/?alertname=IngestStalled`, { as: member.bearer })).body.count).toBe(
      0,
    );

    // Still stalled at the next check: the same alert, no LinkFailed.
    expect(await monitor.check(at(60))).toMatchObject({ stalled: 25 });
    const again = await ingestStalled();
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: stalled.id, match_count: 2 });

    // Ingest recovers: IngestStalled resolves; the loner's LinkFailed keeps firing.
    for (const s of fleet) await setSystem(s, 'active', at(61));
    expect(await monitor.check(at(65))).toMatchObject({ stalled: 0 });
    expect((await ingestStalled())[0]).toMatchObject({ status: 'resolved', ends_at: at(65).toISOString() });
    expect((await linkFailed(loner))[0].status).toBe('firing');
    const totals = (await http(`${t.api}/alerts/totals/`)).body;
    expect(totals.by_severity.critical).toBeGreaterThanOrEqual(1);
  });
});
