import { SecretBox } from '../../src/common/crypto/secret-box.js';
import type { PluginContext, ProviderPlugin } from '../../src/plugins/plugin.contract.js';
import { PluginsService } from '../../src/plugins/plugins.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';

const MASK = '$encrypted$';

/**
 * Issue 11, item 6: secrets inside lists of `connection_config` (a list of mappings whose
 * fields the plugin's schema declares, or whose keys look secret) are encrypted at rest,
 * masked in every answer, and kept on PATCH when sent back as the mask.
 */
describe('secrets inside lists of connection_config', () => {
  let t: TestApp;
  const seen: Record<string, unknown>[] = [];
  const plugin: ProviderPlugin = {
    manifest: {
      vendor: 'test',
      provider_type: 'multi-server',
      version: '1.0.0',
      display_name: 'Several servers',
      description: 'Each server has its own credentials.',
      infrastructure: 'private_cloud',
      supported_resource_types: ['virtual_machine'],
      connection_parameters: [
        {
          name: 'servers',
          type: 'objects',
          required: true,
          secret: false,
          description: 'The servers, each with its own login.',
          fields: [
            { name: 'host', type: 'string', required: true, secret: false, description: '' },
            { name: 'user', type: 'string', required: false, secret: false, description: '' },
            // Not secret by its name: the schema says it is.
            { name: 'login_phrase', type: 'string', required: false, secret: true, description: '' },
          ],
        },
      ],
    },
    async validateConnection(ctx: PluginContext) {
      seen.push(ctx.config);
      return { ok: true, message: 'fine' };
    },
    async *collect() {},
  };

  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(PluginsService).register(plugin);
  });
  afterAll(async () => {
    await t?.close();
  });

  const stored = async (id: string) =>
    (await t.pool.query(`SELECT connection_config FROM providers WHERE id = $1`, [id])).rows[0]
      .connection_config as Record<string, any>;
  const create = async (name: string) => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name,
        vendor: 'test',
        provider_type: 'multi-server',
        infrastructure: 'private_cloud',
        organization: 1,
        connection_config: {
          servers: [
            { host: 'a.example', user: 'ua', login_phrase: 'phrase-of-a' },
            { host: 'b.example', user: 'ub', login_phrase: 'phrase-of-b' },
          ],
          extra: [{ name: 'x', password: 'extra-password' }, 'plain'],
        },
      },
    });
    expect(res.status).toBe(201);
    return res;
  };
  const patch = (id: string, json: Record<string, unknown>) =>
    http(`${t.api}/providers/${id}/`, { method: 'PATCH', json });

  it('encrypts each secret field of each element at rest and masks it in every answer', async () => {
    const created = await create('lists-at-rest');
    const id = created.body.id as string;
    const masked = {
      servers: [
        { host: 'a.example', user: 'ua', login_phrase: MASK },
        { host: 'b.example', user: 'ub', login_phrase: MASK },
      ],
      extra: [{ name: 'x', password: MASK }, 'plain'],
    };
    expect(created.body.connection_config).toEqual(masked);
    const row = await stored(id);
    expect(JSON.stringify(row)).not.toMatch(/phrase-of-|extra-password/);
    expect(SecretBox.isSealed(row.servers[0].login_phrase)).toBe(true);
    expect(SecretBox.isSealed(row.extra[0].password)).toBe(true);
    expect(row.servers[0].host).toBe('a.example');
    const one = await http(`${t.api}/providers/${id}/`);
    expect(one.body.connection_config).toEqual(masked);
    const list = await http(`${t.api}/providers/?name=lists-at-rest`);
    expect(list.body.results[0].connection_config).toEqual(masked);
    for (const body of [one.body, list.body])
      expect(JSON.stringify(body)).not.toMatch(/phrase-of-|extra-password/);
    // The plugin gets the plaintext.
    seen.length = 0;
    const tested = await http(`${t.api}/provider-plugins/test:multi-server/test/`, { method: 'POST' });
    expect(tested.status).toBe(200);
    expect(seen[0]).toMatchObject({
      servers: [{ login_phrase: 'phrase-of-a' }, { login_phrase: 'phrase-of-b' }],
      extra: [{ password: 'extra-password' }, 'plain'],
    });
  });

  it('keeps each stored secret when the mask comes back, following its element, not its position', async () => {
    const id = (await create('lists-keep')).body.id as string;
    const before = await stored(id);
    const read = (await http(`${t.api}/providers/${id}/`)).body.connection_config;
    const same = await patch(id, { connection_config: read });
    expect(same.status).toBe(200);
    expect(await stored(id)).toEqual(before);
    // Reordered and one element removed: each secret stays with its own server.
    const reordered = await patch(id, {
      connection_config: { servers: [{ host: 'b.example', user: 'ub', login_phrase: MASK }] },
    });
    expect(reordered.status).toBe(200);
    expect(reordered.body.connection_config).toEqual({
      servers: [{ host: 'b.example', user: 'ub', login_phrase: MASK }],
    });
    const after = await stored(id);
    expect(after.servers[0].login_phrase).toBe(before.servers[1].login_phrase);
    // A new value replaces the stored one.
    await patch(id, {
      connection_config: { servers: [{ host: 'b.example', user: 'ub', login_phrase: 'new-phrase' }] },
    });
    seen.length = 0;
    await http(`${t.api}/provider-plugins/test:multi-server/test/`, { method: 'POST' });
    expect(seen.find((c) => JSON.stringify(c).includes('new-phrase'))).toBeTruthy();
  });

  it('refuses the mask (400 naming the field) where no element with the same non-secret fields holds a secret', async () => {
    const id = (await create('lists-refuse')).body.id as string;
    const before = await stored(id);
    for (const servers of [
      // Another host for a's secret: that would send it somewhere else.
      [{ host: 'evil.example', user: 'ua', login_phrase: MASK }],
      [{ host: 'a.example', user: 'someone-else', login_phrase: MASK }],
      [{ host: 'c.example', login_phrase: MASK }],
    ]) {
      const res = await patch(id, { connection_config: { servers } });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.errors ?? res.body)).toContain('connection_config.servers[0].login_phrase');
    }
    expect(await stored(id)).toEqual(before);
  });

  it('checks each element against the declared fields (400, never 500)', async () => {
    const id = (await create('lists-types')).body.id as string;
    for (const [servers, field] of [
      ['not a list', 'connection_config.servers'],
      [['a string'], 'connection_config.servers'],
      [[{ user: 'no host' }], 'connection_config.servers[0].host'],
      [[{ host: 42 }], 'connection_config.servers[0].host'],
      [[{ host: 'h', login_phrase: ['x'] }], 'connection_config.servers[0].login_phrase'],
    ] as const) {
      const res = await patch(id, { connection_config: { servers } });
      expect([JSON.stringify(servers), res.status]).toEqual([JSON.stringify(servers), 400]);
      expect(JSON.stringify(res.body)).toContain(field);
    }
  });
});
