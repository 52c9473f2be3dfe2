import { createServer, type IncomingMessage, type Server } from 'node:http';
import { http, startTestApp, type TestApp, type TestUser } from '../support/app.js';
import { createOrganization } from '../support/factories.js';

/**
 * Issue 11, item 1: someone who may edit a provider but never saw its password must not
 * be able to point it at a host of theirs and receive the stored secret with the next
 * connection test or collection.
 */
describe('stored credentials cannot be redirected', () => {
  let t: TestApp;
  let org: number;
  let editor: TestUser;
  let listener: Server;
  let trap: string;
  const received: IncomingMessage['headers'][] = [];

  beforeAll(async () => {
    t = await startTestApp();
    org = await createOrganization(t.pool, 'Credential Redirect Org');
    editor = await t.createUser('provider-editor');
    const { rows } = await t.pool.query<{ id: number }>(
      `SELECT id FROM role_definitions WHERE name = 'Organization Admin'`,
    );
    await t.pool.query(
      `INSERT INTO role_assignments (role_definition_id, user_id, object_type, object_id) VALUES ($1, $2, 'organization', $3)`,
      [rows[0].id, editor.id, String(org)],
    );
    listener = createServer((req, res) => {
      received.push(req.headers);
      res.writeHead(401).end();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    trap = `http://127.0.0.1:${(listener.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await t.close();
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
  });

  const vcenter = async (name: string) => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name,
        vendor: 'vmware',
        provider_type: 'vcenter',
        infrastructure: 'private_cloud',
        organization: org,
        endpoint: 'vcenter.invalid',
        connection_config: { username: 'administrator@vsphere.local', password: 'the-real-password' },
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const patch = (id: string, json: Record<string, unknown>) =>
    http(`${t.api}/providers/${id}/`, { method: 'PATCH', as: editor.bearer, json });
  const storedPassword = async (id: string) =>
    t.secretBox.open(
      (await t.pool.query(`SELECT connection_config FROM providers WHERE id = $1`, [id])).rows[0]
        .connection_config.password,
      `provider:${id}:connection_config.password`,
    );

  it('requires the secrets again when the endpoint, vendor or provider_type changes (400 naming them)', async () => {
    const id = await vcenter('redirect me');
    const cases: Record<string, unknown>[] = [
      { endpoint: trap },
      { endpoint: trap, connection_config: { username: 'u', password: '$encrypted$', allow_http: true } },
      {
        endpoint: 'https://elsewhere.invalid',
        connection_config: { username: 'u', password: '$encrypted$' },
      },
      { provider_type: 'vcenter-lab' },
      { vendor: 'vmware', provider_type: 'vcenter-lab', connection_config: { password: '$encrypted$' } },
      { connection_config: { username: 'u', password: '$encrypted$', verify_ssl: false } },
    ];
    for (const body of cases) {
      const res = await patch(id, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(Object.keys(res.body.errors)).toEqual(['connection_config.password']);
      expect(res.body.detail).toMatch(/requires the stored secrets again/);
    }
    // Nothing moved, and the plugin test still talks to the old endpoint only.
    const after = (await http(`${t.api}/providers/${id}/`)).body;
    expect(after).toMatchObject({ endpoint: 'vcenter.invalid', provider_type: 'vcenter' });
    await http(`${t.api}/provider-plugins/vmware:vcenter/test/`, { method: 'POST', as: editor.bearer });
    expect(received).toEqual([]);
    expect(await storedPassword(id)).toBe('the-real-password');

    // The same edit with the secret given is fine (the editor knows what it sends), and a
    // change that moves nothing keeps the mask's meaning.
    const ok = await patch(id, {
      endpoint: 'vcenter2.invalid',
      connection_config: { username: 'u', password: 'a-new-password' },
    });
    expect(ok.status).toBe(200);
    expect(await storedPassword(id)).toBe('a-new-password');
    const keep = await patch(id, {
      connection_config: { username: 'v', password: '$encrypted$', port: 8443 },
    });
    expect(keep.status).toBe(200);
    expect(await storedPassword(id)).toBe('a-new-password');
  });

  it('refuses to send the vCenter password over plain http:// unless allow_http is set', async () => {
    const id = await vcenter('plain http');
    const moved = await patch(id, {
      endpoint: trap,
      connection_config: { username: 'u', password: 'known-to-the-editor' },
    });
    expect(moved.status).toBe(200);
    const test = await http(`${t.api}/provider-plugins/vmware:vcenter/test/`, {
      method: 'POST',
      as: editor.bearer,
    });
    const result = test.body.results.find((r: { provider: string }) => r.provider === id);
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/Refusing .* plain http/) });
    expect(received).toEqual([]);

    await patch(id, {
      connection_config: { username: 'u', password: 'known-to-the-editor', allow_http: true },
    });
    await http(`${t.api}/provider-plugins/vmware:vcenter/test/`, { method: 'POST', as: editor.bearer });
    expect(received.length).toBeGreaterThan(0);
    received.length = 0;
  });

  it("takes a plugin's non-secret parameter at its word (AWS access_key_id is shown, not required again)", async () => {
    const created = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: 'aws redirect',
        vendor: 'aws',
        provider_type: 'aws',
        infrastructure: 'public_cloud',
        organization: org,
        connection_config: {
          access_key_id: 'AKIAEXAMPLE',
          secret_access_key: 'aws-secret',
          region: 'us-east-1',
        },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.connection_config).toMatchObject({
      access_key_id: 'AKIAEXAMPLE',
      secret_access_key: '$encrypted$',
    });
    const id = created.body.id as string;
    const redirected = await patch(id, {
      connection_config: {
        ...created.body.connection_config,
        endpoint_url: trap,
        allow_http: true,
      },
    });
    expect(redirected.status).toBe(400);
    expect(Object.keys(redirected.body.errors)).toEqual(['connection_config.secret_access_key']);
    const region = await patch(id, {
      connection_config: { ...created.body.connection_config, region: 'eu-west-1' },
    });
    expect(region.status).toBe(200);
    expect(region.body.connection_config).toMatchObject({
      region: 'eu-west-1',
      secret_access_key: '$encrypted$',
    });
  });
});
