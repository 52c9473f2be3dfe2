import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  /** Name used in pg_stat_activity, so operators can tell the service's sessions apart. */
  applicationName?: string;
}

/**
 * pg's pool, with an 'error' listener on every client it connects. A client checked out
 * of the pool (a transaction between two statements, a query runner) has none of its
 * own, and a connection the server ends then (an administrator's pg_terminate_backend,
 * a restart) emitted an unhandled 'error' that took the whole process down. The
 * statement that was running gets the error anyway (a 503), and the pool discards the
 * broken client when it is released.
 */
class ListenedPool extends pg.Pool {
  constructor(config?: pg.PoolConfig) {
    super(config);
    this.on('connect', (client) => {
      client.on('error', () => undefined);
    });
  }
}
const PG_DRIVER = Object.assign(Object.create(pg) as typeof pg, { Pool: ListenedPool });

/** The one place TypeORM is configured; used by the app, the CLI and the tests. */
export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    driver: PG_DRIVER,
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    // Extensions are created by migrations; gen_random_uuid() is built into PostgreSQL 13+.
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    applicationName: settings.applicationName ?? 'inventory',
    poolSize: settings.poolSize ?? 10,
    extra: {
      // Fail fast when the database is unreachable instead of hanging requests.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
    },
  };
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}
