import { DataSource } from 'typeorm';
import { prepareResource, TypeResolver } from '../../src/collection/record-preparer.js';
import {
  pinBatchPlan,
  type PreparedResource,
  RESOURCE_BATCH_STATEMENT,
  writeResourceBatch,
} from '../../src/inventory-writer/resource-batch.sql.js';
import { ChangeRecorder } from '../../src/changes/change-recorder.js';
import { EVENT_LOG } from '../../src/events/event-log.sql.js';
import { PluginsService } from '../../src/plugins/plugins.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait, createScriptedProvider, ScriptedPlugin } from '../support/collection.js';

/**
 * The write path keeps no database foreign keys on sightings, edges and tracking rows
 * (migrations/1764800000000-collection-write-path.ts): these tests hold it to the same
 * guarantees, and check that a full run compares edges instead of rewriting them.
 */
describe('collection write path', () => {
  let t: TestApp;
  let db: DataSource;
  const scripted = new ScriptedPlugin('write-path');
  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(PluginsService).register(scripted);
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    scripted.failAfter = null;
    scripted.resources = ['a', 'b', 'c'].map((ref) => ({
      ems_ref: ref,
      name: ref,
      state: 'running' as const,
    }));
    scripted.edges = [];
  });

  const createProvider = () => createScriptedProvider(t, 'write-path');
  const edgesOf = async (provider: string) => {
    const res = await http(`${t.api}/resource-relationships/?provider=${provider}&page_size=100`);
    expect(res.status).toBe(200);
    const edges = res.body.results as {
      id: string;
      source_name: string;
      target_name: string;
      last_seen_at: string;
      removed_at: string | null;
    }[];
    return edges.sort((x, y) => x.source_name.localeCompare(y.source_name));
  };
  const storedLastSeen = async (id: string) =>
    (
      await t.pool.query<{ last_seen_at: Date }>(
        `SELECT last_seen_at FROM resource_relationships WHERE id = $1`,
        [id],
      )
    ).rows[0].last_seen_at.toISOString();
  const orphans = async () =>
    (
      await t.pool.query<{ n: number }>(
        `SELECT ((SELECT count(*) FROM resource_sightings s WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.id = s.resource_id))
               + (SELECT count(*) FROM resource_tracking rt WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.id = rt.resource_id))
               + (SELECT count(*) FROM resource_relationships rel
                  WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.id = rel.source_id)
                     OR NOT EXISTS (SELECT 1 FROM resources r WHERE r.id = rel.target_id)))::int AS n`,
      )
    ).rows[0].n;

  it('does not rewrite the edges an unchanged full run sees again, yet shows them seen by it', async () => {
    const provider = await createProvider();
    scripted.edges = [
      { source: 'a', target: 'b', type: 'runs_on' },
      { source: 'b', target: 'c', type: 'part_of' },
    ];
    const first = await collectAndWait(t, provider);
    expect(first.status).toBe('completed');
    const [ab, bc] = await edgesOf(provider);
    const storedAb = await storedLastSeen(ab.id);

    // Same edges: nothing is written to them, the provider's stamp moves instead.
    const second = await collectAndWait(t, provider);
    expect(second).toMatchObject({ status: 'completed', resources_unchanged: 3 });
    expect(await storedLastSeen(ab.id)).toBe(storedAb);
    const afterSecond = await edgesOf(provider);
    expect(afterSecond.map((e) => e.removed_at)).toEqual([null, null]);
    for (const edge of afterSecond) {
      expect(edge.last_seen_at > ab.last_seen_at).toBe(true);
      expect(edge.last_seen_at >= second.started_at).toBe(true);
    }
    const seenLately = await http(
      `${t.api}/resource-relationships/?provider=${provider}&last_seen_after=${encodeURIComponent(second.started_at)}`,
    );
    expect(seenLately.body.count).toBe(2);

    // b → c is gone: closed, and its last_seen_at stays the second run's.
    scripted.edges = [{ source: 'a', target: 'b', type: 'runs_on' }];
    const third = await collectAndWait(t, provider);
    expect(third.status).toBe('completed');
    const afterThird = await edgesOf(provider);
    expect(afterThird.map((e) => [e.source_name, e.removed_at !== null])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(afterThird[1].last_seen_at).toBe(afterSecond[1].last_seen_at);
    expect(afterThird[0].last_seen_at >= third.started_at).toBe(true);
    expect(
      (await http(`${t.api}/resource-relationships/?provider=${provider}&removed=false`)).body.count,
    ).toBe(1);

    // A failed run neither closes edges nor moves the stamp.
    scripted.edges = [];
    scripted.failAfter = 2;
    expect((await collectAndWait(t, provider)).status).toBe('failed');
    const afterFailure = await edgesOf(provider);
    expect(afterFailure[0]).toMatchObject({ removed_at: null, last_seen_at: afterThird[0].last_seen_at });

    // Seen again: reopened, with the same id and first_seen_at.
    scripted.failAfter = null;
    scripted.edges = [
      { source: 'a', target: 'b', type: 'runs_on' },
      { source: 'b', target: 'c', type: 'part_of' },
    ];
    const fifth = await collectAndWait(t, provider);
    const reopened = await edgesOf(provider);
    expect(reopened.map((e) => e.id)).toEqual([ab.id, bc.id]);
    expect(reopened.every((e) => e.removed_at === null && e.last_seen_at >= fifth.started_at)).toBe(true);
    expect(await orphans()).toBe(0);
  });

  it('bumps the edges a targeted run sees and closes none', async () => {
    const provider = await createProvider();
    scripted.resources = [
      { ems_ref: 'vm', name: 'vm', state: 'running', resource_type: 'virtual_machine' },
      { ems_ref: 'host', name: 'host', state: 'running', resource_type: 'hypervisor_host' },
    ];
    scripted.edges = [{ source: 'vm', target: 'host', type: 'runs_on' }];
    await collectAndWait(t, provider);
    const [edge] = await edgesOf(provider);
    scripted.edges = [];
    const targeted = await collectAndWait(t, provider, { target_resource_types: ['hypervisor_host'] });
    expect(targeted).toMatchObject({ status: 'completed', resources_found: 1, resources_removed: 0 });
    expect((await edgesOf(provider))[0]).toMatchObject({ id: edge.id, removed_at: null });

    scripted.edges = [{ source: 'vm', target: 'host', type: 'runs_on' }];
    const again = await collectAndWait(t, provider, { target_resource_types: ['virtual_machine'] });
    expect((await storedLastSeen(edge.id)) >= again.started_at).toBe(true);
  });

  it('removes sightings, edges and tracking rows with their resources, their provider or their run', async () => {
    const provider = await createProvider();
    scripted.edges = [
      { source: 'a', target: 'b', type: 'runs_on' },
      { source: 'c', target: 'a', type: 'member_of' },
    ];
    await collectAndWait(t, provider);
    const run = await collectAndWait(t, provider); // unchanged: tracking rows
    const { rows: resources } = await t.pool.query<{ id: string; ems_ref: string }>(
      `SELECT id, ems_ref FROM resources WHERE provider_id = $1 ORDER BY ems_ref`,
      [provider],
    );
    const counts = async () =>
      (
        await t.pool.query(
          `SELECT (SELECT count(*) FROM resource_sightings WHERE resource_id = ANY($1))::int AS sightings,
                  (SELECT count(*) FROM resource_tracking WHERE resource_id = ANY($1))::int AS tracking,
                  (SELECT count(*) FROM resource_relationships WHERE source_id = ANY($1) OR target_id = ANY($1))::int AS edges,
                  (SELECT count(*) FROM resource_sightings WHERE collection_run_id = $2)::int AS run_sightings`,
          [resources.map((r) => r.id), run.id],
        )
      ).rows[0];
    expect(await counts()).toEqual({ sightings: 6, tracking: 3, edges: 2, run_sightings: 3 });

    // One resource deleted by hand: its sightings, its tracking row and both its edges go.
    await t.pool.query(`DELETE FROM resources WHERE id = $1`, [resources[0].id]);
    expect(await counts()).toEqual({ sightings: 4, tracking: 2, edges: 0, run_sightings: 2 });

    // A run deleted by hand: its sightings stay, without the run.
    await t.pool.query(`DELETE FROM collection_runs WHERE id = $1`, [run.id]);
    expect(await counts()).toMatchObject({ sightings: 4, run_sightings: 0 });

    // The provider deleted through the API: everything under it goes.
    expect((await http(`${t.api}/providers/${provider}/`, { method: 'DELETE' })).status).toBe(204);
    expect(await counts()).toEqual({ sightings: 0, tracking: 0, edges: 0, run_sightings: 0 });
    expect(await orphans()).toBe(0);
  });

  it('writes nothing for a provider deleted while a batch waits for it', async () => {
    const provider = await createProvider();
    const { rows } = await t.pool.query<{ organization_id: number }>(
      `SELECT organization_id FROM providers WHERE id = $1`,
      [provider],
    );
    const types = await TypeResolver.load(db, 'test');
    const batch = ['x', 'y'].map(
      (ref) =>
        prepareResource(
          { kind: 'resource', ems_ref: ref, name: ref, resource_type: 'virtual_machine', state: 'running' },
          types,
        ) as PreparedResource,
    );
    const target = (runId: string) => ({
      providerId: provider,
      organizationId: rows[0].organization_id,
      runId,
      seenAt: new Date(),
    });
    const run = async () =>
      (
        await t.pool.query<{ id: string }>(
          `INSERT INTO collection_runs (provider_id, status, collection_type, triggered_by)
           VALUES ($1, 'completed', 'full', 'user') RETURNING id`,
          [provider],
        )
      ).rows[0].id;
    expect(
      await writeResourceBatch(db, target(await run()), batch, {
        changes: new ChangeRecorder(),
        events: EVENT_LOG,
      }),
    ).toMatchObject({
      created: 2,
    });

    // The deletion holds the provider row; the unchanged batch waits for it, then sees it gone.
    const deleter = await t.pool.connect();
    try {
      const secondRun = await run();
      await deleter.query('BEGIN');
      await deleter.query(`DELETE FROM providers WHERE id = $1`, [provider]);
      const writing = writeResourceBatch(db, target(secondRun), batch, {
        changes: new ChangeRecorder(),
        events: EVENT_LOG,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await deleter.query('COMMIT');
      expect(await writing).toEqual({ created: 0, updated: 0, unchanged: 0, changes: 0 });
    } finally {
      deleter.release();
    }
    const left = await t.pool.query(
      `SELECT (SELECT count(*) FROM resources WHERE provider_id = $1)::int AS resources,
              (SELECT count(*) FROM resource_sightings WHERE provider_id = $1)::int AS sightings`,
      [provider],
    );
    expect(left.rows[0]).toEqual({ resources: 0, sightings: 0 });
    expect(await orphans()).toBe(0);
  });

  it("probes a provider's existing rows through its unique key whatever its statistics say", async () => {
    // The state that made a second provider's first run quadratic: statistics taken while
    // other providers held the rows (one of them deleted since), and a new provider filled
    // after them. Planned for that provider's id, it is estimated at one row, and an index
    // that only leads with provider_id looked as cheap as the unique one.
    const [big, gone, fresh] = [await createProvider(), await createProvider(), await createProvider()];
    const fill = (provider: string, rows: number) =>
      t.pool.query(
        `INSERT INTO resources (provider_id, organization_id, resource_type_id, name, ems_ref, state)
         SELECT $1, 1, (SELECT id FROM resource_types WHERE slug = 'virtual_machine'), 'vm-' || g, 'vm-' || g,
                CASE WHEN g % 2 = 0 THEN 'running' ELSE 'stopped' END
         FROM generate_series(1, $2::int) g`,
        [provider, rows],
      );
    await fill(big, 40_000);
    await fill(gone, 10_000);
    await t.pool.query('ANALYZE resources');
    expect((await http(`${t.api}/providers/${gone}/`, { method: 'DELETE' })).status).toBe(204);
    await fill(fresh, 10_000);

    const types = await TypeResolver.load(db, 'test');
    const batch = Array.from(
      { length: 1_000 },
      (_, n) =>
        prepareResource(
          {
            kind: 'resource',
            ems_ref: `vm-${9_001 + n}`,
            name: `vm-${9_001 + n}`,
            resource_type: 'virtual_machine',
          },
          types,
        ) as PreparedResource,
    );
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      await pinBatchPlan(client);
      await client.query(`PREPARE resource_batch AS ${RESOURCE_BATCH_STATEMENT}`);
      const literal = (value: string) => client.escapeLiteral(value);
      const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
        `EXPLAIN (FORMAT JSON) EXECUTE resource_batch(${literal(`[${batch.map((r) => r.payload).join(',')}]`)},
           ${literal(fresh)}, 1, now(), NULL)`,
      );
      await client.query('ROLLBACK');
      const indexes = new Set<string>();
      const walk = (node: Record<string, unknown>) => {
        if (node['Relation Name'] === 'resources' && typeof node['Index Name'] === 'string')
          indexes.add(node['Index Name']);
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0].Plan);
      const unique = await t.pool.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename = 'resources'
           AND indexdef LIKE 'CREATE UNIQUE INDEX % (provider_id, ems_ref)'`,
      );
      expect([...indexes]).toEqual([unique.rows[0].indexname]);
    } finally {
      client.release();
    }
  });
});
