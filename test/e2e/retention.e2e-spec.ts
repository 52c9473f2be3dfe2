import { createHash } from 'node:crypto';
import { JobScheduler } from '../../src/retention/job-scheduler.js';
import { RetentionService } from '../../src/retention/retention.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { createOrganization, daysAgo } from '../support/factories.js';
import { createSystem, loadDebianFacts } from '../support/facts.js';

/** Retention rules, run by calling the jobs directly (the scheduler never runs them at start-up). */
/** A snapshot's time: days ago, or a moment. */
const at = (age: number | Date) => (age instanceof Date ? age : daysAgo(age));
const noon = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 12));
/** Wednesday noon of d's week (weeks start on Monday, as date_trunc('week') has them). */
const midWeek = (d: Date) => {
  const wednesday = noon(d);
  wednesday.setUTCDate(wednesday.getUTCDate() - ((wednesday.getUTCDay() + 6) % 7) + 2);
  return wednesday;
};
const midMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 15, 12));
const midQuarter = (d: Date) =>
  new Date(Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3 + 1, 15, 12));
const pairIn = (d: Date) => [new Date(d.getTime() - 3_600_000), d];

describe('retention and history pruning', () => {
  let t: TestApp;
  let org: number;
  const facts = loadDebianFacts();

  /** A pushed host with snapshots received at the given ages (days), oldest first, plus one change per snapshot. */
  async function hostWithSnapshots(
    name: string,
    ages: (number | Date)[],
  ): Promise<{ host: string; ids: string[] }> {
    const system = await createSystem(t, org, name);
    const res = await http(`${t.api}/facts/`, {
      method: 'POST',
      json: { system_facts: { hostname: name } },
      as: system.basic,
    });
    expect(res.status).toBe(201);
    const host = res.body.resource as string;
    await t.pool.query(`DELETE FROM fact_snapshots WHERE resource_id = $1`, [host]);
    const ids: string[] = [];
    for (const [i, age] of ages.entries()) {
      const { rows } = await t.pool.query(
        `INSERT INTO fact_snapshots (resource_id, organization_id, received_at, sha256, system_facts)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [host, org, at(age), createHash('sha256').update(`${name}${i}`).digest('hex'), { hostname: name, i }],
      );
      ids.push(rows[0].id);
      await t.pool.query(
        `INSERT INTO resource_changes (resource_id, organization_id, detected_at, source, fact_snapshot_id, field_path,
           change_type, category, severity) VALUES ($1, $2, $3, 'fact_snapshot', $4, 'i', 'modified', 'configuration', 'info')`,
        [host, org, at(age), rows[0].id],
      );
    }
    return { host, ids };
  }
  const remaining = async (host: string) =>
    (
      await t.pool.query(`SELECT id FROM fact_snapshots WHERE resource_id = $1 ORDER BY received_at`, [host])
    ).rows.map((r) => r.id as string);
  const changeCount = async (host: string) =>
    (
      await t.pool.query(
        `SELECT count(*)::int AS n FROM resource_changes WHERE resource_id = $1 AND source = 'fact_snapshot'`,
        [host],
      )
    ).rows[0].n;

  describe('with the defaults (RETENTION_DAYS 400, no entry cap)', () => {
    beforeAll(async () => {
      t = await startTestApp();
      org = await createOrganization(t.pool, 'Retention Org');
    });
    afterAll(async () => {
      await t.close();
    });

    it('deletes snapshots and sightings older than RETENTION_DAYS, keeping the first and latest snapshot and every change', async () => {
      const { host, ids } = await hostWithSnapshots('old-host', [500, 450, 420, 10]);
      const { host: ancient, ids: ancientIds } = await hostWithSnapshots('ancient', [900, 800]);
      await t.pool.query(
        `INSERT INTO resource_sightings (resource_id, provider_id, organization_id, seen_at)
         SELECT id, provider_id, organization_id, $2 FROM resources WHERE id = $1`,
        [host, daysAgo(401)],
      );
      const result = await t.app.get(RetentionService).purgeExpired();
      expect(result.snapshots_deleted).toBe(2);
      expect(result.sightings_deleted).toBeGreaterThanOrEqual(1);
      expect(await remaining(host)).toEqual([ids[0], ids[3]]);
      expect(await remaining(ancient)).toEqual(ancientIds);
      expect(await changeCount(host)).toBe(4);
      const old = await t.pool.query(`SELECT count(*)::int AS n FROM resource_sightings WHERE seen_at < $1`, [
        daysAgo(400),
      ]);
      expect(old.rows[0].n).toBe(0);
    });

    it('thins history exponentially: all of 7 days, one per day to a month, per week to 3 months, per month to a year, per quarter beyond', async () => {
      // Each pair sits an hour apart in the middle of its calendar bucket (UTC), so the
      // test does not depend on the time of day it runs at.
      const ages = [
        700,
        699, // beyond a year (the first stays anyway)
        ...pairIn(midQuarter(daysAgo(600))), // same quarter → one goes
        ...pairIn(midMonth(daysAgo(200))), // same month → one goes
        ...pairIn(midWeek(daysAgo(60))), // same week → one goes
        ...pairIn(noon(daysAgo(20))), // same day → one goes
        3,
        2.9,
        2.8,
        1,
        0.5, // the last 7 days: all stay
      ];
      const { host, ids } = await hostWithSnapshots('thinned', ages);
      const result = await t.app.get(RetentionService).pruneHistory();
      expect(result.snapshots_deleted).toBeGreaterThanOrEqual(4);
      const kept = await remaining(host);
      expect(kept[0]).toBe(ids[0]); // the first
      expect(kept.at(-1)).toBe(ids.at(-1)); // the latest
      for (const id of ids.slice(-5)) expect(kept).toContain(id);
      // Of each pair the newer survives.
      for (const [older, newer] of [
        [2, 3],
        [4, 5],
        [6, 7],
        [8, 9],
      ]) {
        expect(kept).not.toContain(ids[older]);
        expect(kept).toContain(ids[newer]);
      }
      expect(await changeCount(host)).toBe(ages.length);
      const detached = await t.pool.query(
        `SELECT count(*)::int AS n FROM resource_changes WHERE resource_id = $1 AND fact_snapshot_id IS NULL AND source = 'fact_snapshot'`,
        [host],
      );
      expect(detached.rows[0].n).toBe(ids.length - kept.length);
      // Running it again changes nothing.
      expect((await t.app.get(RetentionService).pruneHistory()).snapshots_deleted).toBe(0);
    });

    it('serves the reporting views over real and malformed facts', async () => {
      const system = await createSystem(t, org, 'view-host');
      expect((await http(`${t.api}/facts/`, { method: 'POST', json: facts, as: system.basic })).status).toBe(
        201,
      );
      const bad = await createSystem(t, org, 'malformed-host');
      const malformed = {
        system_facts: {
          hostname: 'malformed',
          processor_vcpus: 'many',
          memtotal_mb: { x: 1 },
          interfaces: 'eth0',
          eth0: 'x',
        },
        package_facts: { packages: '__omit_place_holder__abc' },
      };
      expect((await http(`${t.api}/facts/`, { method: 'POST', json: malformed, as: bad.basic })).status).toBe(
        201,
      );
      const weird = await createSystem(t, org, 'weird-host');
      const weirder = {
        system_facts: { interfaces: ['eth-1'], eth_1: { ipv4: 'nope', mtu: '1500' } },
        package_facts: { packages: { x: 'y' } },
      };
      expect((await http(`${t.api}/facts/`, { method: 'POST', json: weirder, as: weird.basic })).status).toBe(
        201,
      );

      const overview = await t.pool.query(
        `SELECT * FROM facts_host_overview WHERE organization_id = $1 ORDER BY name`,
        [org],
      );
      const debian = overview.rows.find((r) => r.name === facts.system_facts.hostname);
      expect(debian).toMatchObject({ distribution: 'Debian', virtualization_type: 'docker' });
      expect(Number(debian.processor_vcpus)).toBe(facts.system_facts.processor_vcpus);
      expect(overview.rows.find((r) => r.name === 'malformed')).toMatchObject({
        processor_vcpus: null,
        memtotal_mb: null,
      });
      const packages = await t.pool.query(
        `SELECT count(*)::int AS n FROM facts_package_inventory WHERE organization_id = $1`,
        [org],
      );
      expect(packages.rows[0].n).toBe(Object.keys(facts.package_facts.packages).length);
      const distributions = await t.pool.query(
        `SELECT distribution, hosts FROM facts_distribution_summary WHERE organization_id = $1 ORDER BY distribution`,
        [org],
      );
      expect(distributions.rows).toEqual(expect.arrayContaining([{ distribution: 'Debian', hosts: 1 }]));
      const network = await t.pool.query(`SELECT * FROM facts_host_network WHERE organization_id = $1`, [
        org,
      ]);
      expect(
        network.rows.find((r) => r.device === 'eth0' && r.host === facts.system_facts.hostname),
      ).toMatchObject({
        ipv4_address: facts.system_facts.eth0.ipv4.address,
      });
      expect(network.rows.find((r) => r.device === 'eth_1')).toMatchObject({ ipv4_address: null, mtu: null });
      await t.pool.query(
        `UPDATE resources SET last_seen_at = now() - interval '2 days' WHERE name = 'malformed' AND organization_id = $1`,
        [org],
      );
      const stale = await t.pool.query(
        `SELECT name, system_key FROM facts_stale_hosts WHERE organization_id = $1`,
        [org],
      );
      expect(stale.rows.map((r) => r.name)).toContain('malformed');
      expect(stale.rows.map((r) => r.name)).not.toContain(facts.system_facts.hostname);
    });

    it('runs each periodic job once per interval across replicas (lease row), never at start-up', async () => {
      const scheduler = t.app.get(JobScheduler);
      const jobs = await t.pool.query(`SELECT name FROM scheduled_jobs`);
      expect(jobs.rows).toEqual([]); // nothing ran at start-up
      let runs = 0;
      const job = {
        name: 'test-job',
        intervalMs: 3600_000,
        jitterMs: 0,
        run: async () => ({ runs: ++runs }),
      };
      const replica = await startTestApp({ DATABASE_URL: t.db.url });
      try {
        const other = replica.app.get(JobScheduler);
        const results = await Promise.all([
          scheduler.runIfLeased(job),
          other.runIfLeased(job),
          other.runIfLeased(job),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(runs).toBe(1);
        expect(await scheduler.runIfLeased(job)).toBe(false);
        await t.pool.query(
          `UPDATE scheduled_jobs SET next_run_at = now() - interval '1 second' WHERE name = 'test-job'`,
        );
        expect(await other.runIfLeased(job)).toBe(true);
        const row = await t.pool.query(`SELECT last_result FROM scheduled_jobs WHERE name = 'test-job'`);
        expect(row.rows[0].last_result).toEqual({ runs: 2 });
      } finally {
        await replica.app.close();
        await replica.pool.end();
      }
      expect(scheduler.jobs.map((j) => j.name)).toEqual([
        'heartbeat-check',
        'retention',
        'history-pruning',
        'push-rate-limit-pruning',
        'link-failed-check',
        'auth-throttle-pruning',
        'watchlist-evaluation',
      ]);
      expect(scheduler.jobs[0].intervalMs).toBe(60_000);
    });
  });

  it('keeps at most HISTORY_MAX_ENTRIES snapshots per host (plus the first)', async () => {
    t = await startTestApp({ HISTORY_MAX_ENTRIES: '3' });
    try {
      org = await createOrganization(t.pool, 'Capped Org');
      const { host, ids } = await hostWithSnapshots('capped', [6, 5, 4, 3, 2, 1]);
      const result = await t.app.get(RetentionService).pruneHistory();
      expect(result.snapshots_deleted).toBe(2);
      expect(await remaining(host)).toEqual([ids[0], ids[3], ids[4], ids[5]]);
    } finally {
      await t.close();
    }
  });
});
