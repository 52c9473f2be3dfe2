import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CollectionExecutor, emptyRunPhases, type RunPhases } from '../src/collection/collection-executor.js';
import { prepareResource, TypeResolver } from '../src/collection/record-preparer.js';
import { SecretBox } from '../src/common/crypto/secret-box.js';
import { createDataSource } from '../src/database/data-source.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { runMigrations } from '../src/database/migrations.js';
import { PluginRegistry } from '../src/plugins/plugin-registry.js';
import { labRecords } from '../src/plugins/vmware-vcenter-lab/lab-topology.js';
import { ResourceEntity } from '../src/resources/resource.entity.js';
import type { PowerState, ResourceState } from '../src/resources/resource.enums.js';
import { ResourceSightingEntity } from '../src/sightings/resource-sighting.entity.js';
import { runCollectorBench } from './collectors.section.js';

/**
 * Collection benchmark: the simulated vSphere lab at BENCH_VMS virtual machines (default
 * 100,000, with hosts, datastores, pools and ~300,000 relationships) through the real
 * executor and batch writer: a first full run, then an unchanged second run. Two
 * baselines on the same data: the naive per-row ORM upsert the original service used
 * (find, then save, one row at a time; BENCH_NAIVE rows, default 5,000), and a raw COPY
 * of the resource rows into a scratch table with the same indexes (the ceiling). Then, on
 * that database, a second provider's first run and one after a provider was deleted
 * (BENCH_LATER_VMS virtual machines each, default 20,000).
 */

const VMS = Number(process.env.BENCH_VMS ?? 100_000);
const NAIVE = Number(process.env.BENCH_NAIVE ?? 5_000);
/** Size of the later providers' labs (collected on a database that already holds the first). */
const LATER_VMS = Number(process.env.BENCH_LATER_VMS ?? 20_000);
const DATABASE = 'inventory_bench_collection';
const log = (message: string) => process.stderr.write(`${message}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let adminUrl = process.env.BENCH_DATABASE_URL?.trim();
    if (!adminUrl) {
      const dataDir = resolve('.data-bench');
      await mkdir(dataDir, { recursive: true, mode: 0o755 });
      await chmod(dataDir, 0o755);
      const cluster = await startEmbeddedPostgres({ dataDir, database: 'postgres', log, drainSeconds: 2 });
      cleanups.push(() => cluster.stop());
      adminUrl = cluster.url;
    }
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const url = withDatabase(adminUrl, DATABASE);
    await runMigrations(url);
    const db = createDataSource({ url, poolSize: 4, applicationName: 'inventory-bench' });
    await db.initialize();
    cleanups.unshift(() => db.destroy());

    const [org] = await db.query<{ id: number }[]>(`SELECT id FROM organizations WHERE name = 'Default'`);
    const provider = async (name: string) =>
      (
        await db.query<{ id: string }[]>(
          `INSERT INTO providers (name, organization_id, vendor, provider_type, infrastructure, connection_config)
           VALUES ($1, $2, 'vmware', 'vcenter-lab', 'private_cloud', $3) RETURNING id`,
          [name, org.id, JSON.stringify({ scale: VMS, seed: 7 })],
        )
      )[0].id;
    const registry = new PluginRegistry([]);
    await registry.discover();
    const executor = new CollectionExecutor(db, registry, new SecretBox(randomBytes(32)));
    // ---- Collectors against their local servers (bench/collectors.section.ts) ----
    if (process.env.BENCH_ONLY === 'collectors') {
      await runCollectorBench(db, registry, log);
      return;
    }
    // ---- end of the collectors part ----
    const labProvider = await provider('Bench lab');
    const clock = new Date();

    const results: {
      name: string;
      rows: number;
      seconds: number;
      perSecond: number;
      rssMb: number;
      note: string;
    }[] = [];
    const runPhases: { label: string; seconds: number; phases: RunPhases }[] = [];
    const run = async (label: string, at: Date, runProvider = labProvider) => {
      const [row] = await db.query<{ id: string }[]>(
        `INSERT INTO collection_runs (provider_id, status) VALUES ($1, 'pending') RETURNING id`,
        [runProvider],
      );
      const ticker = setInterval(() => {
        void db
          .query<{ resources_found: number }[]>(`SELECT resources_found FROM collection_runs WHERE id = $1`, [
            row.id,
          ])
          .then(([state]) =>
            log(
              `  ${label}: ${fmt(state?.resources_found ?? 0)} resources so far, peak RSS ${peakRssMb()} MB`,
            ),
          );
      }, 5000);
      const started = performance.now();
      const phases = emptyRunPhases();
      const status = await executor.execute(row.id, { clock: () => at, phases });
      const seconds = (performance.now() - started) / 1000;
      clearInterval(ticker);
      const [done] = await db.query<
        {
          resources_found: number;
          resources_created: number;
          resources_unchanged: number;
          error_message: string;
        }[]
      >(
        `SELECT resources_found, resources_created, resources_unchanged, error_message FROM collection_runs WHERE id = $1`,
        [row.id],
      );
      if (status !== 'completed') throw new Error(`${label} ended ${status}: ${done.error_message}`);
      const [edges] = await db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM resource_relationships WHERE provider_id = $1`,
        [runProvider],
      );
      results.push({
        name: label,
        rows: done.resources_found,
        seconds,
        perSecond: done.resources_found / seconds,
        rssMb: peakRssMb(),
        note: `${fmt(done.resources_created)} created, ${fmt(done.resources_unchanged)} unchanged, ${fmt(edges.n)} relationships`,
      });
      runPhases.push({ label, seconds, phases });
      log(`${label}: ${fmt(done.resources_found)} resources in ${seconds.toFixed(1)} s`);
    };

    log(`Lab at ${fmt(VMS)} VMs: first full run`);
    await run('first full run', clock);
    log('Second run, nothing changed');
    await run('unchanged second run', new Date(clock.getTime() + 1000));

    // A database already in use: another provider's first run beside the lab's rows, and
    // one after a provider was deleted. The statistics describe the rows before each fill
    // began, which once made every probe of such a run scan the provider's rows written so
    // far (quadratic; see pinBatchPlan in src/inventory-writer/resource-batch.sql.ts).
    const laterLab = async (name: string) => {
      const id = await provider(name);
      await db.query(`UPDATE providers SET connection_config = $2 WHERE id = $1`, [
        id,
        JSON.stringify({ scale: LATER_VMS, seed: 11 }),
      ]);
      return id;
    };
    await db.query('ANALYZE');
    log(`Second provider (${fmt(LATER_VMS)} VMs): first run beside the lab`);
    const second = await laterLab('Bench second');
    await run('second provider, first run', new Date(clock.getTime() + 2000), second);
    await db.query('ANALYZE');
    await db.query(`DELETE FROM providers WHERE id = $1`, [second]);
    log(`Third provider (${fmt(LATER_VMS)} VMs): first run after a provider was deleted`);
    await run(
      'first run after a provider was deleted',
      new Date(clock.getTime() + 3000),
      await laterLab('Bench third'),
    );

    // Baseline 1: per-row ORM upsert (find by provider + ems_ref, then save), as the original service did.
    const types = await TypeResolver.load(db, 'vmware');
    const sample: ReturnType<typeof prepareResource>[] = [];
    for await (const record of labRecords(
      { scale: VMS, seed: 7, datacenter: 'Lab-DC1' },
      clock,
      () => true,
    )) {
      if (record.kind !== 'resource') continue;
      sample.push(prepareResource(record, types));
      if (sample.length >= NAIVE) break;
    }
    const naiveProvider = await provider('Bench naive');
    const repo = db.getRepository(ResourceEntity);
    const sightings = db.getRepository(ResourceSightingEntity);
    log(`Naive per-row ORM upsert of ${fmt(NAIVE)} resources`);
    let started = performance.now();
    for (const prepared of sample) {
      if ('error' in prepared) continue;
      let entity = await repo.findOne({ where: { providerId: naiveProvider, emsRef: prepared.ems_ref } });
      entity ??= repo.create({
        providerId: naiveProvider,
        organizationId: org.id,
        emsRef: prepared.ems_ref,
        firstDiscoveredAt: clock,
        seenCount: 0,
      });
      Object.assign(entity, {
        resourceTypeId: prepared.resource_type_id,
        vendorType: prepared.vendor_type,
        name: prepared.name,
        canonicalId: prepared.canonical_id,
        vendorIdentifiers: prepared.vendor_identifiers,
        state: prepared.state as ResourceState,
        powerState: prepared.power_state as PowerState | null,
        region: prepared.region,
        availabilityZone: prepared.availability_zone,
        fqdn: prepared.fqdn,
        ipAddresses: prepared.ip_addresses,
        osType: prepared.os_type,
        osName: prepared.os_name,
        cpuCount: prepared.cpu_count,
        memoryMb: prepared.memory_mb,
        diskGb: prepared.disk_gb,
        properties: prepared.properties,
        lastSeenAt: clock,
        seenCount: entity.seenCount + 1,
      });
      const saved = await repo.save(entity);
      await sightings.save(
        sightings.create({
          resourceId: saved.id,
          providerId: naiveProvider,
          organizationId: org.id,
          seenAt: clock,
          state: prepared.state as ResourceState,
          cpuCount: prepared.cpu_count,
          memoryMb: prepared.memory_mb,
        }),
      );
    }
    let seconds = (performance.now() - started) / 1000;
    results.push({
      name: `naive per-row ORM upsert (${fmt(NAIVE)})`,
      rows: NAIVE,
      seconds,
      perSecond: NAIVE / seconds,
      rssMb: peakRssMb(),
      note: 'find + save per row, plus its sighting',
    });

    // Baseline 2: COPY the first run's resource rows into a scratch table with the same indexes.
    await db.query(`CREATE TABLE resources_copy (LIKE resources INCLUDING ALL)`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const [{ n: total }] = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM resources WHERE provider_id = $1`,
      [labProvider],
    );
    const exportCursor = await db.query<{ line: string }[]>(
      `SELECT concat_ws(E'\\t', gen_random_uuid(), provider_id, organization_id, resource_type_id, vendor_type, name, ems_ref,
              coalesce(canonical_id, '\\N'), vendor_identifiers, state, coalesce(power_state, '\\N'), region, availability_zone,
              cloud_tenant, flavor, fqdn, ip_addresses, os_type, os_name, coalesce(cpu_count::text, '\\N'), coalesce(memory_mb::text, '\\N'),
              coalesce(disk_gb::text, '\\N'), properties, provider_tags) AS line
       FROM resources WHERE provider_id = $1`,
      [labProvider],
    );
    log(`COPY of ${fmt(total)} resource rows into a scratch table`);
    started = performance.now();
    const copy = client.query(
      copyFrom(`COPY resources_copy (id, provider_id, organization_id, resource_type_id, vendor_type, name, ems_ref, canonical_id,
        vendor_identifiers, state, power_state, region, availability_zone, cloud_tenant, flavor, fqdn, ip_addresses, os_type, os_name,
        cpu_count, memory_mb, disk_gb, properties, provider_tags) FROM STDIN`),
    );
    await pipeline(Readable.from(exportCursor.map((r) => `${r.line.replace(/\\(?!N)/g, '\\\\')}\n`)), copy);
    seconds = (performance.now() - started) / 1000;
    await client.end();
    results.push({
      name: 'raw COPY (ceiling)',
      rows: total,
      seconds,
      perSecond: total / seconds,
      rssMb: peakRssMb(),
      note: 'same rows, same indexes, no logic',
    });

    const naiveRate = results.find((r) => r.name.startsWith('naive'))!.perSecond;
    const ceilingRate = results.find((r) => r.name.startsWith('raw COPY'))!.perSecond;
    console.log(
      `\nCollection benchmark: vmware:vcenter-lab at ${fmt(VMS)} VMs (${new Date().toISOString()})\n`,
    );
    console.log(
      '| Scenario | Resources | Seconds | Resources/s | vs naive | vs ceiling | Peak RSS (MB) | Notes |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---|');
    for (const r of results) {
      console.log(
        `| ${r.name} | ${fmt(r.rows)} | ${r.seconds.toFixed(1)} | ${fmt(r.perSecond)} | ${(r.perSecond / naiveRate).toFixed(1)}× | ${(r.perSecond / ceilingRate).toFixed(2)}× | ${r.rssMb} | ${r.note} |`,
      );
    }
    // Where each run's time went. Resource batches and edge staging run while the plugin
    // produces the next batch; "waiting" is the part of them the plugin loop waited for,
    // and the plugin's own time (with preparing records) is what remains.
    const sec = (ms: number) => (ms / 1000).toFixed(1);
    console.log(
      '\n| Run | Total s | Resource batches s | Waiting for them s | Edge staging s | Relationships s | Removal s | Plugin and preparing s |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const { label, seconds, phases: p } of runPhases) {
      const plugin = seconds * 1000 - p.waitingForDatabase - p.relationships - p.removal;
      console.log(
        `| ${label} | ${seconds.toFixed(1)} | ${sec(p.resourceBatches)} | ${sec(p.waitingForDatabase)} | ${sec(p.edgeStaging)} | ${sec(p.relationships)} | ${sec(p.removal)} | ${sec(plugin)} |`,
      );
    }
    // ---- Collectors against their local servers (bench/collectors.section.ts) ----
    await runCollectorBench(db, registry, log);
    // ---- end of the collectors part ----
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: Error) => log(`cleanup: ${error.message}`));
  }
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
