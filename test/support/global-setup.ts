import { mkdtemp, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Jest loads this file with Node's own ESM loader, outside its module mapping, so it
 * cannot import the TypeScript sources; it uses the build in dist/ instead (`npm test`
 * builds first, in `pretest`). Test files themselves run the sources through ts-jest.
 */
type EmbeddedModule = typeof import('../../src/database/embedded-postgres.js');
type MigrationsModule = typeof import('../../src/database/migrations.js');
const fromDist = <T>(path: string) =>
  import(new URL(`../../dist/${path}`, import.meta.url).href) as Promise<T>;

/** What global setup hands to the test files, through environment variables the workers inherit. */
export const ADMIN_URL_ENV = 'INVENTORY_TEST_ADMIN_URL';
export const TEMPLATE_ENV = 'INVENTORY_TEST_TEMPLATE';

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

declare global {
  var __inventoryTestCleanup: (() => Promise<void>) | undefined;
}

/**
 * Starts (or uses) one real PostgreSQL for the whole run and migrates a template
 * database once; every test file then clones it (CREATE DATABASE … TEMPLATE …), which
 * takes a few milliseconds instead of re-running migrations.
 * TEST_DATABASE_URL: use that server (CI sets it to the machine's PostgreSQL).
 * Otherwise: a throw-away embedded PostgreSQL in a temporary folder.
 */
export default async function globalSetup(): Promise<void> {
  const { startEmbeddedPostgres } = await fromDist<EmbeddedModule>('src/database/embedded-postgres.js');
  const { runMigrations } = await fromDist<MigrationsModule>('src/database/migrations.js');
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (!adminUrl) {
    const dir = await mkdtemp(join(tmpdir(), 'inventory-test-'));
    // The postgres system user must be able to traverse the folder (mkdtemp makes it 0700).
    await chmod(dir, 0o755);
    const cluster = await startEmbeddedPostgres({ dataDir: dir, database: 'postgres', drainSeconds: 0 });
    adminUrl = cluster.url;
    stopEmbedded = () => cluster.stop();
  }
  const template = `inventory_test_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  await runMigrations(databaseUrl(adminUrl, template));
  process.env[ADMIN_URL_ENV] = adminUrl;
  process.env[TEMPLATE_ENV] = template;

  globalThis.__inventoryTestCleanup = async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
        [template, `${template}_f%`],
      );
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    } finally {
      await client.end();
    }
    if (stopEmbedded) await stopEmbedded();
  };
}
