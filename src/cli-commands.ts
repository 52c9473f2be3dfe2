import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConsoleLogger, type LogLevel, Logger } from '@nestjs/common';
import { buildOpenApiDocument, createApp, nestLogLevels } from './app.factory.js';
import { LocalTokenKeys } from './auth/local-tokens.js';
import { RotationError, rotateSecrets } from './common/crypto/rotate-secrets.js';
import { loadOrCreateSecretKey, SecretBox, secretKeyId } from './common/crypto/secret-box.js';
import { seedMultivendor } from '../seeds/multivendor.seed.js';
import { seedVmwareLab } from '../seeds/vmware-lab.seed.js';
import {
  CONFIG_ERROR_EXIT_CODE,
  ConfigError,
  loadConfig,
  parseSecretKey,
  type InventoryConfig,
} from './config/config.js';
import { openDatabase } from './database/database-target.js';
import {
  migrationStatus,
  revertLastMigration,
  runMigrations,
  withDataSource,
} from './database/migrations.js';
import { generatePassword, hashPassword, scryptParams } from './auth/passwords.js';
import { modifyReturning } from './database/modify-returning.js';
import { startService } from './serve.js';
import { CLI_ACTOR, diffFields, recordActivity } from './platform/activity.service.js';
import { createLogger, PinoNestLogger } from './logging/logging.js';
import type { Logger as PinoLogger } from 'pino';
import { VERSION } from './version.js';

const USAGE = `inventory ${VERSION}: unified infrastructure inventory

Usage: inventory <command> [options]

Commands:
  serve                 Run the service (default). Role from INVENTORY_ROLE.
  migrate               Apply pending database migrations.
  migrate --status      List migrations and whether each is applied.
  migrate --revert      Revert the most recent migration.
  openapi [--out FILE]  Print (or write) the OpenAPI document; needs no database.
  users create --username NAME [--password P | --password-stdin] [--superuser] [--email E]
                        Create a local user (a generated password is printed once).
  users set-password --username NAME [--password P | --password-stdin]
                        Set a local user's password.
  seed vmware-lab [--flush]
                        Create the simulated VMware lab provider and run eight
                        collections over the past week (--flush: start over).
  seed multivendor [--flush]
                        The VMware lab, an AWS account and an OpenShift cluster
                        (local simulators, started for the collections) that
                        share machines: see GET /machines/?provider_count__gte=2.
  token --user NAME [--ttl SECONDS]
                        Print a token for scripts (Authorization: Bearer ...);
                        default lifetime 1 day, at most 1 year.
  rotate-secrets [--dry-run]
                        Re-encrypt every stored secret (provider connection
                        settings, webhook secrets) under INVENTORY_SECRET_KEY, in
                        one transaction; the old key comes from
                        INVENTORY_SECRET_KEY_PREVIOUS (comma-separated) or the data
                        folder's secret.key. --dry-run checks every value opens.
  help                  Show this text.

Without DATABASE_URL every command uses the embedded PostgreSQL in INVENTORY_DATA_DIR
(default ./.data), attaching to it when the service is already running.
Exit codes: 0 ok, 1 failure, 2 bad configuration or usage.`;

class UsageError extends Error {}

/**
 * Nest's console logger, writing every level to stderr: coloured on a terminal only, so
 * piped or captured output (CI logs, `2> file`) carries no ANSI escapes; NO_COLOR too.
 */
class StderrLogger extends ConsoleLogger {
  constructor(logLevels: LogLevel[]) {
    super({ logLevels, colors: process.stderr.isTTY === true && !process.env.NO_COLOR });
  }

  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel): void {
    super.printMessages(messages, context, logLevel, 'stderr');
  }
}

const logger = new Logger('CLI');

async function withDatabase<T>(config: InventoryConfig, work: (url: string) => Promise<T>): Promise<T> {
  const database = await openDatabase(config, (m) => logger.log(m));
  try {
    return await work(database.url);
  } finally {
    await database.close();
  }
}

async function serve(config: InventoryConfig, serviceLogger: PinoLogger): Promise<void> {
  const service = await startService(config, { logger: serviceLogger });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    logger.log(`${signal} received: finishing in-flight requests, then stopping`);
    service.stop().then(
      () => {
        logger.log('Stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(error instanceof Error ? error.message : String(error));
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

async function migrate(
  config: InventoryConfig,
  flags: { status?: boolean; revert?: boolean },
): Promise<void> {
  await withDatabase(config, async (url) => {
    if (flags.status) {
      for (const m of await migrationStatus(url)) console.log(`${m.applied ? '[x]' : '[ ]'} ${m.name}`);
    } else if (flags.revert) {
      await revertLastMigration(url);
      logger.log('Reverted the most recent migration');
    } else {
      const applied = await runMigrations(url, (m) => logger.log(m));
      logger.log(
        applied.length
          ? `Applied ${applied.length} migrations`
          : 'Nothing to migrate: the schema is up to date',
      );
    }
  });
}

async function openapi(config: InventoryConfig, out: string | undefined): Promise<void> {
  const app = await createApp({
    config,
    databaseUrl: 'postgres://unused@127.0.0.1/unused',
    secretBox: new SecretBox(Buffer.alloc(32)),
    localTokenKeys: LocalTokenKeys.ephemeral(),
    withoutDatabase: true,
    logger: false,
  });
  const json = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  await app.close();
  if (out) {
    await writeFile(out, json);
    logger.log(`Wrote ${out}`);
  } else {
    process.stdout.write(json);
  }
}

interface UserFlags {
  username?: string;
  password?: string;
  'password-stdin'?: boolean;
  superuser?: boolean;
  email?: string;
}

async function readPassword(flags: UserFlags): Promise<string | null> {
  if (flags['password-stdin']) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split('\n')[0];
  }
  return flags.password ?? null;
}

async function users(config: InventoryConfig, action: string | undefined, flags: UserFlags): Promise<void> {
  if (action !== 'create' && action !== 'set-password')
    throw new UsageError('Use "users create" or "users set-password".');
  if (!flags.username) throw new UsageError('--username is required.');
  const username = flags.username;
  const given = await readPassword(flags);
  if (given !== null && given.length < 8) throw new UsageError('The password must be at least 8 characters.');
  const password = given ?? generatePassword();
  await withDatabase(config, (url) =>
    withDataSource(url, async (db) => {
      const hash = await hashPassword(password, scryptParams(config.passwordScryptCost));
      // The change and its activity entry (actor `cli`) commit together.
      await db.transaction(async (manager) => {
        if (action === 'create') {
          const rows = await manager.query<{ id: number }[]>(
            `INSERT INTO users (username, password_hash, is_superuser, email) VALUES ($1, $2, $3, $4)
             ON CONFLICT (username) DO NOTHING RETURNING id`,
            [username, hash, flags.superuser ?? false, flags.email ?? ''],
          );
          if (!rows[0]) throw new CliError(`User "${username}" already exists; use "users set-password".`);
          await recordActivity(manager, CLI_ACTOR, {
            operation: 'create',
            objectType: 'user',
            objectId: rows[0].id,
            objectRepr: username,
            organizationId: null,
            changes: diffFields(
              {},
              { username, email: flags.email ?? '', is_superuser: flags.superuser ?? false },
            ),
          });
          console.log(`Created ${flags.superuser ? 'superuser' : 'user'} "${username}" (id ${rows[0].id}).`);
        } else {
          const rows = await modifyReturning<{ id: number }>(
            manager,
            `UPDATE users SET password_hash = $2, password_changed_at = now(), modified = now() WHERE username = $1 RETURNING id`,
            [username, hash],
          );
          if (!rows[0]) throw new CliError(`No user "${username}".`);
          await recordActivity(manager, CLI_ACTOR, {
            operation: 'set_password',
            objectType: 'user',
            objectId: rows[0].id,
            objectRepr: username,
            organizationId: null,
          });
          console.log(`Password of "${username}" changed.`);
        }
      });
      if (given === null) console.log(`Password: ${password}`);
    }),
  );
}

async function token(
  config: InventoryConfig,
  username: string | undefined,
  ttl: string | undefined,
): Promise<void> {
  if (!username) throw new UsageError('--user is required.');
  const seconds = ttl === undefined ? 86400 : Number(ttl);
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > 366 * 86400) {
    throw new UsageError('--ttl must be a whole number of seconds from 60 to 31622400.');
  }
  const keys = await LocalTokenKeys.load(config.dataDir);
  await withDatabase(config, (url) =>
    withDataSource(url, async (db) => {
      const rows = await db.query<{ id: number; is_active: boolean }[]>(
        `SELECT id, is_active FROM users WHERE username = $1`,
        [username],
      );
      if (!rows[0] || !rows[0].is_active) throw new CliError(`No active user "${username}".`);
      const signed = await keys.sign({ userId: rows[0].id, username }, seconds);
      // Who can act as whom is an action too: the issue (never the token) goes to the activity stream.
      await recordActivity(db, CLI_ACTOR, {
        operation: 'issue_token',
        objectType: 'user',
        objectId: rows[0].id,
        objectRepr: username,
        organizationId: null,
        changes: { ttl_seconds: [null, seconds] },
      });
      process.stdout.write(`${signed}\n`);
    }),
  );
}

async function seed(config: InventoryConfig, name: string | undefined, flush: boolean): Promise<void> {
  if (name !== 'vmware-lab' && name !== 'multivendor')
    throw new UsageError('Use "seed vmware-lab [--flush]" or "seed multivendor [--flush]".');
  const secret = await loadOrCreateSecretKey(config.secretKey, config.dataDir);
  if (name === 'multivendor') {
    await withDatabase(config, (url) =>
      withDataSource(url, async (db) => {
        const result = await seedMultivendor(db, new SecretBox(secret.key), {
          flush,
          progress: (m) => process.stderr.write(`${m}\n`),
        });
        console.log(
          `Multivendor seeded: providers vmware ${result.providers.vmware}, aws ${result.providers.aws}, kubernetes ${result.providers.kubernetes}; ` +
            `${result.shared.length} machines seen by several providers (GET /machines/?provider_count__gte=2): ${result.shared.join(', ')}. ` +
            'The AWS and cluster simulators stopped with this command: collecting those two providers again needs it run again.',
        );
      }),
    );
    return;
  }
  await withDatabase(config, (url) =>
    withDataSource(url, async (db) => {
      const result = await seedVmwareLab(db, new SecretBox(secret.key), {
        flush,
        progress: (m) => process.stderr.write(`${m}\n`),
      });
      if (!result.skipped) {
        const [counts] = await db.query<{ resources: number; relationships: number; sightings: number }[]>(
          `SELECT (SELECT count(*) FROM resources WHERE provider_id = $1)::int AS resources,
                  (SELECT count(*) FROM resource_relationships WHERE provider_id = $1)::int AS relationships,
                  (SELECT count(*) FROM resource_sightings WHERE provider_id = $1)::int AS sightings`,
          [result.providerId],
        );
        console.log(
          `VMware lab seeded: provider ${result.providerId}, ${result.runs} runs, ${counts.resources} resources, ${counts.relationships} relationships, ${counts.sightings} sightings.`,
        );
      }
    }),
  );
}

/** A failure the user can fix (exit code 1, message only). */
class CliError extends Error {}

async function rotate(config: InventoryConfig, dryRun: boolean): Promise<void> {
  if (!config.secretKey)
    throw new UsageError(
      "rotate-secrets needs the new key in INVENTORY_SECRET_KEY and the old one in INVENTORY_SECRET_KEY_PREVIOUS (or in the data folder's secret.key).",
    );
  const previous = [...config.previousSecretKeys];
  const file = await readFile(join(config.dataDir, 'secret.key'), 'utf8').catch(() => null);
  const fileKey = file === null ? null : parseSecretKey(file.trim());
  if (fileKey && !fileKey.equals(config.secretKey)) previous.push(fileKey);
  const box = new SecretBox(config.secretKey, previous);
  const ids = previous.map(secretKeyId).filter((id) => id !== box.keyId);
  logger.log(
    `Re-encrypting under key ${box.keyId}; old keys: ${ids.length ? [...new Set(ids)].join(', ') : 'none given (only old-format values under the new key can be upgraded)'}`,
  );
  await withDatabase(config, (url) =>
    withDataSource(url, async (db) => {
      try {
        const report = await rotateSecrets(db, box, (m) => process.stderr.write(`${m}\n`), { dryRun });
        console.log(
          `${dryRun ? 'Dry run (nothing changed): would re-encrypt' : 'Re-encrypted'} ${report.rotated} secrets ` +
            `(${report.providers} providers, ${report.webhooks} webhooks) under key ${box.keyId}; ${report.current} already were.` +
            (dryRun
              ? ''
              : ' Run every process with this INVENTORY_SECRET_KEY now; INVENTORY_SECRET_KEY_PREVIOUS can go once none uses the old key.'),
        );
      } catch (error) {
        if (error instanceof RotationError) throw new CliError(error.message);
        throw error;
      }
    }),
  );
}

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      status: { type: 'boolean' },
      revert: { type: 'boolean' },
      out: { type: 'string' },
      username: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      superuser: { type: 'boolean' },
      email: { type: 'string' },
      ttl: { type: 'string' },
      flush: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0] ?? 'serve';
  if (values.help || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  // Logs go to stderr for every command but serve, so stdout can be piped (TOKEN=$(inventory token ...)).
  // serve logs structured (JSON lines; readable on a terminal), see logging/logging.ts.
  const serviceLogger = command === 'serve' ? createLogger(config, { format: config.logFormat }) : null;
  Logger.overrideLogger(
    serviceLogger ? new PinoNestLogger(serviceLogger) : new StderrLogger(nestLogLevels(config.logLevel)),
  );
  switch (command) {
    case 'serve':
      await serve(config, serviceLogger!);
      return -1; // keep running until a signal
    case 'migrate':
      await migrate(config, values);
      return 0;
    case 'openapi':
      await openapi(config, values.out);
      return 0;
    case 'users':
      await users(config, positionals[1], values);
      return 0;
    case 'seed':
      await seed(config, positionals[1], values.flush ?? false);
      return 0;
    case 'token':
      await token(config, values.user, values.ttl);
      return 0;
    case 'rotate-secrets':
      await rotate(config, values['dry-run'] ?? false);
      return 0;
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

/** Runs a CLI invocation and exits the process with its code (except for `serve`, which keeps running). */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (error: unknown) => {
      if (
        error instanceof ConfigError ||
        error instanceof UsageError ||
        (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
      ) {
        console.error(
          error instanceof UsageError ? `${error.message}\n\n${USAGE}` : (error as Error).message,
        );
        process.exit(CONFIG_ERROR_EXIT_CODE);
      }
      // A failure the user can fix is its message; anything else is a bug: its stack.
      logger.error(
        error instanceof CliError
          ? error.message
          : error instanceof Error
            ? (error.stack ?? error.message)
            : String(error),
      );
      process.exit(1);
    },
  );
}
