import pg from 'pg';
import { classifyDatabaseError } from '../../src/common/http/database-errors.js';
import { createDataSource } from '../../src/database/data-source.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * A transaction PostgreSQL rolls back because it lost a race (a deadlock, a serialization
 * failure) is answered 503 with Retry-After, not 500: the error as the real server and
 * driver raise it is classified so.
 */
describe('transactions that lose a race', () => {
  let db: TestDatabase;
  let one: pg.Client;
  let two: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    one = new pg.Client({ connectionString: db.url });
    two = new pg.Client({ connectionString: db.url });
    await one.connect();
    await two.connect();
    await one.query(`CREATE TABLE race (id int PRIMARY KEY, n int); INSERT INTO race VALUES (1, 0), (2, 0)`);
  });
  afterAll(async () => {
    await one.end();
    await two.end();
    await db.drop();
  });

  it('a real deadlock (40P01) is a conflict to retry', async () => {
    await one.query('BEGIN');
    await two.query('BEGIN');
    await one.query('UPDATE race SET n = n + 1 WHERE id = 1');
    await two.query('UPDATE race SET n = n + 1 WHERE id = 2');
    const results = await Promise.allSettled([
      one.query('UPDATE race SET n = n + 1 WHERE id = 2'),
      two.query('UPDATE race SET n = n + 1 WHERE id = 1'),
    ]);
    await one.query('ROLLBACK');
    await two.query('ROLLBACK');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect((failed[0].reason as { code: string }).code).toBe('40P01');
    expect(classifyDatabaseError(failed[0].reason)).toBe('conflict_retry');
  });

  it('a serialization failure (40001) is a conflict to retry', async () => {
    await one.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await two.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await one.query('SELECT n FROM race WHERE id = 1');
    await two.query('SELECT n FROM race WHERE id = 1');
    await one.query('UPDATE race SET n = 5 WHERE id = 1');
    await one.query('COMMIT');
    const error = await two.query('UPDATE race SET n = 6 WHERE id = 1').catch((e: unknown) => e);
    await two.query('ROLLBACK');
    expect((error as { code: string }).code).toBe('40001');
    expect(classifyDatabaseError(error)).toBe('conflict_retry');
  });

  it('a checked-out connection the server ends is an error of its statement, not of the process', async () => {
    // Without a listener of its own, pg emitted an unhandled 'error' here (CI: database-outage).
    const ds = createDataSource({ url: db.url, applicationName: 'inventory-victim' });
    await ds.initialize();
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.query('SELECT 1');
    await one.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'inventory-victim'`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(runner.query('SELECT 1')).rejects.toThrow();
    await runner.release().catch(() => undefined);
    expect(await ds.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    await ds.destroy();
  });
});
