import { randomUUID } from 'node:crypto';
import { CollectionWorker } from '../../src/collection/collection-worker.js';
import { PluginsService } from '../../src/plugins/plugins.service.js';
import { http, startTestApp, type TestApp, useCredentials } from '../support/app.js';
import { collectAndWait, createLabProvider, ScriptedPlugin, waitForRun } from '../support/collection.js';

describe('collection runs', () => {
  let t: TestApp;
  const scripted = new ScriptedPlugin('scripted');
  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(PluginsService).register(scripted);
  });
  afterAll(async () => {
    await t.close();
  });

  const scriptedProvider = async (name = `scripted-${randomUUID().slice(0, 6)}`) => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name,
        vendor: 'test',
        provider_type: 'scripted',
        infrastructure: 'private_cloud',
        organization: 1,
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const vm = (ref: string, extra: Record<string, unknown> = {}) => ({
    ems_ref: ref,
    name: ref,
    state: 'running' as const,
    memory_mb: 4096,
    cpu_count: 2,
    ...extra,
  });

  it('collects the lab through the queue: 202, pending → running → completed with counters', async () => {
    const provider = await createLabProvider(t, 'Lab A');
    const started = await http(`${t.api}/providers/${provider}/collect/`, { method: 'POST' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      status: 'pending',
      collection_type: 'full',
      triggered_by: 'user',
      triggered_by_user: t.admin.id,
    });
    expect(started.body.task_id).toBeTruthy();
    const run = await waitForRun(t, started.body.id);
    expect(run).toMatchObject({
      status: 'completed',
      resources_found: 27,
      resources_created: 27,
      resources_removed: 0,
      error_message: '',
    });
    expect(run.duration_seconds).toBeGreaterThan(0);
    expect(run.started_at <= run.completed_at).toBe(true);
    expect((await http(`${t.api}/resources/?provider=${provider}`)).body.count).toBe(27);
    expect((await http(`${t.api}/resource-relationships/?provider=${provider}`)).body.count).toBe(49);
    const second = await collectAndWait(t, provider);
    expect(second).toMatchObject({
      status: 'completed',
      resources_found: 27,
      resources_created: 0,
      resources_unchanged: 27,
    });
    const vms = await http(
      `${t.api}/resources/?provider=${provider}&resource_type=virtual_machine&page_size=100`,
    );
    expect(vms.body.count).toBe(14);
    expect(vms.body.results.every((r: any) => r.seen_count === 2)).toBe(true);
    expect((await http(`${t.api}/resource-sightings/?provider=${provider}`)).body.count).toBe(54);
    const detail = await http(`${t.api}/providers/${provider}/`);
    expect(detail.body.last_collection_at).not.toBeNull();
  });

  it('lets exactly one of 8 simultaneous collect calls start a run', async () => {
    const provider = await createLabProvider(t, 'Lab race');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => http(`${t.api}/providers/${provider}/collect/`, { method: 'POST' })),
    );
    const accepted = answers.filter((a) => a.status === 202);
    const conflicts = answers.filter((a) => a.status === 409);
    expect(accepted).toHaveLength(1);
    expect(conflicts).toHaveLength(7);
    for (const c of conflicts)
      expect(c.body).toEqual({ detail: expect.any(String), collection_run: accepted[0].body.id });
    await waitForRun(t, accepted[0].body.id);
  });

  it('answers 404, 409 (disabled), 409 (active) and 400 in that order', async () => {
    expect((await http(`${t.api}/providers/${randomUUID()}/collect/`, { method: 'POST' })).status).toBe(404);
    const provider = await createLabProvider(t, 'Lab checks');
    await http(`${t.api}/providers/${provider}/`, { method: 'PATCH', json: { enabled: false } });
    const disabled = await http(`${t.api}/providers/${provider}/collect/`, {
      method: 'POST',
      json: { collection_type: 'bogus' },
    });
    expect(disabled.status).toBe(409);
    expect(Object.keys(disabled.body)).toEqual(['detail']);
    await http(`${t.api}/providers/${provider}/`, { method: 'PATCH', json: { enabled: true } });
    for (const [body, field] of [
      [{ collection_type: 'weekly' }, 'collection_type'],
      [{ collection_type: 'targeted' }, 'target_resource_types'],
      [{ target_resource_types: ['flux_capacitor'] }, 'target_resource_types'],
      [{ target_resource_types: 'virtual_machine' }, 'target_resource_types'],
      [{ surprise: 1 }, 'surprise'],
      [[1, 2], 'body'],
    ] as [unknown, string][]) {
      const res = await http(`${t.api}/providers/${provider}/collect/`, { method: 'POST', json: body });
      expect({ field, status: res.status, named: Object.keys(res.body.errors ?? {}) }).toEqual({
        field,
        status: 400,
        named: [field],
      });
    }
    expect((await http(`${t.api}/collection-runs/?provider=${provider}`)).body.count).toBe(0);
  });

  it('refuses to collect (409) or schedule (400) the push provider and a provider whose plugin is not installed', async () => {
    // The organization's push provider is created by its first push.
    const pushed = await http(`${t.api}/facts/?organization=1`, {
      method: 'POST',
      json: { system_facts: { hostname: 'push-only-host' } },
    });
    expect(pushed.status).toBe(201);
    const push = (await http(`${t.api}/providers/?organization=1&vendor=ansible&provider_type=facts`)).body
      .results[0].id as string;
    const collect = await http(`${t.api}/providers/${push}/collect/`, { method: 'POST' });
    expect(collect.status).toBe(409);
    expect(collect.body.detail).toMatch(/push provider: pushes fill it/);
    const scheduled = await http(`${t.api}/providers/${push}/`, {
      method: 'PATCH',
      json: { schedule: 3600 },
    });
    expect(scheduled.status).toBe(400);
    expect(scheduled.body.errors.schedule[0]).toMatch(/push provider/);
    expect((await http(`${t.api}/providers/${push}/`)).body.schedule).toBeNull();

    // A provider whose plugin went away (a plugin folder removed): the same, naming the plugin.
    const [gone] = (
      await t.pool.query<{ id: string }>(
        `INSERT INTO providers (name, organization_id, vendor, provider_type, infrastructure, enabled)
         VALUES ('Plugin removed', 1, 'removed', 'plugin', 'private_cloud', true) RETURNING id`,
      )
    ).rows;
    const refused = await http(`${t.api}/providers/${gone.id}/collect/`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe('No plugin "removed:plugin" is installed; see /provider-plugins/.');
    const unscheduled = await http(`${t.api}/providers/${gone.id}/`, {
      method: 'PATCH',
      json: { schedule: '*/30 * * * *' },
    });
    expect(unscheduled.status).toBe(400);
    expect(Object.keys(unscheduled.body.errors)).toEqual(['schedule']);
    // Other fields stay editable, and a schedule can always be cleared.
    expect(
      (
        await http(`${t.api}/providers/${gone.id}/`, {
          method: 'PATCH',
          json: { description: 'x', schedule: null },
        })
      ).status,
    ).toBe(200);
    const runs = await t.pool.query(`SELECT 1 FROM collection_runs WHERE provider_id = ANY($1)`, [
      [push, gone.id],
    ]);
    expect(runs.rowCount).toBe(0);
  });

  it('runs a targeted collection of some resource types, and never removes anything with it', async () => {
    const provider = await createLabProvider(t, 'Lab targeted');
    await collectAndWait(t, provider);
    const run = await collectAndWait(t, provider, { target_resource_types: ['hypervisor_host'] });
    expect(run).toMatchObject({
      status: 'completed',
      collection_type: 'targeted',
      target_resource_types: ['hypervisor_host'],
      resources_found: 4,
      resources_removed: 0,
    });
    expect((await http(`${t.api}/resources/?provider=${provider}&removed=true`)).body.count).toBe(0);
  });

  it('marks resources removed only after a successful full run, and restores them when seen again', async () => {
    const provider = await scriptedProvider();
    scripted.failAfter = null;
    scripted.resources = [vm('a'), vm('b'), vm('c')];
    expect(await collectAndWait(t, provider)).toMatchObject({ status: 'completed', resources_created: 3 });

    scripted.resources = [vm('a'), vm('b')];
    scripted.failAfter = 1;
    const failed = await collectAndWait(t, provider);
    expect(failed).toMatchObject({ status: 'failed', resources_removed: 0 });
    expect(failed.error_message).toContain('scripted failure');
    expect(failed.error_message).not.toMatch(/\bat\b.*\.ts:\d+/); // no stack trace in the API
    expect((await http(`${t.api}/resources/?provider=${provider}&removed=true`)).body.count).toBe(0);

    scripted.failAfter = null;
    const full = await collectAndWait(t, provider);
    expect(full).toMatchObject({ status: 'completed', resources_found: 2, resources_removed: 1 });
    const removed = await http(`${t.api}/resources/?provider=${provider}&removed=true`);
    expect(removed.body.results.map((r: any) => r.ems_ref)).toEqual(['c']);
    const removal = await t.pool.query(
      `SELECT change_type, category FROM resource_changes WHERE resource_id = $1`,
      [removed.body.results[0].id],
    );
    expect(removal.rows).toEqual([{ change_type: 'removed', category: 'availability' }]);

    scripted.resources = [vm('a'), vm('b'), vm('c')];
    expect(await collectAndWait(t, provider)).toMatchObject({
      status: 'completed',
      resources_updated: 1,
      resources_unchanged: 2,
    });
    const restored = await t.pool.query(
      `SELECT change_type FROM resource_changes WHERE resource_id = $1 ORDER BY created`,
      [removed.body.results[0].id],
    );
    expect(restored.rows.map((r) => r.change_type)).toEqual(['removed', 'restored']);
    expect((await http(`${t.api}/resources/?provider=${provider}&removed=true`)).body.count).toBe(0);
  });

  it('records a change row per tracked field that changed', async () => {
    const provider = await scriptedProvider();
    scripted.resources = [vm('x', { properties: { tools: 'ok', gone: 1 } })];
    await collectAndWait(t, provider);
    scripted.resources = [
      vm('x', {
        memory_mb: 8192,
        state: 'stopped',
        power_state: 'off',
        ip_addresses: ['10.0.0.5'],
        properties: { tools: 'old', added: true },
      }),
    ];
    const run = await collectAndWait(t, provider);
    expect(run).toMatchObject({ resources_updated: 1 });
    const changes = await t.pool.query(
      `SELECT field_path, change_type, previous_value, current_value, category, severity FROM resource_changes WHERE collection_run_id = $1 ORDER BY field_path`,
      [run.id],
    );
    expect(changes.rows).toEqual([
      {
        field_path: 'ip_addresses',
        change_type: 'modified',
        previous_value: [],
        current_value: ['10.0.0.5'],
        category: 'network',
        severity: 'low',
      },
      {
        field_path: 'memory_mb',
        change_type: 'modified',
        previous_value: 4096,
        current_value: 8192,
        category: 'hardware',
        severity: 'medium',
      },
      {
        field_path: 'power_state',
        change_type: 'added',
        previous_value: null,
        current_value: 'poweredOff',
        category: 'state',
        severity: 'medium',
      },
      {
        field_path: 'properties.added',
        change_type: 'added',
        previous_value: null,
        current_value: true,
        category: 'configuration',
        severity: 'info',
      },
      {
        field_path: 'properties.gone',
        change_type: 'removed',
        previous_value: 1,
        current_value: null,
        category: 'configuration',
        severity: 'info',
      },
      {
        field_path: 'properties.tools',
        change_type: 'modified',
        previous_value: 'ok',
        current_value: 'old',
        category: 'configuration',
        severity: 'info',
      },
      {
        field_path: 'state',
        change_type: 'modified',
        previous_value: 'running',
        current_value: 'stopped',
        category: 'state',
        severity: 'medium',
      },
    ]);
  });

  it('rejects records of unknown types without failing the run, and reports them', async () => {
    const provider = await scriptedProvider();
    scripted.resources = [
      vm('ok'),
      vm('weird', { resource_type: 'flux_capacitor' }),
      vm('bad-state', { state: 'exploded' }),
    ];
    scripted.edges = [{ source: 'ok', target: 'nowhere', type: 'runs_on' }];
    const run = await collectAndWait(t, provider);
    scripted.edges = [];
    expect(run).toMatchObject({ status: 'completed', resources_found: 1, resources_rejected: 3 });
    expect(run.warnings.join('\n')).toMatch(/flux_capacitor[\s\S]*exploded[\s\S]*did not report/);
  });

  it('cancels a pending run at once and a running run at its next batch; 409 once it ended', async () => {
    const provider = await scriptedProvider();
    scripted.resources = Array.from({ length: 2500 }, (_, i) => vm(`bulk-${i}`));
    scripted.delayMs = 0;
    // Slow down after the first batch so the cancel lands while running.
    const original = scripted.collect.bind(scripted);
    scripted.collect = async function* (ctx) {
      let n = 0;
      for await (const record of original(ctx)) {
        yield record;
        if (++n >= 1000) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    try {
      const started = await http(`${t.api}/providers/${provider}/collect/`, { method: 'POST' });
      for (
        let i = 0;
        i < 100 && (await http(`${t.api}/collection-runs/${started.body.id}/`)).body.status !== 'running';
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const cancel = await http(`${t.api}/collection-runs/${started.body.id}/cancel/`, { method: 'POST' });
      expect(cancel.status).toBe(200);
      expect(cancel.body.cancel_requested_at).not.toBeNull();
      const run = await waitForRun(t, started.body.id);
      expect(run.status).toBe('canceled');
      expect(run.resources_removed).toBe(0);
      expect(run.resources_found).toBeLessThan(2500);
      expect(
        (await http(`${t.api}/collection-runs/${started.body.id}/cancel/`, { method: 'POST' })).status,
      ).toBe(409);
    } finally {
      scripted.collect = original;
    }
    // A pending run (no worker picks it up in between: the row is made pending by hand).
    const [pending] = (
      await t.pool.query(
        `INSERT INTO collection_runs (provider_id, status) VALUES ($1, 'pending') RETURNING id`,
        [provider],
      )
    ).rows;
    const canceled = await http(`${t.api}/collection-runs/${pending.id}/cancel/`, { method: 'POST' });
    expect(canceled.body).toMatchObject({ status: 'canceled' });
    expect((await http(`${t.api}/collection-runs/${randomUUID()}/cancel/`, { method: 'POST' })).status).toBe(
      404,
    );
  });

  it('fails a run whose worker stopped renewing its lease', async () => {
    const provider = await scriptedProvider();
    const [run] = (
      await t.pool.query(
        `INSERT INTO collection_runs (provider_id, status, started_at, lease_expires_at) VALUES ($1, 'running', now() - interval '10 minutes', now() - interval '1 minute') RETURNING id`,
        [provider],
      )
    ).rows;
    expect(await t.app.get(CollectionWorker).expireLeases()).toBeGreaterThanOrEqual(1);
    const after = await http(`${t.api}/collection-runs/${run.id}/`);
    expect(after.body.status).toBe('failed');
    expect(after.body.error_message).toMatch(/stopped responding \(its lease expired/);
    // The provider can collect again.
    expect((await http(`${t.api}/providers/${provider}/collect/`, { method: 'POST' })).status).toBe(202);
  });

  it('ends a run against an unreachable vCenter failed, with a useful message', async () => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: 'Unreachable vCenter',
        vendor: 'vmware',
        provider_type: 'vcenter',
        infrastructure: 'private_cloud',
        organization: 1,
        endpoint: 'https://127.0.0.1:1',
        connection_config: { username: 'administrator@vsphere.local', password: 'not-logged-anywhere' },
      },
    });
    const run = await collectAndWait(t, res.body.id);
    expect(run.status).toBe('failed');
    expect(run.error_message).toBe('Cannot reach vCenter at 127.0.0.1:1: connection refused.');
    expect(JSON.stringify(run)).not.toContain('not-logged-anywhere');
  });
});

describe('schedules', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ SCHEDULE_CHECK_SECONDS: '3600' });
    // A second worker process on the same database.
    b = await startTestApp({ DATABASE_URL: a.db.url, SCHEDULE_CHECK_SECONDS: '3600' });
    useCredentials(a.admin.bearer);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('computes the next time from an interval or a cron expression', async () => {
    const interval = await http(`${a.api}/providers/`, {
      method: 'POST',
      json: {
        name: 'every hour',
        vendor: 'vmware',
        provider_type: 'vcenter-lab',
        infrastructure: 'private_cloud',
        organization: 1,
        schedule: '3600',
      },
    });
    const next = new Date(interval.body.next_collection_at).getTime();
    expect(Math.abs(next - (Date.now() + 3600_000))).toBeLessThan(60_000);
    const cron = await http(`${a.api}/providers/${interval.body.id}/`, {
      method: 'PATCH',
      json: { schedule: '0 3 * * *' },
    });
    expect(new Date(cron.body.next_collection_at).getUTCHours()).toBe(3);
    const off = await http(`${a.api}/providers/${interval.body.id}/`, {
      method: 'PATCH',
      json: { schedule: null },
    });
    expect(off.body).toMatchObject({ schedule: null, next_collection_at: null });
  });

  it('enqueues each due run once with two workers, and skips a provider whose run is active', async () => {
    const provider = await createLabProvider(a, 'Scheduled lab');
    await http(`${a.api}/providers/${provider}/`, { method: 'PATCH', json: { schedule: '60' } });
    await a.pool.query(
      `UPDATE providers SET next_collection_at = now() - interval '1 second' WHERE id = $1`,
      [provider],
    );
    const [ta, tb] = await Promise.all([
      a.app.get(CollectionWorker).startDueRuns(),
      b.app.get(CollectionWorker).startDueRuns(),
    ]);
    expect([...ta, ...tb]).toHaveLength(1);
    const runs = await http(`${a.api}/collection-runs/?provider=${provider}`);
    expect(runs.body.results.map((r: any) => r.triggered_by)).toEqual(['schedule']);
    const detail = await http(`${a.api}/providers/${provider}/`);
    expect(new Date(detail.body.next_collection_at).getTime()).toBeGreaterThan(Date.now() + 30_000);

    await waitForRun(a, runs.body.results[0].id);
    // Due again while a run is still pending: the slot is skipped, not doubled.
    await a.pool.query(`INSERT INTO collection_runs (provider_id, status) VALUES ($1, 'pending')`, [
      provider,
    ]);
    await a.pool.query(
      `UPDATE providers SET next_collection_at = now() - interval '1 second' WHERE id = $1`,
      [provider],
    );
    expect(await a.app.get(CollectionWorker).startDueRuns()).toEqual([]);
    await a.pool.query(
      `UPDATE collection_runs SET status = 'canceled' WHERE provider_id = $1 AND status = 'pending'`,
      [provider],
    );
  });
});
