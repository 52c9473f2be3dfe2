import { spawnSync } from 'node:child_process';
import { Logger } from '@nestjs/common';
import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { isAlive, readPostmasterPid, startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { startService, type RunningService } from '../../src/serve.js';
import { http } from '../support/app.js';

/**
 * The newcomer's path: no DATABASE_URL, so the service runs its own PostgreSQL in the
 * data folder. This starts real clusters in temporary folders (even when the rest of
 * the suite uses TEST_DATABASE_URL).
 */
/** Basic credentials of the `admin` user the first start creates (password read from the data folder). */
let ADMIN = '';

describe('the service on its embedded PostgreSQL', () => {
  let dataDir: string;
  let service: RunningService | null = null;
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) =>
    spawnSync(process.execPath, ['dist/src/cli.js', ...args], {
      env: { PATH: process.env.PATH ?? '', INVENTORY_DATA_DIR: dataDir, LOG_LEVEL: 'error', ...env },
      encoding: 'utf8',
      timeout: 60_000,
      input,
    });
  const apiUrl = () =>
    `http://127.0.0.1:${(service!.app.getHttpServer().address() as { port: number }).port}/api/inventory/v1`;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'inventory-embedded-'));
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('starts from an empty folder, migrates and serves the API', async () => {
    const config = loadConfig({
      INVENTORY_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
    });
    service = await startService(config);
    // No INVENTORY_ADMIN_PASSWORD: the generated password is in the data folder, readable by the owner only.
    const passwordFile = join(dataDir, 'admin-password');
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
    const password = (await readFile(passwordFile, 'utf8')).trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    ADMIN = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
    const base = service.url.replace('localhost', '127.0.0.1').replace(/\/$/, '');
    const port = (service.app.getHttpServer().address() as { port: number }).port;
    const api = `http://127.0.0.1:${port}/api/inventory/v1`;
    expect(base).toBe(api);
    expect((await http(`${api}/ping/`)).status).toBe(200);
    expect((await http(`${api}/resource-types/`, { anonymous: true })).status).toBe(401);
    const types = await http(`${api}/resource-types/`, { as: ADMIN });
    expect(types.body).toMatchObject({ count: 85 });
    const created = await http(`${api}/providers/`, {
      as: ADMIN,
      method: 'POST',
      json: {
        name: 'Persistent',
        vendor: 'vmware',
        provider_type: 'vcenter-lab',
        infrastructure: 'private_cloud',
        organization: 1,
        connection_config: { password: 'p' },
      },
    });
    expect(created.status).toBe(201);
    const key = await readFile(join(dataDir, 'secret.key'), 'utf8');
    expect(key.trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lets CLI commands attach to the running cluster instead of starting another', async () => {
    const status = cli(['migrate', '--status']);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain('[x] InitialSchema');
    const migrate = cli(['migrate']);
    expect(migrate.status).toBe(0);
    // The service is still fine afterwards.
    const port = (service!.app.getHttpServer().address() as { port: number }).port;
    expect((await http(`http://127.0.0.1:${port}/api/inventory/v1/health/`)).status).toBe(200);
  });

  it('creates users, sets passwords and issues tokens from the command line', async () => {
    const created = cli(
      ['users', 'create', '--username', 'ops', '--password-stdin', '--email', 'ops@example.com'],
      {},
      'ops-password-1\n',
    );
    expect(created.status).toBe(0);
    expect(created.stdout).toContain('Created user "ops"');
    expect(created.stdout).not.toContain('ops-password-1');
    const basic = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;
    expect((await http(`${apiUrl()}/users/me/`, { as: basic('ops-password-1') })).body.username).toBe('ops');

    const token = cli(['token', '--user', 'ops', '--ttl', '600']);
    expect(token.status).toBe(0);
    const me = await http(`${apiUrl()}/users/me/`, { as: `Bearer ${token.stdout.trim()}` });
    expect(me.body).toMatchObject({ username: 'ops', email: 'ops@example.com', is_superuser: false });

    expect(cli(['users', 'set-password', '--username', 'ops', '--password', 'ops-password-2']).status).toBe(
      0,
    );
    expect((await http(`${apiUrl()}/users/me/`, { as: basic('ops-password-2') })).status).toBe(200);

    const generated = cli(['users', 'create', '--username', 'robot', '--superuser']);
    expect(generated.stdout).toMatch(/Created superuser "robot"[\s\S]*Password: \S{20,}/);
    expect(cli(['users', 'create', '--username', 'robot']).status).toBe(1);
    // What the command line did is in the activity stream, by the actor `cli`.
    const activity = await http(
      `${apiUrl()}/activitystream/?actor_username=cli&object_type=user&ordering=id`,
      {
        as: ADMIN,
      },
    );
    expect(
      activity.body.results.map((e: { operation: string; object_repr: string; actor: null }) => [
        e.operation,
        e.object_repr,
        e.actor,
      ]),
    ).toEqual([
      ['create', 'ops', null],
      ['issue_token', 'ops', null],
      ['set_password', 'ops', null],
      ['create', 'robot', null],
    ]);
    const ghost = cli(['token', '--user', 'ghost']);
    expect(ghost.status).toBe(1);
    expect(ghost.stderr).toContain('No active user "ghost"');
    // Captured, not a terminal: no ANSI colours, and a failure the user can fix is its message, no stack.
    expect(ghost.stderr).not.toContain('\x1b[');
    expect(ghost.stderr).not.toMatch(/^\s+at /m);
    expect(cli(['token', '--user', 'ops', '--ttl', 'forever']).status).toBe(2);
  }, 240_000); // eight CLI processes, each a Node start: minutes on a loaded 2-core machine

  it('exits with code 2 and a clear message on bad configuration', () => {
    const result = cli(['migrate'], { PORT: 'eighty', INVENTORY_ROLE: 'boss' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PORT must be a whole number');
    expect(result.stderr).toContain('INVENTORY_ROLE must be one of all, api, worker');
    const usage = cli(['frobnicate']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Unknown command');
  });

  it('stops PostgreSQL last on shutdown, and keeps the data for the next start', async () => {
    const pgData = join(dataDir, 'postgres');
    const before = await readPostmasterPid(pgData);
    expect(before && isAlive(before.pid)).toBe(true);
    // The stop is said at info (the README's quick start says so), whatever LOG_LEVEL hides.
    const logged: string[] = [];
    const original = Object.getOwnPropertyDescriptor(Logger.prototype, 'log')!;
    const log = original.value as (this: Logger, message: unknown, ...rest: unknown[]) => void;
    Logger.prototype.log = function (this: Logger, message: unknown, ...rest: unknown[]) {
      logged.push(String(message));
      return log.call(this, message, ...rest);
    };
    try {
      await service!.stop();
    } finally {
      Object.defineProperty(Logger.prototype, 'log', original);
    }
    service = null;
    expect(isAlive(before!.pid)).toBe(false);
    expect(logged).toContain(`Embedded PostgreSQL stopped (data kept in ${pgData})`);

    service = await startService(
      loadConfig({ INVENTORY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' }),
    );
    const port = (service.app.getHttpServer().address() as { port: number }).port;
    const providers = await http(`http://127.0.0.1:${port}/api/inventory/v1/providers/?name=Persistent`, {
      as: ADMIN,
    });
    expect(providers.body.count).toBe(1);
    expect(providers.body.results[0].connection_config.password).toBe('$encrypted$');
  });

  it('adopts a cluster whose owner died (e.g. killed with SIGKILL)', async () => {
    await service!.stop();
    service = null;
    const first = await startEmbeddedPostgres({ dataDir, drainSeconds: 0 });
    // Pretend the owner was SIGKILLed: its pid no longer exists, the server still runs.
    await writeFile(join(dataDir, 'owner.pid'), '999999\n');
    const adopted = await startEmbeddedPostgres({ dataDir, drainSeconds: 0 });
    expect(adopted.owned).toBe(true);
    expect(adopted.port).toBe(first.port);
    const pid = (await readPostmasterPid(join(dataDir, 'postgres')))!.pid;
    await adopted.stop();
    expect(isAlive(pid)).toBe(false);
    await first.stop(); // already stopped by the adopter: a no-op
  });
});
