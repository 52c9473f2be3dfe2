import { randomUUID } from 'node:crypto';
import { PluginsService } from '../../src/plugins/plugins.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait, ScriptedPlugin } from '../support/collection.js';
import { createOrganization } from '../support/factories.js';
import { createSystem } from '../support/facts.js';

/**
 * Moving a provider to another organization must leave nothing of it in the old one, in
 * any organization-scoped table. The tables are read from information_schema, so a table
 * added later with an organization_id column fails here until the move (and this test's
 * map of how its rows belong to a provider) covers it.
 */
describe('moving a provider to another organization', () => {
  let t: TestApp;
  const plugin = new ScriptedPlugin('movable');
  beforeAll(async () => {
    t = await startTestApp({ ALERT_HISTORY_TOKEN: 'move-test-token' });
    t.app.get(PluginsService).register(plugin);
  });
  afterAll(async () => {
    await t.close();
  });

  /** How the rows of each organization-scoped table belong to provider $1 (null: they never do). */
  const OWNERSHIP: Record<string, string | null> = {
    providers: `id = $1::uuid`,
    resources: `provider_id = $1::uuid`,
    activity_stream: `(object_type = 'provider' AND object_id = $1::uuid::text)
      OR (object_type = 'collection_run' AND object_id IN (SELECT id::text FROM collection_runs WHERE provider_id = $1::uuid))`,
    // Organizations' own objects, not the provider's.
    teams: null,
    webhooks: null,
    tags: null,
    watchlists: null,
    alert_rules: null,
  };
  const ownership = (table: string, columns: string[]): string | null => {
    if (table in OWNERSHIP) return OWNERSHIP[table];
    if (columns.includes('provider_id')) return `provider_id = $1::uuid`;
    if (columns.includes('resource_id'))
      return `resource_id IN (SELECT id FROM resources WHERE provider_id = $1::uuid)`;
    throw new Error(
      `${table} has an organization_id but this test does not know how its rows belong to a provider: ` +
        `make the organization move cover it, then add it here`,
    );
  };

  async function organizationTables(): Promise<{ table: string; columns: string[] }[]> {
    const { rows } = await t.pool.query<{ table: string; columns: string[] }>(
      `SELECT c.table_name AS table, array_agg(c.column_name::text) AS columns
       FROM information_schema.columns c
       JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
       WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
         AND c.table_name IN (SELECT table_name FROM information_schema.columns
                              WHERE table_schema = 'public' AND column_name = 'organization_id')
       GROUP BY c.table_name ORDER BY 1`,
    );
    return rows;
  }

  /** Rows of the provider per table in the organization. */
  async function rowsIn(providerId: string, organizationId: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const { table, columns } of await organizationTables()) {
      const belongs = ownership(table, columns);
      if (belongs === null) continue;
      const { rows } = await t.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE organization_id = $2 AND (${belongs})`,
        [providerId, organizationId],
      );
      counts[table] = rows[0].n;
    }
    return counts;
  }

  const move = async (providerId: string, organization: number) => {
    const res = await http(`${t.api}/providers/${providerId}/`, { method: 'PATCH', json: { organization } });
    expect(res.status).toBe(200);
  };

  it('moves every organization-scoped row of a collected provider and of a push provider', async () => {
    const from = await createOrganization(t.pool);
    const to = await createOrganization(t.pool);

    // A collected provider with resources, sightings, relationships, changes, runs and activity.
    const created = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: `movable-${randomUUID().slice(0, 6)}`,
        vendor: 'test',
        provider_type: 'movable',
        infrastructure: 'private_cloud',
        organization: from,
      },
    });
    expect(created.status).toBe(201);
    const collected = created.body.id as string;
    plugin.resources = [
      { ems_ref: 'vm-1', state: 'running' },
      { ems_ref: 'host-1', resource_type: 'hypervisor_host' },
    ];
    plugin.edges = [{ source: 'vm-1', target: 'host-1', type: 'runs_on' }];
    expect((await collectAndWait(t, collected)).status).toBe('completed');
    plugin.resources = [
      { ems_ref: 'vm-1', state: 'stopped' },
      { ems_ref: 'host-1', resource_type: 'hypervisor_host' },
    ];
    expect((await collectAndWait(t, collected)).status).toBe('completed');

    // The old organization's push provider: snapshots, changes, a system linked to its host.
    const system = await createSystem(t, from, `host-${randomUUID().slice(0, 6)}`);
    const uuid = randomUUID();
    const push = (kernel: string) =>
      http(`${t.api}/facts/`, {
        method: 'POST',
        headers: { authorization: system.basic },
        json: { system_facts: { hostname: 'web01', kernel, product_uuid: uuid } },
      });
    const first = await push('6.1.0-1');
    expect(first.status).toBe(201);
    const pushed = (
      await t.pool.query(`SELECT provider_id FROM resources WHERE id = $1`, [first.body.resource])
    ).rows[0].provider_id as string;
    expect((await push('6.1.0-2')).status).toBe(201);
    // An Alertmanager alert of that system (on its host).
    const notified = await http(`${t.api}/alert_history/`, {
      method: 'POST',
      anonymous: true,
      headers: { authorization: 'Bearer move-test-token' },
      json: {
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'DiskFull', system_key: system.system_key },
            startsAt: new Date().toISOString(),
            fingerprint: 'abc123',
          },
        ],
      },
    });
    expect(notified.status).toBe(204);

    // Automation records of the old organization: one matched to the pushed host (its BIOS
    // UUID), one proposed for the collected VM by name and rejected (a decision).
    const automation = await http(`${t.api}/automation-records/`, {
      method: 'POST',
      json: {
        organization: from,
        records: [
          {
            job_id: '1',
            started_at: new Date().toISOString(),
            status: 'ok',
            host_name: 'web01',
            identity: { bios_uuid: uuid },
          },
          { job_id: '1', started_at: new Date().toISOString(), status: 'ok', host_name: 'vm-1.example.com' },
        ],
      },
    });
    expect(automation.body.records.map((r: { match_status: string }) => r.match_status)).toEqual([
      'matched',
      'pending',
    ]);
    const proposals = await http(`${t.api}/pending-matches/?host_name=vm-1.example.com`);
    expect(
      (
        await http(`${t.api}/pending-matches/${proposals.body.results[0].id}/resolve/`, {
          method: 'POST',
          json: { action: 'reject' },
        })
      ).status,
    ).toBe(200);

    const before = { ...(await rowsIn(collected, from)) };
    for (const [table, n] of Object.entries(await rowsIn(pushed, from))) before[table] += n;
    // Every table that can hold a provider's rows holds some here, so the check below means something.
    for (const [table, n] of Object.entries(before)) expect([table, n > 0]).toEqual([table, true]);

    // A member of the old organization reads the provider's changes before the move, none after.
    const member = await t.createUser(`member-${randomUUID().slice(0, 6)}`);
    const role = await t.pool.query<{ id: number }>(
      `SELECT id FROM role_definitions WHERE name = 'Organization Admin'`,
    );
    await t.pool.query(
      `INSERT INTO role_assignments (role_definition_id, user_id, object_type, object_id) VALUES ($1, $2, 'organization', $3)`,
      [role.rows[0].id, member.id, String(from)],
    );
    const visible = async (path: string) => (await http(`${t.api}${path}`, { as: member.bearer })).body.count;
    expect(await visible(`/resource-changes/`)).toBeGreaterThan(0);

    await move(collected, to);
    await move(pushed, to);

    for (const providerId of [collected, pushed]) {
      const left = Object.entries(await rowsIn(providerId, from)).filter(([, n]) => n > 0);
      expect(left).toEqual([]);
    }
    for (const path of [
      '/resource-changes/',
      '/resources/',
      '/resource-sightings/',
      '/resource-relationships/',
    ])
      expect([path, await visible(path)]).toEqual([path, 0]);
    expect(await visible(`/activitystream/?object_id=${collected}`)).toBe(0);
    // Automation records stay in their organization, no longer matched to another one's resources.
    expect(
      (await http(`${t.api}/automation-records/?organization=${from}&host_name=web01`)).body.results[0],
    ).toMatchObject({
      organization: from,
      resource: null,
      match_status: 'unmatched',
    });
    // The system stays in its organization, no longer linked to a host of another one.
    expect((await http(`${t.api}/systems/${system.id}/`)).body).toMatchObject({
      organization: from,
      resource: null,
    });
  });
});
