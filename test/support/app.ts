import type { Logger as PinoLogger } from 'pino';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createApp } from '../../src/app.factory.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { loadConfig } from '../../src/config/config.js';
import { LocalTokenKeys } from '../../src/auth/local-tokens.js';
import { hashPassword, scryptParams } from '../../src/auth/passwords.js';
import { createTestDatabase, type TestDatabase } from './db.js';

/** log2(N) of the scrypt hashes test apps make and expect (PASSWORD_SCRYPT_COST; production: 17). */
export const TEST_SCRYPT_COST = '10';

/** The Authorization header http() sends unless told otherwise: the test app's superuser. */
let defaultAuthorization: string | null = null;

/** Makes http() send these credentials by default (when a file starts several apps). */
export function useCredentials(authorization: string): void {
  defaultAuthorization = authorization;
}

export interface TestApp {
  app: NestFastifyApplication;
  /** e.g. http://127.0.0.1:41234/api/inventory/v1 (no trailing slash). */
  api: string;
  /** The server root, for paths outside the prefix. */
  root: string;
  db: TestDatabase;
  /** A pool on the test database, for factories and assertions on stored rows. */
  pool: pg.Pool;
  secretBox: SecretBox;
  /** Signs local tokens the app accepts. */
  tokens: LocalTokenKeys;
  /** The superuser `admin` the app was started with; http() uses its token by default. */
  admin: TestUser;
  /** Creates a local user (password "password-<username>") and returns its credentials. */
  createUser(username: string, options?: { superuser?: boolean }): Promise<TestUser>;
  close(): Promise<void>;
}

export interface TestUser {
  id: number;
  username: string;
  /** `Authorization` header value with a local token. */
  bearer: string;
  /** `Authorization` header value with HTTP Basic. */
  basic: string;
}

/**
 * The real application on its own cloned database, listening on a random local port.
 * `env` adds settings as environment variables would; a DATABASE_URL there is used as
 * is (the caller owns that database), otherwise a fresh clone is made and dropped.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  extra: { requestLogger?: PinoLogger } = {},
): Promise<TestApp> {
  const db: TestDatabase = env.DATABASE_URL
    ? { url: env.DATABASE_URL, name: '', drop: async () => undefined }
    : await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'inventory-app-'));
  const config = loadConfig({
    INVENTORY_DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    // Test accounts are hashed with N=2^10 instead of 2^17 (128 MiB and up to seconds per hash
    // on a busy machine): the same code path, cheaper parameters. A suite that tests the
    // parameters themselves sets PASSWORD_SCRYPT_COST.
    PASSWORD_SCRYPT_COST: TEST_SCRYPT_COST,
    ...env,
    DATABASE_URL: db.url,
  });
  const secretBox = new SecretBox(config.secretKey ?? randomBytes(32), config.previousSecretKeys);
  const tokens = LocalTokenKeys.ephemeral();
  const app = await createApp({
    config,
    databaseUrl: db.url,
    secretBox,
    localTokenKeys: tokens,
    logger: false,
    ...extra,
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const root = `http://127.0.0.1:${port}`;
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // Idle connections may be cut on purpose (database-outage tests): that is not a test failure.
  pool.on('error', () => undefined);
  const createUser = async (username: string, options: { superuser?: boolean } = {}): Promise<TestUser> => {
    const password = `password-${username}`;
    const { rows } = await pool.query<{ id: number }[]>(
      `INSERT INTO users (username, password_hash, is_superuser) VALUES ($1, $2, $3) RETURNING id`,
      [
        username,
        await hashPassword(password, scryptParams(config.passwordScryptCost)),
        options.superuser ?? false,
      ],
    );
    const id = (rows[0] as unknown as { id: number }).id;
    return {
      id,
      username,
      bearer: `Bearer ${await tokens.sign({ userId: id, username }, 3600)}`,
      basic: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    };
  };
  const admin = await createUser(`admin-${randomBytes(3).toString('hex')}`, { superuser: true });
  defaultAuthorization = admin.bearer;
  return {
    app,
    root,
    api: `${root}/api/inventory/v1`,
    db,
    pool,
    secretBox,
    tokens,
    admin,
    createUser,
    async close() {
      await app.close();
      await pool.end();
      await db.drop();
    },
  };
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * fetch + JSON, with the body parsed (or the raw text when it is not JSON). Sends the
 * test superuser's token unless `as` names other credentials or `anonymous` is set.
 */
export async function http<T = any>(
  url: string,
  init: RequestInit & { json?: unknown; as?: string; anonymous?: boolean } = {},
): Promise<JsonResponse<T>> {
  const { json, as, anonymous, ...rest } = init;
  const authorization = anonymous ? null : (as ?? defaultAuthorization);
  const response = await fetch(url, {
    ...rest,
    headers: {
      ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(authorization ? { authorization } : {}),
      ...(rest.headers ?? {}),
    },
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: response.status, headers: response.headers, body: body as T };
}
