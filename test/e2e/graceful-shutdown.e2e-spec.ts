import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * SIGTERM to a real `node dist/src/cli.js serve` while a burst of requests is in flight
 * and a collection runs: every request sent before the signal is answered (no reset),
 * the process exits 0, and the run ends completed or failed with a message.
 */
const PASSWORD = 'shutdown-test-password';
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('graceful shutdown of `inventory serve`', () => {
  let db: TestDatabase;
  let child: ChildProcess | null = null;
  let pool: pg.Pool;
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await pool?.end();
    await db?.drop();
  });

  it('drains a burst of requests and ends the running collection cleanly on SIGTERM', async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const dataDir = await mkdtemp(join(tmpdir(), 'inventory-shutdown-'));
    await chmod(dataDir, 0o755);
    const port = await freePort();
    const api = `http://127.0.0.1:${port}/api/inventory/v1`;
    child = spawn(process.execPath, ['dist/src/cli.js', 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        INVENTORY_DATA_DIR: dataDir,
        INVENTORY_ADMIN_PASSWORD: PASSWORD,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        // Long enough for the whole burst to be answered on a busy 2-core machine (a request
        // still unanswered when the drain ends may be refused: that is the drain's contract).
        SHUTDOWN_DRAIN_SECONDS: '4',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

    for (let i = 0; ; i++) {
      const ok = await fetch(`${api}/ping/`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 150) throw new Error(`serve did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`${api}${path}`, {
        ...init,
        headers: { authorization: AUTH, 'content-type': 'application/json', ...(init.headers ?? {}) },
      });

    // A collection large enough to be running when the signal arrives.
    const provider = await call('/providers/', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Shutdown Lab',
        vendor: 'vmware',
        provider_type: 'vcenter-lab',
        infrastructure: 'private_cloud',
        organization: 1,
        connection_config: { scale: 50000 },
      }),
    });
    expect(provider.status).toBe(201);
    const providerId = ((await provider.json()) as { id: string }).id;
    const started = await call(`/providers/${providerId}/collect/`, { method: 'POST', body: '{}' });
    expect(started.status).toBe(202);
    const runId = ((await started.json()) as { id: string }).id;
    for (let i = 0; ; i++) {
      const { rows } = await pool.query<{ status: string }>(
        `SELECT status FROM collection_runs WHERE id = $1`,
        [runId],
      );
      if (rows[0]?.status === 'running') break;
      if (i > 200) throw new Error(`the run did not start (${rows[0]?.status})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // The burst: requests in flight when SIGTERM arrives.
    const burst = Array.from({ length: 40 }, (_, i) =>
      call(i % 2 ? '/resource-types/?page_size=100' : '/resources/?page_size=50').then(
        async (r) => ({ status: r.status, error: null as string | null, bytes: (await r.text()).length }),
        (error: Error & { cause?: { code?: string } }) => ({
          status: 0,
          error: error.cause?.code ?? error.message,
          bytes: 0,
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGTERM');
    const results = await Promise.all(burst);
    const code = await exited;

    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(code).toBe(0);
    const { rows } = await pool.query<{ status: string; error_message: string }>(
      `SELECT status, error_message FROM collection_runs WHERE id = $1`,
      [runId],
    );
    expect(['completed', 'failed']).toContain(rows[0].status);
    if (rows[0].status === 'failed') expect(rows[0].error_message).toMatch(/\S/);
  }, 90_000);
});
