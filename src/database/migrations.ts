import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source.js';

/** Applies pending migrations; returns their names. An advisory lock keeps concurrent starters from racing. */
export async function runMigrations(
  url: string,
  log: (message: string) => void = () => undefined,
): Promise<string[]> {
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'inventory-migrate' });
  await dataSource.initialize();
  try {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      // One lock for every replica/CLI: the second waits, then finds nothing to do.
      await runner.query('SELECT pg_advisory_lock(7231902211)');
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const migration of applied) log(`Applied migration ${migration.name}`);
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(7231902211)').catch(() => undefined);
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}

/** Reverts the most recent migration. */
export async function revertLastMigration(url: string): Promise<void> {
  const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'inventory-migrate' });
  await dataSource.initialize();
  try {
    await dataSource.undoLastMigration({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

/** Migration names with whether each has been applied. */
export async function migrationStatus(url: string): Promise<{ name: string; applied: boolean }[]> {
  const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'inventory-migrate' });
  await dataSource.initialize();
  try {
    const rows = await dataSource
      .query<{ name: string }[]>('SELECT name FROM typeorm_migrations')
      .catch(() => [] as { name: string }[]);
    const applied = new Set(rows.map((r) => r.name));
    return dataSource.migrations.map((m) => ({
      name: m.name ?? m.constructor.name,
      applied: applied.has(m.name ?? ''),
    }));
  } finally {
    await dataSource.destroy();
  }
}

/** Runs work on a short-lived connection (CLI commands, start-up chores). */
export async function withDataSource<T>(url: string, work: (db: DataSource) => Promise<T>): Promise<T> {
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'inventory-cli' });
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
