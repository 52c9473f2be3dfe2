import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { fleetDocument, withVolatileFacts } from './fleet-payload.js';
import { intEnv, waitForServer } from './bench-support.js';

/**
 * Delivery benchmark (issue #13): from a committed change to its webhook delivery while
 * changed pushes are being ingested. The real service (`node dist/src/cli.js serve`) on a
 * fresh database, BENCH_HOSTS enrolled systems pushing the fleet document (a package
 * version and the memory size changing on every push, so each push commits
 * resource.changed), an open loop at BENCH_RATE pushes/s for BENCH_SECONDS, and a webhook
 * for `resource.changed` whose receiver (a local HTTP server in this process, checking
 * nothing but answering 204 at once) notes when each delivery arrives. The latency of a
 * delivery is its arrival minus the event's occurred_at (the transaction's start, so a
 * little over "from the commit"). Deliveries are at least once: repeats (by
 * X-Inventory-Delivery) are counted once, and every event must arrive (none lost).
 * See bench/README.md ("Delivery").
 */

const HOSTS = intEnv('BENCH_HOSTS', 64, 1);
const RATE = intEnv('BENCH_RATE', 150, 1);
const SECONDS = intEnv('BENCH_SECONDS', 30, 1);
/** How long the benchmark waits, after the last push is answered, for the remaining deliveries. */
const DRAIN_SECONDS = intEnv('BENCH_DRAIN_SECONDS', 120, 1);
const VARIANTS = 8;
const DATABASE = 'inventory_delivery_bench';
const ADMIN_PASSWORD = 'bench-admin-password';
const log = (message: string) => process.stderr.write(`${message}\n`);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: URL, body: string, authorization: string): Promise<number> {
  return new Promise((resolvePromise) => {
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
        res.on('end', () => resolvePromise(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolvePromise(0));
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

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
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${DATABASE}`;

  // The receiver: arrival time per delivery id (first arrival only) and per event id.
  const arrivals = new Map<string, { event: number; occurredAt: number; arrivedAt: number }>();
  let repeats = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedAt = Date.now();
      res.writeHead(204).end();
      const id = String(req.headers['x-inventory-delivery']);
      if (arrivals.has(id)) {
        repeats++;
        return;
      }
      const { event } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        event?: { id: number; occurred_at: string };
      };
      if (event) arrivals.set(id, { event: event.id, occurredAt: Date.parse(event.occurred_at), arrivedAt });
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const dataDir = await mkdtemp(join(tmpdir(), 'inventory-delivery-bench-'));
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
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      DATABASE_POOL_SIZE: '20',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForServer(root, server);
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    const hook = await fetch(`${root}/api/inventory/v1/webhooks/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic },
      body: JSON.stringify({
        organization: 1,
        name: 'bench',
        url: hookUrl,
        event_types: ['resource.changed'],
        secret: randomBytes(24).toString('hex'),
      }),
    });
    if (hook.status !== 201) throw new Error(`webhook create: ${hook.status} ${await hook.text()}`);

    log(`Enrolling ${HOSTS} systems ...`);
    const hosts: { authorization: string; variants: string[] }[] = [];
    for (let n = 0; n < HOSTS; n++) {
      const res = await fetch(`${root}/api/inventory/v1/systems/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic },
        body: JSON.stringify({ name: `fleet-${n}`, organization: 1 }),
      });
      if (res.status !== 201) throw new Error(`system create: ${res.status} ${await res.text()}`);
      const system = (await res.json()) as { system_key: string; secret: string };
      const document = fleetDocument(n);
      const pkg = Object.keys(document.package_facts.packages).find((p) => p.startsWith('openssl')) ?? 'bash';
      document.package_facts.packages[pkg] = [
        { ...document.package_facts.packages[pkg][0], version: '__BENCH_VERSION__' },
      ];
      hosts.push({
        authorization: `Basic ${Buffer.from(`${system.system_key}:${system.secret}`).toString('base64')}`,
        variants: Array.from({ length: VARIANTS }, (_, k) => {
          const run = withVolatileFacts(document, n * VARIANTS + k);
          run.system_facts.memtotal_mb = '__BENCH_MEMORY__';
          return JSON.stringify(run).replace('"__BENCH_MEMORY__"', '__BENCH_MEMORY__');
        }),
      });
    }
    const factsUrl = new URL(`${root}/api/inventory/v1/facts/`);
    let counter = 0;
    const body = (i: number) => {
      const n = ++counter;
      const host = hosts[i % HOSTS];
      return [
        host.variants[Math.floor(i / HOSTS) % VARIANTS]
          .replace('__BENCH_VERSION__', `v${n}`)
          .replace('__BENCH_MEMORY__', String(32768 + (n % 2) * 1024)),
        host.authorization,
      ] as const;
    };
    log('First pushes (each creates its host) ...');
    for (let i = 0; i < HOSTS; i++) await post(factsUrl, ...body(i));
    await new Promise((r) => setTimeout(r, 3000));
    arrivals.clear();
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    const [{ start }] = (
      await db.query<{ start: string }>(`SELECT coalesce(max(id), 0)::text AS start FROM events`)
    ).rows;

    log(`Open loop: ${RATE} changed pushes/s for ${SECONDS} s ...`);
    const statuses = new Map<number, number>();
    const total = RATE * SECONDS;
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / RATE - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const [b, auth] = body(i);
      pending.push(post(factsUrl, b, auth).then((s) => void statuses.set(s, (statuses.get(s) ?? 0) + 1)));
    }
    await Promise.all(pending);
    const pushSeconds = (performance.now() - started) / 1000;
    const accepted = [...statuses].filter(([s]) => s >= 200 && s < 300).reduce((n, [, c]) => n + c, 0);

    // Every resource.changed event after the start must arrive (at least once).
    const expected = async () =>
      Number(
        (
          await db.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM events WHERE id > $1 AND type = 'resource.changed'`,
            [start],
          )
        ).rows[0].n,
      );
    const deadline = Date.now() + DRAIN_SECONDS * 1000;
    let want = await expected();
    const events = () =>
      new Set([...arrivals.values()].filter((a) => a.event > Number(start)).map((a) => a.event));
    while (events().size < want && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      want = await expected();
    }
    const dead = Number(
      (
        await db.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM webhook_deliveries WHERE status = 'dead'`,
        )
      ).rows[0].n,
    );
    await db.end();
    const latencies = [...arrivals.values()]
      .filter((a) => a.event > Number(start))
      .map((a) => a.arrivedAt - a.occurredAt)
      .sort((a, b) => a - b);
    const got = events().size;

    console.log(`\n## Delivery benchmark — ${new Date().toISOString()}`);
    console.log(
      `Machine: ${availableParallelism()} cores, Node ${process.versions.node}; service, receiver and load generator on the same machine. ` +
        `${HOSTS} systems pushing the fleet document (a package and the memory size changed every push), open loop at ${RATE}/s for ${SECONDS} s, then up to ${DRAIN_SECONDS} s for the remaining deliveries. ` +
        `Load average after: ${loadavg()[0].toFixed(2)}.\n`,
    );
    console.log(
      '| pushes sent | accepted/s | statuses | resource.changed events | delivered | not delivered after the drain | repeats | dead | p50 ms | p95 ms | p99 ms | max ms |',
    );
    console.log('| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(
      `| ${total} | ${(accepted / pushSeconds).toFixed(0)} | ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')} | ${want} | ${got} | ${want - got} | ${repeats} | ${dead} | ${percentile(latencies, 50).toFixed(0)} | ${percentile(latencies, 95).toFixed(0)} | ${percentile(latencies, 99).toFixed(0)} | ${(latencies.at(-1) ?? NaN).toFixed(0)} |`,
    );
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    receiver.closeAllConnections();
    receiver.close();
    await rm(dataDir, { recursive: true, force: true });
    agent.destroy();
  }
}

main().catch((error: unknown) => {
  log(`Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
