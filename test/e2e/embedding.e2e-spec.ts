import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import { ParentController } from '../../examples/embedded/parent.controller.js';
import { LocalTokenKeys } from '../../src/auth/local-tokens.js';
import { hashPassword, scryptParams } from '../../src/auth/passwords.js';
import { INVENTORY_FASTIFY_OPTIONS, InventoryModule } from '../../src/index.js';
import { http, TEST_SCRYPT_COST } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** A superuser row and a local token for it. */
async function createSuperuser(url: string, tokens: LocalTokenKeys): Promise<string> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const username = `embed-${randomBytes(3).toString('hex')}`;
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO users (username, password_hash, is_superuser) VALUES ($1, $2, true) RETURNING id`,
      [username, await hashPassword(`password-${username}`, scryptParams(Number(TEST_SCRYPT_COST)))],
    );
    return `Bearer ${await tokens.sign({ userId: rows[0].id, username }, 3600)}`;
  } finally {
    await pool.end();
  }
}

/**
 * The inventory mounted inside another NestJS application (the "embedded" deployment
 * mode): its routes under a prefix with its own auth, validation and errors; the
 * parent's routes untouched; its health/metrics routes off so the parent's are the ones.
 */
describe('InventoryModule embedded in a parent application', () => {
  let db: TestDatabase;
  let dataDir: string;
  let app: NestFastifyApplication;
  let root: string;
  let auth: string;
  const inv = () => `${root}/inventory/api/v1`;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'inventory-embed-'));
    const tokens = LocalTokenKeys.ephemeral();
    @Module({
      imports: [
        InventoryModule.forRoot({
          prefix: '/inventory/api/v1/',
          databaseUrl: db.url,
          health: false,
          metrics: false,
          localTokenKeys: tokens,
          config: { INVENTORY_DATA_DIR: dataDir },
        }),
      ],
      controllers: [ParentController],
    })
    class ParentModule {}
    app = await NestFactory.create<NestFastifyApplication>(
      ParentModule,
      new FastifyAdapter({ ...INVENTORY_FASTIFY_OPTIONS }),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    root = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    auth = await createSuperuser(db.url, tokens);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the inventory under the prefix, with credentials', async () => {
    const list = await http(`${inv()}/providers/`, { as: auth });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ count: 0, next: null, previous: null, results: [] });
    const categories = await http(`${inv()}/resource-categories/`, { as: auth });
    expect(categories.status).toBe(200);
    expect(categories.body.count).toBeGreaterThan(0);
    // The index links to the prefixed URLs.
    const index = await http(`${inv()}/`, { as: auth });
    expect(index.status).toBe(200);
    expect(index.body.providers).toBe(`${inv()}/providers/`);
    // Not also at the standalone prefix.
    expect((await http(`${root}/api/inventory/v1/providers/`, { as: auth })).status).toBe(404);
  });

  it("answers 401 in the inventory's shape without credentials", async () => {
    const res = await http(`${inv()}/providers/`, { anonymous: true });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: expect.any(String) });
    expect(res.headers.get('www-authenticate')).toMatch(/Basic realm="inventory"/);
  });

  it("keeps the inventory's validation and error shape on its routes", async () => {
    const invalid = await http(`${inv()}/providers/`, { as: auth, method: 'POST', json: { bogus: 1 } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.bogus).toEqual(['property bogus should not exist']);
    expect(invalid.body.detail).toEqual(expect.any(String));
    const missing = await http(`${inv()}/providers/0b0e54a6-7d2e-4c4b-9a41-0d9b6d6d7f00/`, { as: auth });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: expect.any(String) });
    // Fastify's own errors (before a controller runs) too.
    const malformed = await http(`${inv()}/providers/`, {
      as: auth,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ detail: expect.stringMatching(/^Malformed request/) });
  });

  it("leaves the parent's routes alone: no auth guard, no validation pipe, Nest's error shape", async () => {
    const hello = await http(`${root}/hello`, { anonymous: true });
    expect(hello.status).toBe(200);
    expect(hello.body).toEqual({ message: 'Hello from the parent application' });
    const echo = await http(`${root}/echo`, { anonymous: true, method: 'POST', json: { bogus: 1 } });
    expect(echo.status).toBe(201);
    expect(echo.body).toEqual({ bogus: 1 });
    const missing = await http(`${root}/items/7`, { anonymous: true });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ statusCode: 404, message: 'No item 7', error: 'Not Found' });
    const malformed = await http(`${root}/echo`, {
      anonymous: true,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ statusCode: 400 });
    expect(malformed.body.detail).toBeUndefined();
  });

  it("has no inventory health, ping or metrics routes; /health is the parent's", async () => {
    for (const path of ['health/', 'ping/', 'metrics/', 'health', 'metrics']) {
      const res = await http(`${inv()}/${path}`, { as: auth });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const health = await http(`${root}/health`, { anonymous: true });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', app: 'parent' });
  });
});

describe('InventoryModule with its health and metrics routes on, behind a global prefix (Nest testing module)', () => {
  let db: TestDatabase;
  let dataDir: string;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'inventory-embed-'));
    const moduleRef = await Test.createTestingModule({
      imports: [
        InventoryModule.forRoot({
          prefix: 'inv',
          databaseUrl: db.url,
          config: { INVENTORY_DATA_DIR: dataDir },
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter({ ...INVENTORY_FASTIFY_OPTIONS }),
      { logger: false },
    );
    app.setGlobalPrefix('parent');
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves ping, health and metrics under both prefixes, and counts its requests', async () => {
    const ping = await app.inject({ method: 'GET', url: '/parent/inv/ping/' });
    expect(ping.statusCode).toBe(200);
    const health = await app.inject({ method: 'GET', url: '/parent/inv/health/' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', database: { status: 'ok' } });
    const metrics = await app.inject({ method: 'GET', url: '/parent/inv/metrics/' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(
      /inventory_http_requests_total\{[^}]*route="\/parent\/inv\/health"[^}]*\} 1/,
    );
    // Body errors on its routes still get its error shape behind the parent's prefix.
    const malformed = await app.inject({
      method: 'POST',
      url: '/parent/inv/providers/',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ detail: expect.stringMatching(/^Malformed request/) });
    // Without credentials the rest still needs them; the admin account was created on start.
    expect((await app.inject({ method: 'GET', url: '/parent/inv/providers/' })).statusCode).toBe(401);
    const password = (await readFile(join(dataDir, 'admin-password'), 'utf8')).trim();
    const list = await app.inject({
      method: 'GET',
      url: '/parent/inv/providers/',
      headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
    });
    expect(list.statusCode).toBe(200);
  });
});

describe('examples/embedded (built, as `node dist/examples/embedded/main.js`)', () => {
  let db: TestDatabase;
  let dataDir: string;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'inventory-embed-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts and answers its own and the inventory routes', async () => {
    child = spawn(process.execPath, ['dist/examples/embedded/main.js'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, INVENTORY_DATA_DIR: dataDir, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`example did not start:\n${output}`)), 30_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Parent app listening on port (\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child!.stdout!.on('data', read);
      child!.stderr!.on('data', read);
      child!.once('exit', (code) => reject(new Error(`example exited with ${code}:\n${output}`)));
    });
    const root = `http://127.0.0.1:${port}`;
    expect((await http(`${root}/health`, { anonymous: true })).body).toEqual({ status: 'ok', app: 'parent' });
    expect((await http(`${root}/inventory/api/v1/providers/`, { anonymous: true })).status).toBe(401);
    expect((await http(`${root}/inventory/api/v1/health/`, { anonymous: true })).status).toBe(404);
    const password = (await readFile(join(dataDir, 'admin-password'), 'utf8')).trim();
    const basic = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
    const list = await http(`${root}/inventory/api/v1/resource-types/`, { as: basic });
    expect(list.status).toBe(200);
    expect(list.body.count).toBeGreaterThan(0);
    const docs = await http(`${root}/inventory/api/v1/openapi.json`, { anonymous: true });
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toContain('/inventory/api/v1/providers');
    expect(Object.keys(docs.body.paths)).not.toContain('/hello');
  });
});
