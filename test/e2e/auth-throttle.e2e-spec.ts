import { hashPassword, scryptParams, verifyPassword } from '../../src/auth/passwords.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { JobScheduler } from '../../src/retention/job-scheduler.js';
import { http, startTestApp, type TestApp, type TestUser } from '../support/app.js';
import { createOrganization } from '../support/factories.js';
import { createSystem, loadDebianFacts } from '../support/facts.js';

const MAX_FAILURES = 3;
const ADDRESS_MAX_FAILURES = 6;
const LOCKOUT_SECONDS = 300;

/** The throttle's settings for these tests: small caps, forwarding headers believed from the loopback. */
const THROTTLE_ENV = {
  AUTH_THROTTLE_MAX_FAILURES: String(MAX_FAILURES),
  AUTH_THROTTLE_ADDRESS_MAX_FAILURES: String(ADDRESS_MAX_FAILURES),
  AUTH_THROTTLE_WINDOW_SECONDS: '600',
  AUTH_THROTTLE_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS),
  // The tests speak for many client addresses through X-Forwarded-For.
  TRUSTED_PROXIES: '127.0.0.1/32,::1/128',
};

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/**
 * The failed-authentication throttle and password hashing (issue #11 item 3, issue #14's
 * "throttled like every failed login"): per username (or system key) from one address and
 * per address, in PostgreSQL, refused before any hash is computed.
 */
describe('failed-authentication throttle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(THROTTLE_ENV);
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (app: TestApp, username: string, password: string, from: string) =>
    http(`${app.api}/auth/login/`, {
      method: 'POST',
      json: { username, password },
      anonymous: true,
      headers: { 'x-forwarded-for': from },
    });
  const me = (app: TestApp, authorization: string, from: string) =>
    http(`${app.api}/users/me/`, { as: authorization, headers: { 'x-forwarded-for': from } });

  /** inventory_credential_checks_total of one app, by `kind/outcome`. */
  async function checks(app: TestApp): Promise<Record<string, number>> {
    const metric = await app.app.get(MetricsService).credentialChecks.get();
    return Object.fromEntries(metric.values.map((v) => [`${v.labels.kind}/${v.labels.outcome}`, v.value]));
  }
  const delta = (before: Record<string, number>, after: Record<string, number>, key: string) =>
    (after[key] ?? 0) - (before[key] ?? 0);

  const expectThrottled = (res: { status: number; headers: Headers; body: any }) => {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(LOCKOUT_SECONDS);
    expect(res.body.detail).toMatch(/Too many failed authentication attempts; try again in \d+ seconds\./);
  };

  it('answers 429 with Retry-After after N failures of a username, before any password check', async () => {
    const user = await t.createUser('throttled-user');
    const from = '198.51.100.1';
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await login(t, user.username, 'wrong', from);
      expect(res.status).toBe(401);
      expect(res.body.detail).toBe('Invalid username or password.');
    }
    const before = await checks(t);
    // Locked now: a wrong password, the right one, and HTTP Basic (the same counter) are all 429.
    expectThrottled(await login(t, user.username, 'wrong', from));
    expectThrottled(await login(t, user.username, `password-${user.username}`, from));
    expectThrottled(await me(t, user.basic, from));
    const after = await checks(t);
    // Refused before verification: no hash was computed for the three attempts.
    expect(delta(before, after, 'user/throttled')).toBe(3);
    expect(delta(before, after, 'user/verified')).toBe(0);
    expect(delta(before, after, 'user/rejected')).toBe(0);
    // Keyed on (username, address): the same user signs in from another address.
    expect((await login(t, user.username, `password-${user.username}`, '198.51.100.2')).status).toBe(200);
    // A local token is not a password guess: never throttled.
    expect((await me(t, user.bearer, from)).status).toBe(200);
    const rows = await t.pool.query(
      `SELECT failures, locked_until > now() AS locked FROM auth_throttle WHERE bucket = $1`,
      [`user:${from}|${user.username}`],
    );
    expect(rows.rows).toEqual([{ failures: MAX_FAILURES, locked: true }]);
  });

  it('an unknown username is throttled the same way (no hint that it does not exist)', async () => {
    const from = '198.51.100.3';
    for (let i = 0; i < MAX_FAILURES; i++)
      expect((await me(t, basic('nobody-here', 'guess'), from)).status).toBe(401);
    expectThrottled(await me(t, basic('nobody-here', 'guess'), from));
  });

  it('a success resets that username’s counter from that address', async () => {
    const user = await t.createUser('resetting-user');
    const from = '198.51.100.4';
    for (let i = 0; i < MAX_FAILURES - 1; i++)
      expect((await login(t, user.username, 'typo', from)).status).toBe(401);
    expect((await login(t, user.username, `password-${user.username}`, from)).status).toBe(200);
    const left = await t.pool.query(`SELECT 1 FROM auth_throttle WHERE bucket = $1`, [
      `user:${from}|${user.username}`,
    ]);
    expect(left.rows).toEqual([]);
    // A full N failures again before the lock.
    for (let i = 0; i < MAX_FAILURES; i++)
      expect((await login(t, user.username, 'typo', from)).status).toBe(401);
    expectThrottled(await login(t, user.username, 'typo', from));
  });

  it('caps failures per client address whatever the username (IPv6: per /64)', async () => {
    const victim = await t.createUser('address-victim');
    const from = '2001:db8:aa:1::1';
    // Spraying: one guess at each of many usernames, from addresses of one /64.
    for (let i = 0; i < ADDRESS_MAX_FAILURES; i++) {
      const res = await login(t, `sprayed-${i}`, 'Winter2026!', `2001:db8:aa:1::${(i + 2).toString(16)}`);
      expect(res.status).toBe(401);
    }
    expectThrottled(await login(t, victim.username, `password-${victim.username}`, from));
    expectThrottled(await me(t, victim.basic, '2001:db8:aa:1:ffff::9'));
    // The address's counter is not reset by a success elsewhere, and another network is not affected.
    expect((await me(t, victim.basic, '2001:db8:aa:2::1')).status).toBe(200);
    const address = await t.pool.query(`SELECT failures FROM auth_throttle WHERE bucket = $1`, [
      'address:2001:db8:aa:1:0:0:0:0/64',
    ]);
    expect(address.rows).toEqual([{ failures: ADDRESS_MAX_FAILURES }]);
  });

  it('throttles a system key on the push and agent routes, before the secret is checked', async () => {
    const org = await createOrganization(t.pool, 'Throttled systems');
    const system = await createSystem(t, org, 'throttled-host');
    const wrong = basic(system.system_key, 'not-the-secret');
    const from = '203.0.113.50';
    const agent = (authorization: string, address: string) =>
      http(`${t.root}/api/systems/inventory`, {
        method: 'POST',
        json: { data: { hostname: 'throttled-host', os: 'Debian' } },
        as: authorization,
        headers: { 'x-forwarded-for': address },
      });
    for (let i = 0; i < MAX_FAILURES; i++) expect((await agent(wrong, from)).status).toBe(401);
    const before = await checks(t);
    expectThrottled(await agent(wrong, from));
    // The right secret from that address waits too; so does the native push route and the heartbeat.
    expectThrottled(await agent(system.basic, from));
    const push = await http(`${t.api}/facts/`, {
      method: 'POST',
      json: { system_facts: loadDebianFacts().system_facts },
      as: system.basic,
      headers: { 'x-forwarded-for': from },
    });
    expectThrottled(push);
    const heartbeat = await http(`${t.root}/api/systems/heartbeat`, {
      method: 'POST',
      as: system.basic,
      headers: { 'x-forwarded-for': from },
    });
    expect(heartbeat.status).toBe(429);
    const after = await checks(t);
    expect(delta(before, after, 'system/throttled')).toBe(4);
    expect(delta(before, after, 'system/verified') + delta(before, after, 'system/rejected')).toBe(0);
    // From another address the system pushes as usual.
    expect((await agent(system.basic, '203.0.113.51')).status).toBe(202);
  });

  it('stores system secrets as SHA-256; an old scrypt secret still works and is upgraded', async () => {
    const org = await createOrganization(t.pool, 'Old systems');
    const system = await createSystem(t, org, 'old-host');
    const stored = await t.pool.query(`SELECT secret_hash FROM systems WHERE id = $1`, [system.id]);
    expect(stored.rows[0].secret_hash).toMatch(/^sha256\$[A-Za-z0-9+/]{43}=$/);
    // As enrolled before this change: a scrypt hash of the secret.
    await t.pool.query(`UPDATE systems SET secret_hash = $2 WHERE id = $1`, [
      system.id,
      await hashPassword(system.secret, scryptParams(10)),
    ]);
    const info = await http(`${t.root}/api/systems/info`, { as: system.basic });
    expect(info.status).toBe(200);
    const upgraded = await t.pool.query(`SELECT secret_hash FROM systems WHERE id = $1`, [system.id]);
    expect(upgraded.rows[0].secret_hash).toBe(stored.rows[0].secret_hash);
    expect((await http(`${t.root}/api/systems/info`, { as: system.basic })).status).toBe(200);
  });

  it('shares the counters between two app instances on one database', async () => {
    const user = await t.createUser('shared-user');
    const replica = await startTestApp({ ...THROTTLE_ENV, DATABASE_URL: t.db.url });
    try {
      const from = '198.51.100.7';
      expect((await login(t, user.username, 'wrong', from)).status).toBe(401);
      expect((await login(replica, user.username, 'wrong', from)).status).toBe(401);
      expect((await me(replica, basic(user.username, 'wrong'), from)).status).toBe(401);
      // Three failures, counted across both: locked in both.
      expectThrottled(await login(t, user.username, `password-${user.username}`, from));
      expectThrottled(await me(replica, user.basic, from));
    } finally {
      await replica.app.close();
      await replica.pool.end();
    }
  });

  it('prunes counters whose window and lockout have passed (auth-throttle-pruning)', async () => {
    await t.pool.query(
      `INSERT INTO auth_throttle (bucket, failures, window_ends_at, locked_until) VALUES
         ('address:192.0.2.1', 1, now() - interval '1 minute', NULL),
         ('address:192.0.2.2', 9, now() - interval '1 minute', now() - interval '1 second'),
         ('address:192.0.2.3', 9, now() - interval '1 minute', now() + interval '1 minute'),
         ('address:192.0.2.4', 1, now() + interval '1 minute', NULL)`,
    );
    const job = t.app.get(JobScheduler).jobs.find((j) => j.name === 'auth-throttle-pruning')!;
    const result = (await job.run()) as { auth_throttle_deleted: number };
    expect(result.auth_throttle_deleted).toBeGreaterThanOrEqual(2);
    const left = await t.pool.query<{ bucket: string }>(
      `SELECT bucket FROM auth_throttle WHERE bucket LIKE 'address:192.0.2.%' ORDER BY bucket`,
    );
    expect(left.rows.map((r) => r.bucket)).toEqual(['address:192.0.2.3', 'address:192.0.2.4']);
  });

  it('a lock that has passed starts the count again', async () => {
    const user = await t.createUser('cooled-user');
    const from = '198.51.100.8';
    for (let i = 0; i < MAX_FAILURES; i++)
      expect((await login(t, user.username, 'wrong', from)).status).toBe(401);
    expectThrottled(await login(t, user.username, 'wrong', from));
    await t.pool.query(
      `UPDATE auth_throttle SET locked_until = now() - interval '1 second' WHERE bucket = $1`,
      [`user:${from}|${user.username}`],
    );
    expect((await login(t, user.username, 'wrong', from)).status).toBe(401);
    const row = await t.pool.query(`SELECT failures, locked_until FROM auth_throttle WHERE bucket = $1`, [
      `user:${from}|${user.username}`,
    ]);
    expect(row.rows).toEqual([{ failures: 1, locked_until: null }]);
    expect((await login(t, user.username, `password-${user.username}`, from)).status).toBe(200);
  });
});

describe('password hashing at OWASP parameters (scrypt N=2^17, r=8, p=1)', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    // The production default, not the test suite's cheaper one.
    t = await startTestApp({ ...THROTTLE_ENV, PASSWORD_SCRYPT_COST: '17' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('rehashes an older hash on the next successful sign-in; the new hash verifies', async () => {
    user = await t.createUser('old-hash-user');
    const password = `password-${user.username}`;
    const old = await hashPassword(password, scryptParams(14));
    await t.pool.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [user.id, old]);
    const before = await t.pool.query(`SELECT password_changed_at FROM users WHERE id = $1`, [user.id]);
    // A wrong password changes nothing.
    expect((await http(`${t.api}/users/me/`, { as: basic(user.username, 'wrong') })).status).toBe(401);
    expect((await t.pool.query(`SELECT password_hash FROM users WHERE id = $1`, [user.id])).rows[0]).toEqual({
      password_hash: old,
    });
    const res = await http(`${t.api}/auth/login/`, {
      method: 'POST',
      json: { username: user.username, password },
      anonymous: true,
    });
    expect(res.status).toBe(200);
    const after = await t.pool.query(`SELECT password_hash, password_changed_at FROM users WHERE id = $1`, [
      user.id,
    ]);
    const stored = after.rows[0].password_hash as string;
    expect(old).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword('wrong', stored)).toBe(false);
    // Not a password change: sessions opened before stay valid.
    expect(after.rows[0].password_changed_at).toEqual(before.rows[0].password_changed_at);
    expect((await http(`${t.api}/users/me/`, { as: user.bearer })).status).toBe(200);
    // Signs in with the new hash; it is not rehashed again.
    expect((await http(`${t.api}/users/me/`, { as: user.basic })).status).toBe(200);
    expect(
      (await t.pool.query(`SELECT password_hash FROM users WHERE id = $1`, [user.id])).rows[0].password_hash,
    ).toBe(stored);
  });

  it('new passwords are hashed with the current parameters', async () => {
    const res = await http(`${t.api}/users/`, {
      method: 'POST',
      json: { username: 'fresh-user', password: 'fresh-password-1' },
    });
    expect(res.status).toBe(201);
    const row = await t.pool.query(`SELECT password_hash FROM users WHERE username = 'fresh-user'`);
    expect(row.rows[0].password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
  });
});
