import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { http, startTestApp, useCredentials, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createOrganization } from '../support/factories.js';
import { FakeGateway } from '../support/gateway-tokens.js';

/** Issue #11 item 6, the authentication parts: each smaller hole, each with its test. */
const asGateway = (token: string) => ({ headers: { 'x-dab-jw-token': token }, anonymous: true });
const now = () => Math.floor(Date.now() / 1000);

describe('gateway claims', () => {
  let t: TestApp;
  const gateway = new FakeGateway();
  beforeAll(async () => {
    t = await startTestApp({ GATEWAY_JWT_PUBLIC_KEY: gateway.publicKeyPem });
  });
  afterAll(async () => {
    await t.close();
  });

  const orgRoles = async (userId: number) =>
    (
      await t.pool.query<{ name: string }>(
        `SELECT rd.name FROM role_assignments ra JOIN role_definitions rd ON rd.id = ra.role_definition_id
         WHERE ra.user_id = $1 AND ra.source = 'jwt' ORDER BY 1`,
        [userId],
      )
    ).rows.map((r) => r.name);

  it('never rolls roles back with a token older than the last one applied (iat)', async () => {
    const org = { ansible_id: randomUUID(), name: `Gateway iat ${randomUUID().slice(0, 6)}` };
    const base = gateway.claims({ objects: { organization: [org], team: [] } });
    const admin = {
      ...base,
      object_roles: { 'Organization Admin': { content_type: 'organization', objects: [0] } },
    };
    const plain = { ...base, object_roles: {} };
    const fresh = await http(
      `${t.api}/users/me/`,
      asGateway(await gateway.token(admin, { issuedAt: now() - 60 })),
    );
    expect(fresh.status).toBe(200);
    const id = fresh.body.id as number;
    expect(await orgRoles(id)).toEqual(['Organization Admin']);
    // A token issued earlier (replayed or delayed) still signs in, but changes nothing.
    const stale = await http(
      `${t.api}/users/me/`,
      asGateway(await gateway.token(plain, { issuedAt: now() - 120 })),
    );
    expect(stale.status).toBe(200);
    expect(stale.body.id).toBe(id);
    expect(await orgRoles(id)).toEqual(['Organization Admin']);
    const { rows } = await t.pool.query(`SELECT gateway_token_iat FROM users WHERE id = $1`, [id]);
    expect(Number(rows[0].gateway_token_iat)).toBeGreaterThan(now() - 70);
    // A newer token does apply.
    expect((await http(`${t.api}/users/me/`, asGateway(await gateway.token(plain)))).status).toBe(200);
    expect(await orgRoles(id)).toEqual([]);
  });

  it('refuses a global role under object_roles and an organization role under global_roles', async () => {
    const org = { ansible_id: randomUUID(), name: `Gateway placement ${randomUUID().slice(0, 6)}` };
    const globalAsObject = gateway.claims({
      objects: { organization: [org], team: [] },
      object_roles: { 'Platform Auditor': { content_type: 'organization', objects: [0] } },
    });
    const res = await http(`${t.api}/users/me/`, asGateway(await gateway.token(globalAsObject)));
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/"Platform Auditor", a global role/);
    const objectAsGlobal = gateway.claims({ global_roles: ['Organization Admin'] });
    const res2 = await http(`${t.api}/users/me/`, asGateway(await gateway.token(objectAsGlobal)));
    expect(res2.status).toBe(401);
    expect(res2.body.detail).toMatch(/"global_roles" names "Organization Admin"/);
    const wrongType = gateway.claims({
      objects: { organization: [org], team: [] },
      object_roles: { 'Team Admin': { content_type: 'organization', objects: [0] } },
    });
    expect((await http(`${t.api}/users/me/`, asGateway(await gateway.token(wrongType)))).status).toBe(401);
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS n FROM organizations WHERE ansible_id = $1`,
      [org.ansible_id],
    );
    expect(rows[0].n).toBe(0);
    // The right places are accepted.
    const right = gateway.claims({ global_roles: ['Platform Auditor'] });
    const ok = await http(`${t.api}/users/me/`, asGateway(await gateway.token(right)));
    expect(ok.status).toBe(200);
    expect(ok.body.is_platform_auditor).toBe(true);
  });

  it('makes a superuser only of JSON true, not "true" or 1', async () => {
    for (const [value, expected] of [
      ['true', false],
      [1, false],
      ['yes', false],
      [true, true],
    ] as const) {
      const claims = gateway.claims();
      (claims.user_data as Record<string, unknown>).is_superuser = value;
      const res = await http(`${t.api}/users/me/`, asGateway(await gateway.token(claims)));
      expect({ value, status: res.status, superuser: res.body.is_superuser }).toEqual({
        value,
        status: 200,
        superuser: expected,
      });
    }
  });
});

describe('gateway key from a URL', () => {
  let t: TestApp;
  let server: Server;
  const gateway = new FakeGateway();
  const other = new FakeGateway();
  let failing = false;
  let fetches = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches++;
      if (failing) res.writeHead(503).end('gateway is restarting');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(gateway.publicKeyPem);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    t = await startTestApp({
      GATEWAY_JWT_PUBLIC_KEY_URL: `http://127.0.0.1:${port}/api/gateway/v1/jwt_key/`,
      GATEWAY_JWT_PUBLIC_KEY_URL_ALLOW_HTTP: 'true',
    });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('keeps the last good key when a refresh fails', async () => {
    expect((await http(`${t.api}/users/me/`, asGateway(await gateway.token(gateway.claims())))).status).toBe(
      200,
    );
    failing = true;
    // Wait out the refresh guard (at most one fetch every 5 s), then make it refresh: a
    // token signed by an unknown key fails the signature, the refetch answers 503.
    await new Promise((resolve) => setTimeout(resolve, 5100));
    const before = fetches;
    const foreign = await http(`${t.api}/users/me/`, asGateway(await other.token(other.claims())));
    expect(foreign.status).toBe(401);
    expect(fetches).toBeGreaterThan(before);
    // Tokens of the real gateway still verify with the key fetched before.
    const again = await http(`${t.api}/users/me/`, asGateway(await gateway.token(gateway.claims())));
    expect(again.status).toBe(200);
    failing = false;
  }, 20_000);
});

describe('role-assignment and team-membership answers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('name no user of another organization', async () => {
    const orgA = await createOrganization(t.pool);
    const orgB = await createOrganization(t.pool);
    const roleId = async (name: string) =>
      (await http(`${t.api}/role_definitions/?name=${encodeURIComponent(name)}`)).body.results[0]
        .id as number;
    const grant = (role: number, user: number, objectId: string, as?: string) =>
      http(`${t.api}/role_user_assignments/`, {
        method: 'POST',
        json: { role_definition: role, user, object_id: objectId },
        ...(as ? { as } : {}),
      });
    const admin = await roleId('Organization Admin');
    const member = await roleId('Organization Member');
    const adminA = await t.createUser('leak-admin-a');
    const inB = await t.createUser('secret-name-in-b');
    expect((await grant(admin, adminA.id, String(orgA))).status).toBe(201);
    expect((await grant(member, inB.id, String(orgB))).status).toBe(201);

    // Granting to a user of another organization answers as for an unknown id.
    const leak = await grant(member, inB.id, String(orgA), adminA.bearer);
    expect(leak.status).toBe(400);
    expect(JSON.stringify(leak.body)).not.toContain('secret-name-in-b');
    expect(leak.body.errors.user).toEqual([`User ${inB.id} does not exist.`]);
    const ghost = await grant(member, 999_999, String(orgA), adminA.bearer);
    expect(ghost.status).toBe(400);
    expect(ghost.body.errors.user).toEqual(['User 999999 does not exist.']);

    const team = (
      await http(`${t.api}/teams/`, { method: 'POST', json: { name: 'Leaky', organization: orgA } })
    ).body.id as number;
    const viaTeam = await http(`${t.api}/teams/${team}/members/`, {
      method: 'POST',
      json: { user: inB.id },
      as: adminA.bearer,
    });
    expect(viaTeam.status).toBe(400);
    const members = await http(`${t.api}/teams/${team}/members/`, { as: adminA.bearer });
    expect(JSON.stringify(members.body)).not.toContain('secret-name-in-b');
    const listed = await http(`${t.api}/role_user_assignments/`, { as: adminA.bearer });
    expect(JSON.stringify(listed.body)).not.toContain('secret-name-in-b');

    // A new account (in no organization yet) can still be brought in by an organization admin.
    const newcomer = await t.createUser('newcomer');
    expect((await grant(member, newcomer.id, String(orgA), adminA.bearer)).status).toBe(201);
    const newcomer2 = await t.createUser('newcomer-2');
    expect(
      (
        await http(`${t.api}/teams/${team}/members/`, {
          method: 'POST',
          json: { user: newcomer2.id },
          as: adminA.bearer,
        })
      ).status,
    ).toBe(204);
  });
});

describe('a password change', () => {
  let db: TestDatabase;
  let one: TestApp;
  let two: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    one = await startTestApp({ DATABASE_URL: db.url });
    two = await startTestApp({ DATABASE_URL: db.url });
    useCredentials(one.admin.bearer);
  });
  afterAll(async () => {
    await one.close();
    await two.close();
    await db.drop();
  });

  it('ends cached Basic credentials in every replica and the local tokens issued before it', async () => {
    const user = await one.createUser('rotating');
    const login = await http(`${two.api}/auth/login/`, {
      method: 'POST',
      json: { username: 'rotating', password: 'password-rotating' },
      anonymous: true,
    });
    expect(login.status).toBe(200);
    const session = `Bearer ${login.body.token as string}`;
    // Both replicas have checked (and cached) the old Basic credentials.
    for (const app of [one, two])
      expect((await http(`${app.api}/users/me/`, { as: user.basic })).status).toBe(200);
    expect((await http(`${two.api}/users/me/`, { as: session })).status).toBe(200);
    // Local tokens carry whole seconds: let the second of the sign-in pass.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const changed = await http(`${one.api}/users/${user.id}/`, {
      method: 'PATCH',
      json: { password: 'a-brand-new-password' },
    });
    expect(changed.status).toBe(200);
    for (const app of [one, two]) {
      const old = await http(`${app.api}/users/me/`, { as: user.basic });
      expect({ replica: app.api, status: old.status }).toEqual({ replica: app.api, status: 401 });
    }
    // (Each test app signs with its own key: the sign-in on two, createUser's token on one.)
    expect((await http(`${two.api}/users/me/`, { as: session })).status).toBe(401);
    expect((await http(`${one.api}/users/me/`, { as: user.bearer })).status).toBe(401);
    const fresh = `Basic ${Buffer.from('rotating:a-brand-new-password').toString('base64')}`;
    expect((await http(`${two.api}/users/me/`, { as: fresh })).status).toBe(200);
    const relogin = await http(`${two.api}/auth/login/`, {
      method: 'POST',
      json: { username: 'rotating', password: 'a-brand-new-password' },
      anonymous: true,
    });
    expect(
      (await http(`${two.api}/users/me/`, { as: `Bearer ${relogin.body.token as string}` })).status,
    ).toBe(200);
  });
});
