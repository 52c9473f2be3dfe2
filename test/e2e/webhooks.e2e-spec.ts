import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyWebhookSignature } from '../../src/webhooks/webhook-signature.js';
import { http, startTestApp, useCredentials, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createOrganization } from '../support/factories.js';
import { createSystem } from '../support/facts.js';

/**
 * Webhooks against real local HTTP receivers: one that answers 200 (and checks every
 * signature), one that fails (retries, then the dead letter), one that hangs (the
 * timeout), and a worker process killed with SIGKILL in the middle of a delivery
 * (another worker delivers it once the lease runs out: nothing is lost).
 */

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver: records every request, answers as `answer` says (or never, for 'hang'). */
async function receiver(
  answer: (n: number, req: Received) => number | 'hang',
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry = { headers: req.headers, body };
      received.push(entry);
      const status = answer(received.length, entry);
      if (status === 'hang') hanging.push(res);
      else res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const SECRET = 'a-long-webhook-secret-1234';
const FAST = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_MAX_ATTEMPTS: '3',
  WEBHOOK_BACKOFF_BASE_MS: '50',
  WEBHOOK_BACKOFF_MAX_SECONDS: '1',
  WEBHOOK_TIMEOUT_SECONDS: '3',
  WEBHOOK_SWEEP_SECONDS: '1',
};

describe('webhooks', () => {
  let t: TestApp;
  let org: number;
  beforeAll(async () => {
    t = await startTestApp(FAST);
    org = await createOrganization(t.pool);
  });
  afterAll(async () => {
    await t.close();
  });

  const createHook = async (url: string, extra: Record<string, unknown> = {}) => {
    const res = await http(`${t.api}/webhooks/`, {
      method: 'POST',
      json: {
        organization: org,
        name: `hook-${randomBytes(3).toString('hex')}`,
        url,
        secret: SECRET,
        ...extra,
      },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const deliveries = async (hook: string) =>
    (await http(`${t.api}/webhooks/${hook}/deliveries/`)).body.results;

  it('creates, lists, changes and deletes webhooks; the secret is sealed and never answered', async () => {
    const hook = await createHook('https://hooks.example.com/x', { event_types: ['resource.*'] });
    expect(hook).toMatchObject({
      organization: org,
      event_types: ['resource.*'],
      enabled: true,
      has_secret: true,
    });
    expect(JSON.stringify(hook)).not.toContain(SECRET);
    const stored = await t.pool.query<{ secret: string }>(`SELECT secret FROM webhooks WHERE id = $1`, [
      hook.id,
    ]);
    expect(stored.rows[0].secret.startsWith(`$encrypted$v2$${t.secretBox.keyId}$`)).toBe(true);
    expect(t.secretBox.open(stored.rows[0].secret, `webhook:${hook.id}:secret`)).toBe(SECRET);

    const list = await http(`${t.api}/webhooks/?organization=${org}`);
    expect(list.body.results.map((w: { id: string }) => w.id)).toContain(hook.id);
    expect(JSON.stringify(list.body)).not.toContain(SECRET);

    const patched = await http(`${t.api}/webhooks/${hook.id}/`, {
      method: 'PATCH',
      json: { enabled: false, event_types: ['collection_run.failed'], secret: 'another-secret-of-16+' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, event_types: ['collection_run.failed'] });
    expect(JSON.stringify(patched.body)).not.toContain('another-secret');

    expect((await http(`${t.api}/webhooks/${hook.id}/`, { method: 'DELETE' })).status).toBe(204);
    expect((await http(`${t.api}/webhooks/${hook.id}/`)).status).toBe(404);
  });

  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const before = (await t.pool.query(`SELECT count(*)::int AS n FROM webhooks`)).rows[0].n;
    const bad: [Record<string, unknown>, string][] = [
      [{ url: 'ftp://example.com/x' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'https://user:pw@example.com/x' }, 'url'],
      [{ event_types: ['nope.*'] }, 'event_types'],
      [{ event_types: 'resource.*' }, 'event_types'],
      [{ secret: 'short' }, 'secret'],
      [{ organization: 999999 }, 'organization'],
      [{ unknown_field: 1 }, 'unknown_field'],
    ];
    for (const [change, field] of bad) {
      const res = await http(`${t.api}/webhooks/`, {
        method: 'POST',
        json: {
          organization: org,
          name: 'bad',
          url: 'https://hooks.example.com/x',
          secret: SECRET,
          ...change,
        },
      });
      expect([res.status, Object.keys(res.body.errors ?? {})]).toEqual([400, [field]]);
    }
    const hook = await createHook('https://hooks.example.com/y');
    const res = await http(`${t.api}/webhooks/${hook.id}/`, { method: 'PATCH', json: { url: null } });
    expect(res.status).toBe(400);
    expect(
      (await http(`${t.api}/webhooks/${hook.id}/deliveries/not-a-uuid/redeliver/`, { method: 'POST' }))
        .status,
    ).toBe(400);
    expect(
      (await http(`${t.api}/webhooks/${hook.id}/deliveries/${hook.id}/redeliver/`, { method: 'POST' }))
        .status,
    ).toBe(404);
    expect((await t.pool.query(`SELECT count(*)::int AS n FROM webhooks`)).rows[0].n).toBe(before + 1);
  });

  it('gives webhook.* to Organization Admin only, in its own organization', async () => {
    const roleId = async (name: string) =>
      (await http(`${t.api}/role_definitions/?name=${encodeURIComponent(name)}`)).body.results[0]
        .id as number;
    const other = await createOrganization(t.pool);
    const admin = await t.createUser('webhooks-admin');
    const member = await t.createUser('webhooks-member');
    for (const [role, user] of [
      ['Organization Admin', admin.id],
      ['Organization Member', member.id],
    ] as const)
      expect(
        (
          await http(`${t.api}/role_user_assignments/`, {
            method: 'POST',
            json: { role_definition: await roleId(role), user, object_id: String(other) },
          })
        ).status,
      ).toBe(201);
    const body = { organization: other, name: 'rbac', url: 'https://hooks.example.com/z', secret: SECRET };
    expect((await http(`${t.api}/webhooks/`, { method: 'POST', json: body, as: member.bearer })).status).toBe(
      403,
    );
    const created = await http(`${t.api}/webhooks/`, { method: 'POST', json: body, as: admin.bearer });
    expect(created.status).toBe(201);
    expect((await http(`${t.api}/webhooks/${created.body.id}/`, { as: member.bearer })).status).toBe(404);
    expect((await http(`${t.api}/webhooks/`, { as: member.bearer })).body.count).toBe(0);
    const mine = await http(`${t.api}/webhooks/`, { as: admin.bearer });
    expect(mine.body.results.map((w: { id: string }) => w.id)).toEqual([created.body.id]);
    // Not in an organization it does not administer:
    const elsewhere = { ...body, organization: org, name: 'elsewhere' };
    expect([400, 403]).toContain(
      (await http(`${t.api}/webhooks/`, { method: 'POST', json: elsewhere, as: admin.bearer })).status,
    );
  });

  it('delivers matching events signed, with a delivery id, and logs the delivery; test and redeliver', async () => {
    const ok = await receiver(() => 200);
    try {
      const hook = await createHook(ok.url, { event_types: ['system.*'] });
      const ignored = await createHook(ok.url, { event_types: ['collection_run.*'] });
      const system = await createSystem(t, org, `hooked-${randomBytes(3).toString('hex')}`);
      const [first] = await until('the delivery', async () => {
        const rows = await deliveries(hook.id);
        return rows.length && rows[0].status === 'succeeded' && rows;
      });
      expect(first).toMatchObject({
        event_type: 'system.enrolled',
        status: 'succeeded',
        response_code: 200,
        error: null,
      });
      expect(typeof first.duration_ms).toBe('number');
      const request = ok.received.find((r) => r.headers['x-inventory-delivery'] === first.id)!;
      expect(request).toBeDefined();
      expect(
        verifyWebhookSignature(SECRET, request.body, String(request.headers['x-inventory-signature'])),
      ).toBe(true);
      expect(
        verifyWebhookSignature(
          'wrong-secret-0000000',
          request.body,
          String(request.headers['x-inventory-signature']),
        ),
      ).toBe(false);
      const payload = JSON.parse(request.body);
      expect(payload).toMatchObject({
        type: 'system.enrolled',
        event: { type: 'system.enrolled', system: system.id, organization: org },
      });
      expect(await deliveries(ignored.id)).toEqual([]);

      const ping = await http(`${t.api}/webhooks/${hook.id}/test/`, { method: 'POST' });
      expect(ping.status).toBe(202);
      expect(ping.body).toMatchObject({ event_type: 'webhook.test', event: null });
      const again = await http(`${t.api}/webhooks/${hook.id}/deliveries/${first.id}/redeliver/`, {
        method: 'POST',
      });
      expect(again.status).toBe(202);
      expect(again.body.redelivery_of).toBe(first.id);
      await until('the ping and the redelivery', async () => {
        const rows = await deliveries(hook.id);
        return rows.filter((d: { status: string }) => d.status === 'succeeded').length === 3;
      });
      const redelivered = ok.received.find((r) => r.headers['x-inventory-delivery'] === again.body.id)!;
      expect(redelivered.body).toBe(request.body);
      const pinged = ok.received.find((r) => r.headers['x-inventory-delivery'] === ping.body.id)!;
      expect(JSON.parse(pinged.body)).toMatchObject({ type: 'webhook.test', webhook: { id: hook.id } });
      for (const r of ok.received)
        expect(verifyWebhookSignature(SECRET, r.body, String(r.headers['x-inventory-signature']))).toBe(true);
      const filtered = await http(`${t.api}/webhooks/${hook.id}/deliveries/?event_type=webhook.test`);
      expect(filtered.body.results.map((d: { id: string }) => d.id)).toEqual([ping.body.id]);
    } finally {
      await ok.close();
    }
  });

  it('retries a failing receiver with backoff, then dead-letters the delivery after WEBHOOK_MAX_ATTEMPTS', async () => {
    const failing = await receiver(() => 500);
    try {
      const hook = await createHook(failing.url);
      const ping = await http(`${t.api}/webhooks/${hook.id}/test/`, { method: 'POST' });
      const dead = await until('the dead letter', async () => {
        const d = (await http(`${t.api}/webhooks/${hook.id}/deliveries/${ping.body.id}/`)).body;
        return d.status === 'dead' && d;
      });
      expect(dead).toMatchObject({ attempt: 3, response_code: 500, error: 'answered 500' });
      const ids = failing.received.map((r) => r.headers['x-inventory-delivery']);
      expect(ids).toEqual([ping.body.id, ping.body.id, ping.body.id]);
      const listed = await http(`${t.api}/webhooks/${hook.id}/deliveries/?status=dead`);
      expect(listed.body.results.map((d: { id: string }) => d.id)).toEqual([ping.body.id]);
    } finally {
      await failing.close();
    }
  });

  it('gives up on a receiver that hangs after WEBHOOK_TIMEOUT_SECONDS, and retries it', async () => {
    const hanging = await receiver(() => 'hang');
    try {
      const hook = await createHook(hanging.url);
      const ping = await http(`${t.api}/webhooks/${hook.id}/test/`, { method: 'POST' });
      const dead = await until('the dead letter', async () => {
        const d = (await http(`${t.api}/webhooks/${hook.id}/deliveries/${ping.body.id}/`)).body;
        return d.status === 'dead' && d;
      });
      expect(dead).toMatchObject({ attempt: 3, response_code: null, error: 'timed out after 3 s' });
      expect(hanging.received.length).toBe(3);
    } finally {
      await hanging.close();
    }
  });
});

describe('webhook targets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses loopback, link-local and private targets without WEBHOOK_ALLOW_PRIVATE_TARGETS', async () => {
    useCredentials(t.admin.bearer);
    const org = await createOrganization(t.pool);
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://localhost/x',
      'http://169.254.169.254/latest/meta-data',
      'http://10.1.2.3/x',
      'http://192.168.1.1/x',
      'http://[::1]/x',
      'http://[fd00::1]/x',
      'http://[::ffff:127.0.0.1]/x',
    ]) {
      const res = await http(`${t.api}/webhooks/`, {
        method: 'POST',
        json: { organization: org, name: 'private', url, secret: SECRET },
      });
      expect([url, res.status, Object.keys(res.body.errors ?? {})]).toEqual([url, 400, ['url']]);
    }
    expect((await t.pool.query(`SELECT count(*)::int AS n FROM webhooks`)).rows[0].n).toBe(0);
  });
});

describe('a worker killed with SIGKILL in the middle of a delivery', () => {
  let db: TestDatabase;
  let api: TestApp;
  let worker: TestApp | null = null;
  let child: ChildProcess | null = null;
  const key = randomBytes(32).toString('hex');
  beforeAll(async () => {
    db = await createTestDatabase();
    // The API process only enqueues; the workers below deliver.
    api = await startTestApp({
      ...FAST,
      DATABASE_URL: db.url,
      INVENTORY_ROLE: 'api',
      INVENTORY_SECRET_KEY: key,
    });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await worker?.close();
    await api.close();
    await db.drop();
  });

  it('loses nothing: another worker delivers it again once the lease runs out', async () => {
    useCredentials(api.admin.bearer);
    let killed!: () => void;
    const killedNow = new Promise<void>((resolve) => (killed = resolve));
    const target = await receiver((n) => {
      if (n === 1) {
        child!.kill('SIGKILL'); // the first attempt is in flight in the child: kill it there
        killed();
        return 'hang';
      }
      return 200;
    });
    try {
      const org = await createOrganization(api.pool);
      const created = await http(`${api.api}/webhooks/`, {
        method: 'POST',
        json: { organization: org, name: 'kill', url: target.url, secret: SECRET },
      });
      expect(created.status).toBe(201);
      const dataDir = await mkdtemp(join(tmpdir(), 'inventory-webhook-worker-'));
      await chmod(dataDir, 0o755);
      child = spawn(process.execPath, ['dist/src/cli.js', 'serve'], {
        env: {
          PATH: process.env.PATH ?? '',
          ...FAST,
          DATABASE_URL: db.url,
          INVENTORY_DATA_DIR: dataDir,
          INVENTORY_SECRET_KEY: key,
          INVENTORY_ROLE: 'worker',
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          MIGRATIONS_RUN: 'false',
        },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child!.on('exit', (_code, signal) => resolve(signal)),
      );
      // The event: a system enrolled through the API process.
      await createSystem(api, org, 'killed-mid-delivery');
      await killedNow;
      expect(await exited).toBe('SIGKILL');
      const [inFlight] = (await api.pool.query(`SELECT id, status, attempt FROM webhook_deliveries`)).rows;
      expect(inFlight).toMatchObject({ status: 'delivering', attempt: 1 });

      worker = await startTestApp({
        ...FAST,
        DATABASE_URL: db.url,
        INVENTORY_ROLE: 'worker',
        INVENTORY_SECRET_KEY: key,
      });
      const done = await until(
        'the redelivery',
        async () => {
          const d = (
            await http(`${api.api}/webhooks/${created.body.id}/deliveries/${inFlight.id}/`, {
              as: api.admin.bearer,
            })
          ).body;
          return d.status === 'succeeded' && d;
        },
        40_000,
      );
      // At least the killed attempt and the one that succeeded (a slow machine may need more).
      expect(done.attempt).toBeGreaterThanOrEqual(2);
      expect(done.response_code).toBe(200);
      expect(target.received.length).toBeGreaterThanOrEqual(2);
      for (const r of target.received) {
        expect(r.headers['x-inventory-delivery']).toBe(inFlight.id);
        expect(r.body).toBe(target.received[0].body);
      }
    } finally {
      await target.close();
    }
  });
});
