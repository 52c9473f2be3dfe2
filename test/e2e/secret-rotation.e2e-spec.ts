import { spawn } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SecretBox, secretKeyId } from '../../src/common/crypto/secret-box.js';
import type { PluginContext, ProviderPlugin } from '../../src/plugins/plugin.contract.js';
import { PluginsService } from '../../src/plugins/plugins.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';

const OLD_KEY = randomBytes(32);
const NEW_KEY = randomBytes(32);

/** What the CLI prints and its exit code. */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'dist/src/cli.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A value sealed the way the service did before key ids and contexts. */
function legacySeal(key: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `$encrypted$v1$${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/**
 * Issue 11, item 6: each ciphertext is bound to its provider and field (AES-GCM
 * additional authenticated data) and names its key; old-format values still open;
 * `inventory rotate-secrets` re-encrypts every stored secret under a new key in one
 * transaction.
 */
describe('secret binding, key ids and rotate-secrets', () => {
  let t: TestApp;
  const seen = new Map<string, Record<string, unknown>>();
  const plugin: ProviderPlugin = {
    manifest: {
      vendor: 'test',
      provider_type: 'keyed',
      version: '1.0.0',
      display_name: 'Keyed',
      description: '',
      infrastructure: 'private_cloud',
      supported_resource_types: ['virtual_machine'],
      connection_parameters: [
        { name: 'username', type: 'string', required: false, secret: false, description: '' },
        { name: 'password', type: 'string', required: false, secret: true, description: '' },
        { name: 'token', type: 'string', required: false, secret: true, description: '' },
      ],
    },
    async validateConnection(ctx: PluginContext) {
      seen.set(ctx.provider.name, ctx.config);
      return { ok: true, message: 'ok' };
    },
    async *collect() {},
  };
  const stored = async (id: string) =>
    (await t.pool.query(`SELECT connection_config FROM providers WHERE id = $1`, [id])).rows[0]
      .connection_config as Record<string, any>;
  const setStored = (id: string, config: Record<string, unknown>) =>
    t.pool.query(`UPDATE providers SET connection_config = $2 WHERE id = $1`, [id, JSON.stringify(config)]);
  const create = async (name: string, connection_config: Record<string, unknown>) => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name,
        vendor: 'test',
        provider_type: 'keyed',
        infrastructure: 'private_cloud',
        organization: 1,
        connection_config,
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const testAll = async (app: TestApp) => {
    seen.clear();
    const res = await http(`${app.api}/provider-plugins/test:keyed/test/`, { method: 'POST' });
    expect(res.status).toBe(200);
    return res.body.results as { provider_name: string; ok: boolean; message: string }[];
  };

  beforeAll(async () => {
    t = await startTestApp({ INVENTORY_SECRET_KEY: OLD_KEY.toString('hex') });
    t.app.get(PluginsService).register(plugin);
  });
  afterAll(async () => {
    await t?.close();
  });

  let a: string;
  let b: string;
  it('stores each secret with the key id, bound to its provider and field', async () => {
    a = await create('keyed-a', { username: 'ua', password: 'password-a', token: 'token-a' });
    b = await create('keyed-b', { username: 'ub', password: 'password-b' });
    const sealed = (await stored(a)).password as string;
    expect(sealed).toMatch(new RegExp(`^\\$encrypted\\$v2\\$${secretKeyId(OLD_KEY)}\\$`));
    expect(t.secretBox.open(sealed, `provider:${a}:connection_config.password`)).toBe('password-a');
    // Copied to another provider, or to another field of the same one, it does not open.
    const copied = await stored(b);
    await setStored(b, { ...copied, password: sealed });
    const swapped = await stored(a);
    await setStored(a, { ...swapped, password: swapped.token, token: swapped.password });
    const results = await testAll(t);
    for (const name of ['keyed-a', 'keyed-b']) {
      const result = results.find((r) => r.provider_name === name)!;
      expect(result.ok).toBe(false);
      expect(seen.has(name)).toBe(false);
    }
    await setStored(b, copied);
    await setStored(a, swapped);
    expect((await testAll(t)).every((r) => r.ok)).toBe(true);
    expect(seen.get('keyed-a')).toMatchObject({ password: 'password-a', token: 'token-a' });
  });

  it('still opens values of the old format', async () => {
    const before = await stored(b);
    await setStored(b, { ...before, password: legacySeal(OLD_KEY, 'legacy-password') });
    await testAll(t);
    expect(seen.get('keyed-b')).toMatchObject({ password: 'legacy-password' });
    const read = await http(`${t.api}/providers/${b}/`);
    expect(read.body.connection_config.password).toBe('$encrypted$');
  });

  it('inventory rotate-secrets re-encrypts every secret under the new key in one transaction', async () => {
    const hook = await http(`${t.api}/webhooks/`, {
      method: 'POST',
      json: {
        organization: 1,
        name: 'rotated hook',
        url: 'https://hooks.example/x',
        secret: 'webhook-signing-secret',
      },
    });
    expect(hook.status).toBe(201);
    const base = { DATABASE_URL: t.db.url, INVENTORY_DATA_DIR: join(process.cwd(), '.no-such-data-dir') };
    // A wrong old key: refused, nothing changes.
    const snapshot = JSON.stringify([await stored(a), await stored(b)]);
    const wrong = await cli(['rotate-secrets'], {
      ...base,
      INVENTORY_SECRET_KEY: NEW_KEY.toString('hex'),
      INVENTORY_SECRET_KEY_PREVIOUS: randomBytes(32).toString('hex'),
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/opens with none of the keys/);
    expect(JSON.stringify([await stored(a), await stored(b)])).toBe(snapshot);
    // No new key given: a usage error.
    const noKey = await cli(['rotate-secrets'], base);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/INVENTORY_SECRET_KEY_PREVIOUS/);

    const env = {
      ...base,
      INVENTORY_SECRET_KEY: NEW_KEY.toString('hex'),
      INVENTORY_SECRET_KEY_PREVIOUS: OLD_KEY.toString('hex'),
    };
    const dry = await cli(['rotate-secrets', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(JSON.stringify([await stored(a), await stored(b)])).toBe(snapshot);
    const done = await cli(['rotate-secrets'], env);
    expect([done.code, done.stderr]).toEqual([0, expect.stringMatching(/providers: \d+\/\d+ checked/)]);
    expect(done.stdout).toMatch(/Re-encrypted 4 secrets \(2 providers, 1 webhooks\)/);
    expect(done.stdout + done.stderr).not.toMatch(/password-a|legacy-password|webhook-signing-secret/);
    const newId = secretKeyId(NEW_KEY);
    for (const id of [a, b])
      for (const value of Object.values(await stored(id)))
        if (SecretBox.isSealed(value)) expect(SecretBox.keyIdOf(value)).toBe(newId);
    const { rows } = await t.pool.query(`SELECT id, secret FROM webhooks WHERE id = $1`, [hook.body.id]);
    expect(SecretBox.keyIdOf(rows[0].secret)).toBe(newId);
    expect(new SecretBox(NEW_KEY).open(rows[0].secret, `webhook:${hook.body.id}:secret`)).toBe(
      'webhook-signing-secret',
    );
    // Again: nothing left to do.
    const again = await cli(['rotate-secrets'], env);
    expect(again.stdout).toMatch(/Re-encrypted 0 secrets .* 4 already were/);

    // A process with only the new key reads everything.
    const fresh = await startTestApp({
      DATABASE_URL: t.db.url,
      INVENTORY_SECRET_KEY: NEW_KEY.toString('hex'),
    });
    try {
      fresh.app.get(PluginsService).register(plugin);
      expect((await testAll(fresh)).every((r) => r.ok)).toBe(true);
      expect(seen.get('keyed-a')).toMatchObject({ password: 'password-a', token: 'token-a' });
      expect(seen.get('keyed-b')).toMatchObject({ password: 'legacy-password' });
    } finally {
      await fresh.app.close();
      await fresh.pool.end();
    }
  });
});
