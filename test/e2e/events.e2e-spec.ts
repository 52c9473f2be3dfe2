import { randomUUID } from 'node:crypto';
import { EventsService } from '../../src/events/events.service.js';
import { appendEvents } from '../../src/events/event-log.sql.js';
import { PluginsService } from '../../src/plugins/plugins.service.js';
import { RetentionService } from '../../src/retention/retention.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait, ScriptedPlugin } from '../support/collection.js';
import { appendCommittedEvents, createOrganization } from '../support/factories.js';
import { createSystem } from '../support/facts.js';

describe('the event log', () => {
  let t: TestApp;
  const plugin = new ScriptedPlugin('evented');
  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(PluginsService).register(plugin);
  });
  afterAll(async () => {
    await t.close();
  });

  const provider = async (organization: number) => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: `evented-${randomUUID().slice(0, 6)}`,
        vendor: 'test',
        provider_type: 'evented',
        infrastructure: 'private_cloud',
        organization,
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  /** Every event of the query, following `next`. */
  const readAll = async (query: string, as?: string) => {
    const events: any[] = [];
    let url: string | null = `${t.api}/events/?${query}`;
    while (url) {
      const res: any = await http(url, as ? { as } : {});
      expect(res.status).toBe(200);
      events.push(...res.body.results);
      url = res.body.next;
    }
    return events;
  };

  let org: number;
  let collected: string;

  it('records a collection: runs, resources created, changed, removed, restored, relationships', async () => {
    org = await createOrganization(t.pool);
    collected = await provider(org);
    plugin.resources = [
      { ems_ref: 'vm-1', state: 'running', memory_mb: 1024 },
      { ems_ref: 'vm-2', state: 'running' },
      { ems_ref: 'host-1', resource_type: 'hypervisor_host' },
    ];
    plugin.edges = [
      { source: 'vm-1', target: 'host-1', type: 'runs_on' },
      { source: 'vm-2', target: 'host-1', type: 'runs_on' },
    ];
    const first = await collectAndWait(t, collected);
    plugin.resources = [
      { ems_ref: 'vm-1', state: 'running', memory_mb: 2048 },
      { ems_ref: 'host-1', resource_type: 'hypervisor_host' },
    ];
    plugin.edges = [{ source: 'vm-1', target: 'host-1', type: 'runs_on' }];
    await collectAndWait(t, collected);
    plugin.resources.push({ ems_ref: 'vm-2', state: 'running' });
    plugin.edges.push({ source: 'vm-2', target: 'host-1', type: 'runs_on' }); // reopened
    await collectAndWait(t, collected);

    const events = await readAll(`provider=${collected}&limit=3`);
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 1)).toEqual(['collection_run.started']);
    expect(types.filter((x) => x === 'resource.created')).toHaveLength(3);
    expect(types.filter((x) => x === 'collection_run.completed')).toHaveLength(3);
    expect(types.filter((x) => x === 'relationship.added')).toHaveLength(3); // two, then vm-2's reopened
    expect(types.filter((x) => x === 'relationship.closed')).toHaveLength(1);
    expect(types.filter((x) => x === 'resource.removed')).toHaveLength(1);
    expect(types.filter((x) => x === 'resource.restored')).toHaveLength(1);
    const completed = events.find((e) => e.type === 'collection_run.completed');
    expect(completed.payload).toMatchObject({
      collection_run: first.id,
      collection_type: 'full',
      status: 'completed',
      counters: { found: 3, created: 3, updated: 0, unchanged: 0, removed: 0, rejected: 0 },
    });
    const changed = events.find(
      (e) =>
        e.type === 'resource.changed' && e.payload.changes.some((c: any) => c.field_path === 'memory_mb'),
    );
    expect(changed).toMatchObject({ organization: org, provider: collected, severity: 'medium' });
    expect(changed.payload.changes).toEqual([
      {
        field_path: 'memory_mb',
        change_type: 'modified',
        category: 'hardware',
        severity: 'medium',
        previous: 1024,
        current: 2048,
      },
    ]);
    const removed = events.find((e) => e.type === 'resource.removed');
    expect(removed.payload).toMatchObject({ ems_ref: 'vm-2', name: 'vm-2', source: 'collection_run' });

    // Filters: a type prefix, several types, a resource, a minimum severity.
    const resources = await readAll(`provider=${collected}&type=resource.*`);
    expect(resources.every((e) => e.type.startsWith('resource.'))).toBe(true);
    expect(resources).toHaveLength(types.filter((x) => x.startsWith('resource.')).length);
    const runs = await readAll(
      `provider=${collected}&type=collection_run.started&type=collection_run.completed`,
    );
    expect(runs).toHaveLength(6);
    const vm1 = await readAll(`resource=${changed.resource}`);
    expect(vm1.map((e) => e.type)).toEqual(['resource.created', 'relationship.added', 'resource.changed']);
    const medium = await readAll(`provider=${collected}&severity_min=medium`);
    expect(medium.length).toBeGreaterThan(0);
    expect(medium.every((e) => ['medium', 'high', 'critical'].includes(e.severity))).toBe(true);
    expect(await readAll(`provider=${collected}&severity_min=critical`)).toEqual([]);
  });

  it('pages by keyset: next carries the cursor, limit defaults to 100 and is at most 1000', async () => {
    const page = await http(`${t.api}/events/?provider=${collected}&limit=2`);
    expect(page.body.results).toHaveLength(2);
    const next = new URL(page.body.next);
    expect(next.searchParams.get('after')).toBe(String(page.body.results[1].id));
    expect(next.searchParams.get('limit')).toBe('2');
    expect(next.searchParams.get('page')).toBeNull();
    const after = await http(
      `${t.api}/events/?provider=${collected}&after=${page.body.results[1].id}&limit=1`,
    );
    expect(after.body.results[0].id).toBeGreaterThan(page.body.results[1].id);
    const all = await http(`${t.api}/events/?provider=${collected}`);
    expect(all.body.results.length).toBeLessThanOrEqual(100);
    expect(all.body.next).toBeNull();
    expect(all.body.cursor).toBeGreaterThanOrEqual(all.body.results.at(-1).id);
    for (const bad of [
      'limit=0',
      'limit=1001',
      'limit=x',
      'after=-1',
      'after=abc',
      'type=nope',
      'type=nope.*',
      'severity_min=info',
      'provider=1',
      'organization=x',
      'page=2',
      'ordering=id',
    ]) {
      const res = await http(`${t.api}/events/?${bad}`);
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(res.body.detail).toBeTruthy();
    }
    expect((await http(`${t.api}/events/?limit=1000`)).status).toBe(200);
  });

  it('records pushes, systems and heartbeats', async () => {
    const system = await createSystem(t, org, `host-${randomUUID().slice(0, 6)}`);
    const uuid = randomUUID();
    const push = (kernel: string) =>
      http(`${t.api}/facts/`, {
        method: 'POST',
        headers: { authorization: system.basic },
        json: { system_facts: { hostname: 'web01', kernel, product_uuid: uuid } },
      });
    const first = await push('6.1.0-1');
    await push('6.1.0-2');
    const events = await readAll(
      `organization=${org}&type=system.*&type=facts.changed&type=resource.*&after=0`,
    );
    const mine = events.filter((e) => e.system === system.id || e.resource === first.body.resource);
    expect(mine.map((e) => e.type)).toEqual([
      'system.enrolled',
      'resource.created',
      'facts.changed',
      'system.status_changed',
      'facts.changed',
      'resource.changed',
    ]);
    expect(mine[3].payload).toEqual({ from: 'unknown', to: 'active', resource: first.body.resource });
    expect(mine[4].payload).toMatchObject({ first: false, changes: { medium: 1 }, changes_total: 1 });
    expect(mine[5].payload.changes).toEqual([
      expect.objectContaining({
        field_path: 'kernel',
        previous: '6.1.0-1',
        current: '6.1.0-2',
        category: 'os',
      }),
    ]);
  });

  it('scopes events like the objects they describe', async () => {
    const other = await createOrganization(t.pool);
    const otherProvider = await provider(other);
    plugin.resources = [{ ems_ref: 'elsewhere' }];
    plugin.edges = [];
    await collectAndWait(t, otherProvider);
    const user = await t.createUser(`viewer-${randomUUID().slice(0, 6)}`);
    const grant = async (role: string, objectType: string, objectId: string) => {
      const { rows } = await t.pool.query<{ id: number }>(`SELECT id FROM role_definitions WHERE name = $1`, [
        role,
      ]);
      await t.pool.query(
        `INSERT INTO role_assignments (role_definition_id, user_id, object_type, object_id) VALUES ($1, $2, $3, $4)`,
        [rows[0].id, user.id, objectType, objectId],
      );
    };
    expect(await readAll('', user.bearer)).toEqual([]);
    const { rows: roles } = await t.pool.query<{ name: string; permissions: string[] }>(
      `SELECT name, permissions FROM role_definitions`,
    );
    const viewer = roles.find(
      (r) => r.permissions.includes('provider.view') && !r.permissions.includes('system.view'),
    );
    expect(viewer).toBeDefined();
    await grant(viewer!.name, 'provider', collected);
    const seen = await readAll('', user.bearer);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((e) => e.provider === collected)).toBe(true);
    // The organization's system events need system.view there.
    const systemViewer = roles.find((r) => r.permissions.includes('system.view'))!;
    await grant(systemViewer.name, 'organization', String(org));
    const withSystems = await readAll('type=system.*', user.bearer);
    expect(withSystems.length).toBeGreaterThan(0);
    expect(withSystems.every((e) => e.organization === org)).toBe(true);
    expect((await readAll(`provider=${otherProvider}`, user.bearer)).length).toBe(0);
    expect((await readAll(`provider=${otherProvider}`)).length).toBeGreaterThan(0);
  });

  it('never skips an event whose transaction commits after a later one (out-of-order commits)', async () => {
    const events = t.app.get(EventsService);
    const start = (await events.readAfter(0, {}, 1000)).cursor;
    const slow = await t.pool.connect();
    const fast = await t.pool.connect();
    try {
      const event = (n: string) => ({
        type: 'system.enrolled' as const,
        organizationId: org,
        payload: { name: n, system_key: n },
      });
      await slow.query('BEGIN');
      await appendEvents(slow, [event('slow')]); // takes the lower id
      await fast.query('BEGIN');
      await appendEvents(fast, [event('fast')]);
      await fast.query('COMMIT');
      // The later id is committed and visible while the earlier one is still in flight:
      // a reader that handed out "everything visible" would move its cursor past it.
      const visible = await t.pool.query(
        `SELECT id, payload->>'name' AS name FROM events WHERE id > $1 ORDER BY id`,
        [start],
      );
      expect(visible.rows.map((r) => r.name)).toEqual(['fast']);
      let read: Awaited<ReturnType<EventsService['readAfter']>> | null = null;
      const reading = events.readAfter(start, {}, 1000).then((page) => (read = page));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(read).toBeNull(); // the horizon waits for the writer in flight
      await slow.query('COMMIT');
      await reading;
      expect(read!.events.map((e) => e.payload.name)).toEqual(['slow', 'fast']);
      expect(read!.events[0].id).toBeLessThan(read!.events[1].id);
      expect(read!.cursor).toBe(read!.events[1].id);
      // A rolled-back writer leaves a gap that nobody waits for.
      await slow.query('BEGIN');
      await appendEvents(slow, [event('rolled back')]);
      await slow.query('ROLLBACK');
      await appendCommittedEvents(t.pool, [event('after the gap')]);
      const after = await events.readAfter(read!.cursor, {}, 1000);
      expect(after.events.map((e) => e.payload.name)).toEqual(['after the gap']);
    } finally {
      slow.release();
      fast.release();
    }
  });

  it('deletes events older than EVENTS_RETENTION_DAYS in the retention job', async () => {
    await t.pool.query(
      `INSERT INTO events (occurred_at, organization_id, type, payload) VALUES (now() - interval '31 days', $1, 'system.enrolled', '{}')`,
      [org],
    );
    const before = await t.pool.query(
      `SELECT count(*)::int AS n FROM events WHERE occurred_at < now() - interval '30 days'`,
    );
    expect(before.rows[0].n).toBe(1);
    const result = await t.app.get(RetentionService).purgeExpired();
    expect(result.events_deleted).toBe(1);
    const after = await t.pool.query(
      `SELECT count(*)::int AS n FROM events WHERE occurred_at < now() - interval '30 days'`,
    );
    expect(after.rows[0].n).toBe(0);
    expect((await t.pool.query(`SELECT count(*)::int AS n FROM events`)).rows[0].n).toBeGreaterThan(10);
  });
});
