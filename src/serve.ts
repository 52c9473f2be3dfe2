import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory.js';
import { loadOrCreateSecretKey, SecretBox } from './common/crypto/secret-box.js';
import type { InventoryConfig } from './config/config.js';
import { openDatabase } from './database/database-target.js';
import { runMigrations, withDataSource } from './database/migrations.js';
import { ensureAdminAccount } from './auth/admin-account.js';
import { scryptParams } from './auth/passwords.js';
import { API_PREFIX, VERSION } from './version.js';
import type { Logger as PinoLogger } from 'pino';
import { PinoNestLogger } from './logging/logging.js';

export interface RunningService {
  app: NestFastifyApplication;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the whole service: database (embedded or DATABASE_URL), migrations (unless
 * MIGRATIONS_RUN=false), the HTTP API. `stop()` closes in the safe order: stop
 * accepting and drain requests, close the pool, then stop embedded PostgreSQL last.
 */
export async function startService(
  config: InventoryConfig,
  options: { logger?: PinoLogger } = {},
): Promise<RunningService> {
  const logger = new Logger('Inventory');
  // Each step at debug; at info one short summary once the service listens (below).
  const log = (message: string) => logger.debug(message);
  const firstStart: string[] = [];
  // Stopping an embedded PostgreSQL is said at info, before the final "Stopped".
  const database = await openDatabase(config, log, (message) => logger.log(message));
  try {
    if (config.migrationsRun) {
      const applied = await runMigrations(database.url, log);
      log(
        applied.length
          ? `Database migrated (${applied.length} migrations applied)`
          : 'Database schema is up to date',
      );
    }
    if (config.role !== 'worker') {
      const note = await withDataSource(database.url, (db) =>
        ensureAdminAccount(db, config.dataDir, config.adminPassword, scryptParams(config.passwordScryptCost)),
      );
      if (note) firstStart.push(note);
    }
    const secret = await loadOrCreateSecretKey(config.secretKey, config.dataDir);
    if (secret.created)
      firstStart.push(`Generated the secret-encryption key in ${secret.path} (back it up with the database)`);
    const app = await createApp({
      config,
      databaseUrl: database.url,
      secretBox: new SecretBox(secret.key, config.previousSecretKeys),
      ...(options.logger
        ? { logger: new PinoNestLogger(options.logger), requestLogger: options.logger }
        : {}),
    });
    await app.listen(config.port, config.host);
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const url = `http://${shownHost}:${port}/${API_PREFIX}/`;
    logger.log(`Inventory ${VERSION} (role ${config.role}) listening on ${config.host}:${port}`);
    logger.log(`Database: ${database.description}`);
    logger.log(`API: ${url}  Docs: ${url}docs/`);
    for (const note of firstStart) logger.log(note);
    // Draining: answers carry `Connection: close`, so clients stop reusing sockets that
    // are about to go away; after the drain delay the server stops accepting and closes.
    let draining = false;
    const server = app.getHttpServer();
    server.on('request', (_request, response) => {
      if (draining && !response.headersSent) response.setHeader('Connection', 'close');
    });
    return {
      app,
      url,
      async stop() {
        draining = true;
        await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainSeconds * 1000));
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
