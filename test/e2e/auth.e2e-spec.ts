import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { FakeGateway, keyConfusionToken, unsignedToken } from '../support/gateway-tokens.js';

const ORG_A = '11111111-1111-4111-8111-111111111111';
const ORG_B = '22222222-2222-4222-8222-222222222222';
const TEAM_A = '33333333-3333-4333-8333-333333333333';

describe('standalone authentication (Basic and local tokens)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 401 with WWW-Authenticate when no credentials are sent', async () => {
    const res = await http(`${t.api}/providers/`, { anonymous: true });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/Basic realm="inventory"/);
    expect(res.body.detail).toBe('Authentication credentials were not provided.');
  });

  it('leaves /ping/, /health/, the docs and the OpenAPI document open', async () => {
    for (const path of ['/ping/', '/health/', '/openapi.json']) {
      expect({ path, status: (await http(`${t.api}${path}`, { anonymous: true })).status }).toEqual({
        path,
        status: 200,
      });
    }
    expect((await fetch(`${t.api}/docs/`)).status).toBe(200);
  });

  it('accepts HTTP Basic for local users, and rejects a wrong password', async () => {
    const user = await t.createUser('basic-user');
    const ok = await http(`${t.api}/users/me/`, { as: user.basic });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ username: 'basic-user', is_superuser: false, managed_by_gateway: false });
    expect(ok.body).not.toHaveProperty('password_hash');
    const wrong = await http(`${t.api}/users/me/`, {
      as: `Basic ${Buffer.from('basic-user:nope').toString('base64')}`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toBe('Invalid username or password.');
    const unknown = await http(`${t.api}/users/me/`, {
      as: `Basic ${Buffer.from('ghost:whatever').toString('base64')}`,
    });
    expect(unknown.status).toBe(401);
  });

  it('accepts local tokens, and rejects expired, tampered and foreign ones', async () => {
    const user = await t.createUser('token-user');
    expect((await http(`${t.api}/users/me/`, { as: user.bearer })).body.username).toBe('token-user');
    const expired = await t.tokens.sign({ userId: user.id, username: user.username }, -10);
    expect((await http(`${t.api}/users/me/`, { as: `Bearer ${expired}` })).body.detail).toBe(
      'Token has expired.',
    );
    const [h, p, s] = user.bearer.slice(7).split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: String(t.admin.id) })).toString('base64url')}.${s}`;
    expect((await http(`${t.api}/users/me/`, { as: `Bearer ${tampered}` })).status).toBe(401);
    expect((await http(`${t.api}/users/me/`, { as: 'Bearer not.a.jwt' })).status).toBe(401);
  });

  it('stops accepting a disabled user at once', async () => {
    const user = await t.createUser('soon-disabled');
    expect((await http(`${t.api}/users/me/`, { as: user.basic })).status).toBe(200);
    const disabled = await http(`${t.api}/users/${user.id}/`, {
      method: 'PATCH',
      json: { is_active: false },
    });
    expect(disabled.status).toBe(200);
    expect((await http(`${t.api}/users/me/`, { as: user.basic })).status).toBe(401);
    expect((await http(`${t.api}/users/me/`, { as: user.bearer })).status).toBe(401);
  });

  it('rejects gateway tokens when no gateway key is configured', async () => {
    const gateway = new FakeGateway();
    const res = await http(`${t.api}/users/me/`, {
      headers: { 'x-dab-jw-token': await gateway.token(gateway.claims()) },
    });
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/no gateway key/);
  });
});

describe('gateway JWT authentication', () => {
  const gateway = new FakeGateway();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ GATEWAY_JWT_PUBLIC_KEY: gateway.publicKeyPem });
  });
  afterAll(async () => {
    await t.close();
  });

  const asGateway = (token: string) => ({ headers: { 'x-dab-jw-token': token }, anonymous: true });

  it('accepts a gateway token in X-DAB-JW-TOKEN or as a Bearer token, and creates the user', async () => {
    const claims = gateway.claims();
    const token = await gateway.token(claims);
    const viaHeader = await http(`${t.api}/users/me/`, asGateway(token));
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body).toMatchObject({
      username: (claims.user_data as { username: string }).username,
      email: 'grace@example.com',
      first_name: 'Grace',
      managed_by_gateway: true,
    });
    const viaBearer = await http(`${t.api}/users/me/`, { as: `Bearer ${token}` });
    expect(viaBearer.body.id).toBe(viaHeader.body.id);
  });

  it.each([
    ['alg none', async () => unsignedToken(gateway.claims())],
    [
      'HS256 signed with the public key',
      async () => keyConfusionToken(gateway.publicKeyPem, gateway.claims()),
    ],
    [
      'another key',
      async () =>
        gateway.token(gateway.claims(), {
          key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
        }),
    ],
    ['wrong audience', async () => gateway.token(gateway.claims(), { audience: 'someone-else' })],
    ['wrong issuer', async () => gateway.token(gateway.claims(), { issuer: 'evil-issuer' })],
    ['expired', async () => gateway.token(gateway.claims(), { expiresIn: -60 })],
    ['no exp', async () => gateway.token(gateway.claims(), { omitExp: true })],
    ['garbage', async () => 'eyJhbGciOiJSUzI1NiJ9.garbage.garbage'],
  ])('rejects a token with %s', async (_name, make) => {
    const res = await http(`${t.api}/users/me/`, asGateway(await make()));
    expect(res.status).toBe(401);
    expect(typeof res.body.detail).toBe('string');
  });

  it.each(['sub', 'user_data', 'objects', 'object_roles', 'global_roles', 'version'])(
    'says which claim is missing: %s',
    async (claim) => {
      const claims = gateway.claims();
      delete claims[claim];
      const res = await http(`${t.api}/users/me/`, asGateway(await gateway.token(claims)));
      expect(res.status).toBe(401);
      expect(res.body.detail).toContain(`"${claim}"`);
    },
  );

  it.each(['username', 'first_name', 'last_name', 'email', 'is_superuser'])(
    'says which user_data field is missing: %s',
    async (field) => {
      const claims = gateway.claims();
      const userData = { ...(claims.user_data as Record<string, unknown>) };
      delete userData[field];
      const res = await http(
        `${t.api}/users/me/`,
        asGateway(await gateway.token({ ...claims, user_data: userData })),
      );
      expect(res.status).toBe(401);
      expect(res.body.detail).toContain(`user_data.${field}`);
    },
  );

  it('synchronizes organizations, teams and role assignments with the claims, adding and removing', async () => {
    const sub = randomUUID();
    const username = `sync-${sub.slice(0, 6)}`;
    const base = gateway.claims({
      sub,
      user_data: { username, first_name: 'A', last_name: 'B', email: 'a@b.c', is_superuser: false },
    });
    const first = await gateway.token({
      ...base,
      objects: {
        organization: [
          { ansible_id: ORG_A, name: 'Gateway Org A' },
          { ansible_id: ORG_B, name: 'Gateway Org B' },
        ],
        team: [{ ansible_id: TEAM_A, name: 'Gateway Team', org: 0 }],
      },
      object_roles: {
        'Organization Admin': { content_type: 'organization', objects: [0] },
        'Organization Member': { content_type: 'organization', objects: [1] },
        'Team Member': { content_type: 'team', objects: [0] },
      },
      global_roles: ['Platform Auditor'],
    });
    const me = await http(`${t.api}/users/me/`, asGateway(first));
    expect(me.body.is_platform_auditor).toBe(true);
    const assignments = async () => {
      const res = await http(`${t.api}/role_user_assignments/?user=${me.body.id}&page_size=100`);
      return res.body.results
        .map((a: any) => `${a.role_name}:${a.content_type ?? 'global'}:${a.source}`)
        .sort();
    };
    expect(await assignments()).toEqual([
      'Organization Admin:organization:jwt',
      'Organization Member:organization:jwt',
      'Platform Auditor:global:jwt',
      'Team Member:team:jwt',
    ]);
    const orgs = await http(`${t.api}/organizations/?search=Gateway Org`);
    expect(orgs.body.results.map((o: any) => [o.name, o.ansible_id])).toEqual([
      ['Gateway Org A', ORG_A],
      ['Gateway Org B', ORG_B],
    ]);
    const teams = await http(`${t.api}/teams/?name=Gateway Team`);
    expect(teams.body.results[0].organization).toBe(orgs.body.results[0].id);

    // A locally made assignment survives claim changes.
    const viewer = await http(`${t.api}/role_definitions/?name=Organization Member`);
    const local = await http(`${t.api}/role_user_assignments/`, {
      method: 'POST',
      json: { role_definition: viewer.body.results[0].id, user: me.body.id, object_id: '1' },
    });
    expect(local.status).toBe(201);

    // The next token drops the admin role, the auditor role and the team; org A is renamed.
    const second = await gateway.token({
      ...base,
      objects: { organization: [{ ansible_id: ORG_A, name: 'Gateway Org A (renamed)' }], team: [] },
      object_roles: { 'Organization Member': { content_type: 'organization', objects: [0] } },
      global_roles: [],
    });
    const again = await http(`${t.api}/users/me/`, asGateway(second));
    expect(again.body).toMatchObject({ id: me.body.id, is_platform_auditor: false });
    expect(await assignments()).toEqual([
      'Organization Member:organization:jwt',
      'Organization Member:organization:local',
    ]);
    const renamed = await http(`${t.api}/organizations/?search=renamed`);
    expect(renamed.body.results.map((o: any) => o.ansible_id)).toEqual([ORG_A]);
  });

  it('syncs a burst of requests with the same token once', async () => {
    const token = await gateway.token(gateway.claims());
    const results = await Promise.all(
      Array.from({ length: 10 }, () => http(`${t.api}/users/me/`, asGateway(token))),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([200]));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
  });

  it('makes a superuser from is_superuser', async () => {
    const claims = gateway.claims();
    (claims.user_data as Record<string, unknown>).is_superuser = true;
    const token = await gateway.token(claims);
    const created = await http(`${t.api}/organizations/`, {
      ...asGateway(token),
      method: 'POST',
      json: { name: `From gateway ${randomUUID().slice(0, 4)}` },
    });
    expect(created.status).toBe(201);
  });
});

describe('gateway key from a URL', () => {
  const gateway = new FakeGateway();
  let served = gateway.publicKeyPem;
  let fetches = 0;
  let server: Server;
  let t: TestApp;
  beforeAll(async () => {
    // A local stand-in for the gateway's key endpoint: it answers the PEM as text.
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(served);
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

  it('fetches the key once, caches it, and fetches again once when the gateway rotates it', async () => {
    expect(
      (await http(`${t.api}/users/me/`, { as: `Bearer ${await gateway.token(gateway.claims())}` })).status,
    ).toBe(200);
    expect(
      (await http(`${t.api}/users/me/`, { as: `Bearer ${await gateway.token(gateway.claims())}` })).status,
    ).toBe(200);
    expect(fetches).toBe(1);

    const rotated = new FakeGateway();
    served = rotated.publicKeyPem;
    await new Promise((resolve) => setTimeout(resolve, 5100)); // the provider refetches at most every 5 s
    expect(
      (await http(`${t.api}/users/me/`, { as: `Bearer ${await rotated.token(rotated.claims())}` })).status,
    ).toBe(200);
    expect(fetches).toBe(2);
    // A token from a key the gateway never had fails after one refetch attempt.
    const stranger = new FakeGateway();
    expect(
      (await http(`${t.api}/users/me/`, { as: `Bearer ${await stranger.token(stranger.claims())}` })).status,
    ).toBe(401);
  }, 20000);
});

describe('gateway key from a file', () => {
  it('reads GATEWAY_JWT_PUBLIC_KEY as a path when it is not PEM text', async () => {
    const gateway = new FakeGateway();
    const dir = await mkdtemp(join(tmpdir(), 'gateway-key-'));
    const path = join(dir, 'gateway.pem');
    await writeFile(path, gateway.publicKeyPem);
    const t = await startTestApp({ GATEWAY_JWT_PUBLIC_KEY: path });
    try {
      const res = await http(`${t.api}/users/me/`, {
        headers: { 'x-dab-jw-token': await gateway.token(gateway.claims()) },
        anonymous: true,
      });
      expect(res.status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
