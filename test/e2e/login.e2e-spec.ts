import { http, startTestApp, type TestApp } from '../support/app.js';

describe('POST /auth/login/ and /auth/logout/', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_TOKEN_TTL_MINUTES: '30' });
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (username: string, password: string) =>
    http(`${t.api}/auth/login/`, { method: 'POST', json: { username, password }, anonymous: true });

  it('answers a short-lived local token for a local account, usable as a Bearer token', async () => {
    await t.createUser('ui-user');
    const before = Date.now();
    const res = await login('ui-user', 'password-ui-user');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 1800,
      user: { username: 'ui-user', is_superuser: false },
    });
    const expires = Date.parse(res.body.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 1800_000 - 2000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 1800_000 + 1000);
    expect(res.body).not.toHaveProperty('password');
    const me = await http(`${t.api}/users/me/`, { as: `Bearer ${res.body.token}` });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('ui-user');
    // Also under the gateway alias.
    expect(
      (
        await http(`${t.root}/api/v1/auth/login/`, {
          method: 'POST',
          json: { username: 'ui-user', password: 'password-ui-user' },
          anonymous: true,
        })
      ).status,
    ).toBe(200);
  });

  it('answers 401 with one message for a wrong password and for an unknown user', async () => {
    await t.createUser('ui-wrong');
    const wrong = await login('ui-wrong', 'nope');
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toBe('Invalid username or password.');
    const unknown = await login('ghost-user', 'whatever');
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toBe('Invalid username or password.');
    expect((await login('a:b', 'x')).status).toBe(401);
  });

  it('refuses an inactive account', async () => {
    const user = await t.createUser('ui-inactive');
    await t.pool.query(`UPDATE users SET is_active = false WHERE id = $1`, [user.id]);
    expect((await login('ui-inactive', 'password-ui-inactive')).status).toBe(401);
  });

  it('answers 400 with field errors for a malformed body', async () => {
    const missing = await http(`${t.api}/auth/login/`, {
      method: 'POST',
      json: { username: 'x' },
      anonymous: true,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toHaveProperty('password');
    const extra = await http(`${t.api}/auth/login/`, {
      method: 'POST',
      json: { username: 'x', password: 'y', admin: true },
      anonymous: true,
    });
    expect(extra.status).toBe(400);
    const wrongType = await http(`${t.api}/auth/login/`, {
      method: 'POST',
      json: { username: 5, password: 'y' },
      anonymous: true,
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors).toHaveProperty('username');
  });

  it('logout revokes the token: the next request with it is a 401, another session stays signed in', async () => {
    await t.createUser('ui-logout');
    const first = (await login('ui-logout', 'password-ui-logout')).body.token as string;
    const second = (await login('ui-logout', 'password-ui-logout')).body.token as string;
    const out = await http(`${t.api}/auth/logout/`, { method: 'POST', as: `Bearer ${first}` });
    expect(out.status).toBe(204);
    const after = await http(`${t.api}/users/me/`, { as: `Bearer ${first}` });
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/revoked/);
    expect((await http(`${t.api}/users/me/`, { as: `Bearer ${second}` })).status).toBe(200);
    // Logging out twice with the same token: it is no longer accepted.
    expect((await http(`${t.api}/auth/logout/`, { method: 'POST', as: `Bearer ${first}` })).status).toBe(401);
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM revoked_tokens`);
    expect(rows[0].n).toBeGreaterThanOrEqual(1);
  });

  it('logout needs a token: 401 without credentials, 400 with Basic (nothing to revoke)', async () => {
    expect((await http(`${t.api}/auth/logout/`, { method: 'POST', anonymous: true })).status).toBe(401);
    const user = await t.createUser('ui-basic');
    const basic = await http(`${t.api}/auth/logout/`, { method: 'POST', as: user.basic });
    expect(basic.status).toBe(400);
    expect(basic.body.detail).toMatch(/Nothing to sign out/);
  });

  it('login is documented in the OpenAPI document', async () => {
    const doc = (await http(`${t.api}/openapi.json`, { anonymous: true })).body;
    expect(
      doc.paths['/api/inventory/v1/auth/login']?.post ?? doc.paths['/api/inventory/v1/auth/login/']?.post,
    ).toBeDefined();
  });
});
