import { http, startTestApp, type TestApp } from '../support/app.js';
import { FakeGateway } from '../support/gateway-tokens.js';

/**
 * Authentication runs on Passport strategies (issue #11 item 9): passport-jwt for local
 * and gateway tokens, HTTP Basic for local users, a system-credentials strategy for the
 * push routes. What the suites of each scheme already test stays as it was; this file
 * covers what the strategies add or must not break.
 */
describe('Passport strategies', () => {
  const gatewayA = new FakeGateway();
  const gatewayB = new FakeGateway();
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ GATEWAY_JWT_PUBLIC_KEY: gatewayA.publicKeyPem });
    b = await startTestApp({ GATEWAY_JWT_PUBLIC_KEY: gatewayB.publicKeyPem });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('two applications in one process keep their own strategies (keys, databases)', async () => {
    // On passport's process-wide singleton the second application's strategies would
    // replace the first's: A would verify with B's key and look users up in B's database.
    const tokenA = await gatewayA.token(gatewayA.claims());
    const tokenB = await gatewayB.token(gatewayB.claims());
    expect(
      (await http(`${a.api}/users/me/`, { headers: { 'x-dab-jw-token': tokenA }, anonymous: true })).status,
    ).toBe(200);
    expect(
      (await http(`${b.api}/users/me/`, { headers: { 'x-dab-jw-token': tokenB }, anonymous: true })).status,
    ).toBe(200);
    const crossed = await http(`${a.api}/users/me/`, {
      headers: { 'x-dab-jw-token': tokenB },
      anonymous: true,
    });
    expect([crossed.status, crossed.body.detail]).toEqual([401, 'Token signature is invalid.']);
    const userOfA = await a.createUser('only-in-a');
    expect((await http(`${a.api}/users/me/`, { as: userOfA.basic })).status).toBe(200);
    expect((await http(`${b.api}/users/me/`, { as: userOfA.basic })).status).toBe(401);
    expect((await http(`${b.api}/users/me/`, { as: userOfA.bearer })).status).toBe(401);
  });

  it('HTTP Basic passwords may contain colons (RFC 7617: the user id ends at the first one)', async () => {
    const password = 'pa:ss:word-with-colons';
    const created = await http(`${a.api}/users/`, {
      method: 'POST',
      json: { username: 'colon-user', password },
      as: a.admin.bearer,
    });
    expect(created.status).toBe(201);
    const basic = `Basic ${Buffer.from(`colon-user:${password}`).toString('base64')}`;
    const me = await http(`${a.api}/users/me/`, { as: basic });
    expect([me.status, me.body.username]).toEqual([200, 'colon-user']);
    const truncated = `Basic ${Buffer.from('colon-user:pa').toString('base64')}`;
    expect((await http(`${a.api}/users/me/`, { as: truncated })).status).toBe(401);
    const malformed = await http(`${a.api}/users/me/`, {
      as: `Basic ${Buffer.from('no-colon').toString('base64')}`,
    });
    expect([malformed.status, malformed.body.detail]).toEqual([401, 'Malformed Basic credentials.']);
  });

  it('accepts a local token with the NetBox scheme (Authorization: Token …) as with Bearer', async () => {
    const user = await a.createUser('netbox-habit');
    const token = user.bearer.replace(/^Bearer /, '');
    const me = await http(`${a.api}/users/me/`, { as: `Token ${token}` });
    expect([me.status, me.body.username]).toEqual([200, 'netbox-habit']);
  });

  it('a token always decides over Basic credentials sent alongside it', async () => {
    const user = await a.createUser('token-wins');
    const res = await http(`${a.api}/users/me/`, {
      as: user.basic,
      headers: { 'x-dab-jw-token': 'eyJhbGciOiJSUzI1NiJ9.garbage.garbage' },
    });
    expect([res.status, res.body.detail]).toEqual([401, 'Malformed token.']);
  });

  it('explains every kind of bad token in the words the API has always used', async () => {
    const cases: [string, string][] = [
      [await gatewayA.token(gatewayA.claims(), { expiresIn: -60 }), 'Token has expired.'],
      [
        await gatewayA.token(gatewayA.claims(), { omitExp: true }),
        'Token rejected: missing required "exp" claim.',
      ],
      [
        await gatewayA.token(gatewayA.claims(), { audience: 'someone-else' }),
        'Token rejected: jwt audience invalid. expected: ',
      ],
      ['not.a.jwt', 'Malformed token.'],
    ];
    for (const [token, detail] of cases) {
      const res = await http(`${a.api}/users/me/`, { headers: { 'x-dab-jw-token': token }, anonymous: true });
      expect(res.status).toBe(401);
      expect(String(res.body.detail).startsWith(detail)).toBe(true);
    }
  });
});
