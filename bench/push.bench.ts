import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { fleetDocument, withVolatileFacts } from './fleet-payload.js';
import { intEnv, waitForServer } from './bench-support.js';

/**
 * Push benchmark: the real service (`node dist/src/cli.js serve`, its own process) on a
 * fresh database, N enrolled systems pushing a real Ansible capture (setup +
 * package_facts of a Debian host, ~115 KB, ~800 packages) with their own credentials.
 * The load generator is this process: Node's http client, keep-alive, bounded
 * concurrency. Phases: first pushes (host creation), unchanged payloads (dedup path),
 * changed payloads (a package and the kernel change: snapshot + diff + change rows),
 * then an open-loop run at half the unchanged peak rate for the latency goal.
 * See bench/README.md ("Push").
 */

const HOSTS = intEnv('BENCH_HOSTS', 200, 1);
const CONCURRENCY = intEnv('BENCH_CONCURRENCY', 16, 1);
const REQUESTS = intEnv('BENCH_REQUESTS', 4000, 10);
const OPEN_LOOP_SECONDS = intEnv('BENCH_OPEN_LOOP_SECONDS', 10, 1);
/** The fleet workload: this many distinct hosts pushing round-robin (issue #10). */
const FLEET_HOSTS = intEnv('BENCH_FLEET_HOSTS', 64, 1);
/** Bodies prepared per fleet host, each with other volatile facts (the load generator then only sends). */
const FLEET_VARIANTS = 8;
const DATABASE = 'inventory_push_bench';
const ADMIN_PASSWORD = 'bench-admin-password';
const log = (message: string) => process.stderr.write(`${message}\n`);

interface Host {
  key: string;
  authorization: string;
  /** The payload with `__BENCH_VERSION__` where a package version goes (changed pushes fill it in). */
  template: string;
}

interface Outcome {
  latencies: number[];
  statuses: Map<number, number>;
  seconds: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

function post(url: URL, body: string, authorization: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Closed loop: `concurrency` clients each send their next request as soon as the last is answered. */
async function closedLoop(
  total: number,
  concurrency: number,
  next: (i: number) => [URL, string, string],
): Promise<Outcome> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total) {
        const i = issued++;
        const { status, ms } = await post(...next(i));
        latencies.push(ms);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return { latencies, statuses, seconds: (performance.now() - started) / 1000 };
}

/** Open loop: requests start at a fixed rate whatever the answers do (no coordinated omission). */
async function openLoop(
  rate: number,
  seconds: number,
  next: (i: number) => [URL, string, string],
): Promise<Outcome> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const total = Math.max(1, Math.round(rate * seconds));
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      post(...next(i)).then(({ status, ms }) => {
        latencies.push(ms);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
    );
  }
  await Promise.all(pending);
  return { latencies, statuses, seconds: (performance.now() - started) / 1000 };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function row(name: string, o: Outcome, note = ''): string {
  const sorted = [...o.latencies].sort((a, b) => a - b);
  const statuses = [...o.statuses.entries()].map(([s, n]) => `${s}×${n}`).join(' ');
  return `| ${name} | ${o.latencies.length} | ${(o.latencies.length / o.seconds).toFixed(0)} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 95).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${statuses} | ${note} |`;
}

/** Enrolls `count` systems named `<prefix>-<n>`, 8 at a time; `template(n)` is each one's payload. */
async function enroll(
  root: string,
  basic: string,
  count: number,
  prefix: string,
  template: (n: number) => string,
): Promise<Host[]> {
  const hosts: Host[] = [];
  for (let i = 0; i < count; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - i) }, async (_, j) => {
        const n = i + j;
        const res = await fetch(`${root}/api/inventory/v1/systems/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: basic },
          body: JSON.stringify({ name: `${prefix}-${n}`, organization: 1 }),
        });
        if (res.status !== 201) throw new Error(`system create: ${res.status} ${await res.text()}`);
        const system = (await res.json()) as { system_key: string; secret: string };
        return {
          key: system.system_key,
          authorization: `Basic ${Buffer.from(`${system.system_key}:${system.secret}`).toString('base64')}`,
          template: template(n),
        };
      }),
    );
    hosts.push(...batch);
    log(`  ${hosts.length}/${count} ${prefix} systems`);
  }
  return hosts;
}

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL?.trim();
  if (!adminUrl)
    throw new Error(
      'Set BENCH_DATABASE_URL to an admin URL, e.g. postgres://postgres@127.0.0.1:5432/postgres',
    );
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  const version = (await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]
    .v;
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${DATABASE}`;

  const dataDir = await mkdtemp(join(tmpdir(), 'inventory-push-bench-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const root = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [resolve('dist/src/cli.js'), 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: url.toString(),
      PORT: String(port),
      HOST: '127.0.0.1',
      INVENTORY_DATA_DIR: dataDir,
      INVENTORY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: String(Math.max(10, CONCURRENCY)),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForServer(root, server);
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    const fixture = JSON.parse(readFileSync(resolve('test/fixtures/ansible-debian12-facts.json'), 'utf8'));
    const packageName =
      Object.keys(fixture.package_facts.packages).find((n) => n.startsWith('openssl')) ?? 'bash';

    log(`Enrolling ${HOSTS} systems ...`);
    const hosts: Host[] = await enroll(root, basic, HOSTS, 'bench', (n) => {
      const facts = structuredClone(fixture);
      facts.system_facts.hostname = `bench-${n}`;
      facts.system_facts.machine_id = `${String(n).padStart(8, '0')}aaaabbbbccccddddeeeeffff`;
      facts.package_facts.packages[packageName][0].version = '__BENCH_VERSION__';
      return JSON.stringify(facts);
    });
    const factsUrl = new URL(`${root}/api/inventory/v1/facts/`);
    const bodies = hosts.map((h) => h.template.replace('__BENCH_VERSION__', 'v0'));
    const unchanged = (i: number): [URL, string, string] => [
      factsUrl,
      bodies[i % HOSTS],
      hosts[i % HOSTS].authorization,
    ];
    let changedCounter = 0;
    const changed = (i: number): [URL, string, string] => {
      const n = ++changedCounter;
      const body = hosts[i % HOSTS].template
        .replace('__BENCH_VERSION__', `v${n}`)
        .replace('"kernel":"', `"kernel":"k${n}-`);
      return [factsUrl, body, hosts[i % HOSTS].authorization];
    };

    const results: string[] = [];
    log('First pushes (each creates its host) ...');
    const first = await closedLoop(HOSTS, Math.min(CONCURRENCY, HOSTS), unchanged);
    results.push(row('first push (creates the host)', first));
    log('Warm-up ...');
    await closedLoop(Math.min(REQUESTS, 500), CONCURRENCY, unchanged);
    log(`Unchanged payloads: ${REQUESTS} requests, ${CONCURRENCY} concurrent ...`);
    const dedup = await closedLoop(REQUESTS, CONCURRENCY, unchanged);
    results.push(row('unchanged payload (dedup)', dedup));
    const peak = dedup.latencies.length / dedup.seconds;
    log(`Open loop at half the unchanged peak (${(peak / 2).toFixed(0)}/s) for ${OPEN_LOOP_SECONDS} s ...`);
    const half = await openLoop(peak / 2, OPEN_LOOP_SECONDS, unchanged);
    results.push(row(`unchanged at half peak (${(peak / 2).toFixed(0)}/s, open loop)`, half));
    log(`Changed payloads: ${Math.round(REQUESTS / 2)} requests ...`);
    const diff = await closedLoop(Math.round(REQUESTS / 2), CONCURRENCY, changed);
    results.push(
      row('changed payload (snapshot + diff)', diff, '2 changes per push (package version, kernel)'),
    );
    const peakChanged = diff.latencies.length / diff.seconds;
    log(
      `Open loop at half the changed peak (${(peakChanged / 2).toFixed(0)}/s) for ${OPEN_LOOP_SECONDS} s ...`,
    );
    const halfChanged = await openLoop(peakChanged / 2, OPEN_LOOP_SECONDS, changed);
    results.push(row(`changed at half peak (${(peakChanged / 2).toFixed(0)}/s, open loop)`, halfChanged));

    // The fleet workload: a ~180 KB document (setup with all subsets, 750 packages), FLEET_HOSTS
    // hosts round-robin, the volatile facts different on every push as between two Ansible runs.
    log(
      `Fleet workload: enrolling ${FLEET_HOSTS} systems, preparing ${FLEET_HOSTS * FLEET_VARIANTS} bodies ...`,
    );
    const fleetBase = Array.from({ length: FLEET_HOSTS }, (_, n) => {
      const document = fleetDocument(n);
      const fleetPackage =
        Object.keys(document.package_facts.packages).find((p) => p.startsWith('openssl')) ?? 'bash';
      document.package_facts.packages[fleetPackage] = [
        { ...document.package_facts.packages[fleetPackage][0], version: '__BENCH_VERSION__' },
      ];
      return document;
    });
    const fleet = await enroll(root, basic, FLEET_HOSTS, 'fleet', (n) => JSON.stringify(fleetBase[n]));
    // variants[host][k]: host's document with the volatile facts of its k-th run; the memory
    // size is a placeholder the changed phase fills in.
    const variants = fleetBase.map((document, n) =>
      Array.from({ length: FLEET_VARIANTS }, (_, k) => {
        const run = withVolatileFacts(document, n * FLEET_VARIANTS + k);
        run.system_facts.memtotal_mb = '__BENCH_MEMORY__';
        return JSON.stringify(run).replace('"__BENCH_MEMORY__"', '__BENCH_MEMORY__');
      }),
    );
    const fleetBytes = Buffer.byteLength(variants[0][0]);
    let fleetCounter = 0;
    const fleetPush =
      (changes: boolean) =>
      (i: number): [URL, string, string] => {
        const n = ++fleetCounter;
        const host = i % FLEET_HOSTS;
        const body = variants[host][Math.floor(i / FLEET_HOSTS) % FLEET_VARIANTS]
          .replace('__BENCH_VERSION__', changes ? `v${n}` : 'v0')
          .replace('__BENCH_MEMORY__', changes ? String(32768 + (n % 2) * 1024) : '32768');
        return [factsUrl, body, fleet[host].authorization];
      };
    log('Fleet: first pushes ...');
    const fleetFirst = await closedLoop(FLEET_HOSTS, Math.min(CONCURRENCY, FLEET_HOSTS), fleetPush(false));
    results.push(row('fleet: first push (creates the host)', fleetFirst));
    await closedLoop(Math.min(REQUESTS, 500), CONCURRENCY, fleetPush(false));
    log(`Fleet: only volatile facts changed, ${REQUESTS} requests ...`);
    const fleetVolatile = await closedLoop(REQUESTS, CONCURRENCY, fleetPush(false));
    results.push(row('fleet: only volatile facts changed', fleetVolatile, 'goal ≥ 500/s'));
    const fleetPeak = fleetVolatile.latencies.length / fleetVolatile.seconds;
    const fleetHalf = await openLoop(fleetPeak / 2, OPEN_LOOP_SECONDS, fleetPush(false));
    results.push(
      row(
        `fleet: volatile at half peak (${(fleetPeak / 2).toFixed(0)}/s, open loop)`,
        fleetHalf,
        'goal p95 ≤ 50 ms',
      ),
    );
    log(`Fleet: a package and the memory size changed, ${Math.round(REQUESTS / 2)} requests ...`);
    const fleetChanged = await closedLoop(Math.round(REQUESTS / 2), CONCURRENCY, fleetPush(true));
    results.push(row('fleet: a package and the memory size changed', fleetChanged, 'goal ≥ 150/s'));
    const fleetChangedPeak = fleetChanged.latencies.length / fleetChanged.seconds;
    const fleetChangedHalf = await openLoop(fleetChangedPeak / 2, OPEN_LOOP_SECONDS, fleetPush(true));
    results.push(
      row(
        `fleet: changed at half peak (${(fleetChangedPeak / 2).toFixed(0)}/s, open loop)`,
        fleetChangedHalf,
        'goal p95 ≤ 50 ms',
      ),
    );

    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    const counts = (
      await db.query<{ r: number; s: number; f: number; c: number }>(
        `SELECT (SELECT count(*)::int FROM resources) r, (SELECT count(*)::int FROM resource_sightings) s,
           (SELECT count(*)::int FROM fact_snapshots) f, (SELECT count(*)::int FROM resource_changes) c`,
      )
    ).rows[0];
    await db.end();

    console.log(`\n## Push benchmark — ${new Date().toISOString()}`);
    console.log(
      `Machine: ${availableParallelism()} cores, Node ${process.versions.node}, PostgreSQL ${version}; service and load generator on the same machine. ` +
        `${HOSTS} systems, payload ${(Buffer.byteLength(bodies[0]) / 1024).toFixed(0)} KB (real Debian setup + package_facts), ` +
        `${CONCURRENCY} concurrent keep-alive clients, HTTP Basic system credentials. ` +
        `Fleet rows: ${FLEET_HOSTS} more systems, payload ${(fleetBytes / 1024).toFixed(0)} KB (setup with all subsets of an 8-vCPU VM + 750 packages), round-robin. ` +
        `Load average after: ${loadavg()[0].toFixed(2)}.`,
    );
    console.log(
      `Stored: ${counts.r} resources, ${counts.s} sightings, ${counts.f} snapshots, ${counts.c} changes.\n`,
    );
    console.log('| scenario | requests | submissions/s | p50 ms | p95 ms | p99 ms | statuses | note |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
    for (const line of results) console.log(line);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
    agent.destroy();
  }
}

main().catch((error: unknown) => {
  log(`Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
