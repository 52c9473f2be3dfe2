import pg from 'pg';
import { createDataSource } from '../../src/database/data-source.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('database schema', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('matches the entities exactly after the migrations (no drift)', async () => {
    const dataSource = createDataSource({ url: db.url, poolSize: 2 });
    await dataSource.initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      // A non-empty list means an entity changed without a migration (or the reverse).
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('has the indexes the read paths need', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'`,
      );
      const defs = rows.map((r) => r.indexdef.replace(/"/g, ''));
      const expectIndex = (pattern: RegExp) => expect(defs.some((d) => pattern.test(d))).toBe(true);
      expectIndex(/UNIQUE INDEX .* ON public\.resources USING btree \(provider_id, ems_ref\)/);
      expectIndex(/ON public\.resources USING btree \(canonical_id\)/);
      expectIndex(/ON public\.resources USING btree \(organization_id, resource_type_id\)/);
      expectIndex(/ON public\.resources USING btree \(provider_id, last_seen_at\)/);
      for (const column of ['properties', 'provider_tags', 'vendor_identifiers']) {
        expectIndex(new RegExp(`ON public\\.resources USING gin \\(${column} jsonb_path_ops\\)`));
      }
      expectIndex(
        /ON public\.resources USING gin \(.*name.*ems_ref.*canonical_id.*fqdn.*vendor_type.* gin_trgm_ops\)/,
      );
      expectIndex(/ON public\.resource_sightings USING btree \(resource_id, seen_at DESC\) INCLUDE/);
      // Lookups by source use the unique index below; a separate one only slowed the writes.
      expect(
        defs.some((d) => /resource_relationships USING btree \(source_id, relationship_type\)/.test(d)),
      ).toBe(false);
      expectIndex(/ON public\.resource_relationships USING btree \(target_id, relationship_type\)/);
      expectIndex(
        /UNIQUE INDEX .* ON public\.resource_relationships USING btree \(source_id, target_id, relationship_type\)/,
      );
      expectIndex(
        /UNIQUE INDEX .* ON public\.collection_runs USING btree \(provider_id\) WHERE .*pending.*running/,
      );
      const { rows: triggers } = await client.query<{ tgname: string }>(
        `SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`,
      );
      // ON DELETE for the tables without foreign keys (migrations/1764800000000-collection-write-path.ts).
      expect(triggers.map((r) => r.tgname)).toEqual(
        expect.arrayContaining(['collection_runs_deleted', 'providers_deleting', 'resources_deleted']),
      );
      const { rows: options } = await client.query<{ reloptions: string[] }>(
        `SELECT reloptions FROM pg_class WHERE relname = 'IDX_resources_search_trgm'`,
      );
      expect(options[0].reloptions).toEqual(['gin_pending_list_limit=32768']);
    } finally {
      await client.end();
    }
  });

  it('lets only one pending-or-running run exist per provider, whatever the race', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO providers (name, organization_id, vendor, provider_type, infrastructure)
         VALUES ('race', (SELECT id FROM organizations WHERE name = 'Default'), 'vmware', 'vcenter', 'private_cloud') RETURNING id`,
      );
      const provider = rows[0].id;
      const attempts = await Promise.allSettled(
        Array.from({ length: 8 }, async () => {
          const c = new pg.Client({ connectionString: db.url });
          await c.connect();
          try {
            await c.query(`INSERT INTO collection_runs (provider_id, status) VALUES ($1, 'pending')`, [
              provider,
            ]);
          } finally {
            await c.end();
          }
        }),
      );
      expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      await client.query(`UPDATE collection_runs SET status = 'completed' WHERE provider_id = $1`, [
        provider,
      ]);
      await client.query(`INSERT INTO collection_runs (provider_id, status) VALUES ($1, 'pending')`, [
        provider,
      ]);
    } finally {
      await client.end();
    }
  });

  it('creates the Default organization', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT name FROM organizations WHERE name = 'Default'`);
      expect(rows).toHaveLength(1);
    } finally {
      await client.end();
    }
  });

  it('migrates down and up again cleanly', async () => {
    const dataSource = createDataSource({ url: db.url, poolSize: 2 });
    await dataSource.initialize();
    try {
      for (let i = 0; i < dataSource.migrations.length; i++)
        await dataSource.undoLastMigration({ transaction: 'each' });
      const tables = await dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'`,
      );
      expect(tables[0].n).toBe(0);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      expect(applied).toHaveLength(dataSource.migrations.length);
      const counts = await dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM resource_types`);
      expect(counts[0].n).toBe(85);
    } finally {
      await dataSource.destroy();
    }
  });
});
