import { Logger, type LoggerService } from '@nestjs/common';
import type { CollectRecord, PluginContext, ProviderPlugin } from '../../src/plugins/plugin.contract.js';
import { PluginsService } from '../../src/plugins/plugins.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait } from '../support/collection.js';

const PASSWORD = 'p@ss w/rd&"sekrit';
const ENDPOINT_PASSWORD = 'endpoint-pw-9931';
const ENDPOINT = `https://svc-user:${ENDPOINT_PASSWORD}@leaky.example/api`;

/** Every form of the secrets a careless plugin might print. */
const leaks = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  JSON.stringify(PASSWORD).slice(1, -1),
  Buffer.from(`admin:${PASSWORD}`).toString('base64'),
  ENDPOINT_PASSWORD,
];
const expectClean = (text: string) => {
  for (const leak of leaks) expect({ text, leaked: text.includes(leak) }).toEqual({ text, leaked: false });
};

/** What a plugin that is careless with secrets says: the password in every usual form. */
const careless = (ctx: PluginContext) => {
  const password = String(ctx.config.password);
  return (
    `login as admin:${password} failed (url-encoded ${encodeURIComponent(password)}, JSON ${JSON.stringify(password)}); ` +
    `Authorization: Basic ${Buffer.from(`admin:${password}`).toString('base64')}; ` +
    `endpoint ${ctx.provider.endpoint}; retry https://admin:${encodeURIComponent(password)}@other.example/`
  );
};

/**
 * Issue 11, item 6: plugin error text loses the provider's secrets before it reaches a
 * run's error_message or warnings, a plugin test result or a log line; `user:pass@` of an
 * endpoint is masked wherever the endpoint is answered or logged.
 */
describe('plugin text is scrubbed of secrets', () => {
  let t: TestApp;
  const logged: string[] = [];
  const capture: LoggerService = {
    log: (m: unknown) => logged.push(String(m)),
    error: (m: unknown, ...rest: unknown[]) => logged.push([m, ...rest].map(String).join(' ')),
    warn: (m: unknown) => logged.push(String(m)),
    debug: (m: unknown) => logged.push(String(m)),
    verbose: (m: unknown) => logged.push(String(m)),
    fatal: (m: unknown) => logged.push(String(m)),
  };
  let mode: 'throw' | 'answer' = 'throw';
  const plugin: ProviderPlugin = {
    manifest: {
      vendor: 'test',
      provider_type: 'leaky',
      version: '1.0.0',
      display_name: 'Leaky',
      description: 'Prints its secrets.',
      infrastructure: 'private_cloud',
      supported_resource_types: ['virtual_machine'],
      connection_parameters: [
        { name: 'username', type: 'string', required: true, secret: false, description: '' },
        { name: 'password', type: 'string', required: true, secret: true, description: '' },
      ],
    },
    async validateConnection(ctx) {
      ctx.logger.warn(careless(ctx));
      if (mode === 'throw') throw new Error(careless(ctx));
      return { ok: false, message: careless(ctx) };
    },
    async *collect(ctx): AsyncIterable<CollectRecord> {
      ctx.logger.info(careless(ctx));
      yield { kind: 'rejected', reason: careless(ctx) };
      throw new Error(careless(ctx));
    },
  };

  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(PluginsService).register(plugin);
    Logger.overrideLogger(capture);
  });
  afterAll(async () => {
    Logger.overrideLogger(false);
    await t?.close();
  });

  let provider: string;
  it('masks user:pass@ of the endpoint in every answer, and keeps the stored one when it comes back', async () => {
    const created = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: 'leaky',
        vendor: 'test',
        provider_type: 'leaky',
        infrastructure: 'private_cloud',
        organization: 1,
        endpoint: ENDPOINT,
        connection_config: {
          username: 'admin',
          password: PASSWORD,
          api_url: `https://u:${ENDPOINT_PASSWORD}@x.example/`,
        },
      },
    });
    expect(created.status).toBe(201);
    provider = created.body.id;
    expect(created.body.endpoint).toBe('https://svc-user:***@leaky.example/api');
    expect(created.body.connection_config.api_url).toBe('https://u:***@x.example/');
    for (const body of [
      created.body,
      (await http(`${t.api}/providers/${provider}/`)).body,
      (await http(`${t.api}/providers/?name=leaky`)).body,
      (await http(`${t.api}/activitystream/?object_type=provider`)).body,
    ])
      expectClean(JSON.stringify(body));
    // Sent back as answered: the stored endpoint stays, and no secret is asked for again.
    const read = (await http(`${t.api}/providers/${provider}/`)).body;
    const patched = await http(`${t.api}/providers/${provider}/`, {
      method: 'PATCH',
      json: { endpoint: read.endpoint, connection_config: read.connection_config, description: 'same' },
    });
    expect(patched.status).toBe(200);
    const { rows } = await t.pool.query(`SELECT endpoint, connection_config FROM providers WHERE id = $1`, [
      provider,
    ]);
    expect(rows[0].endpoint).toBe(ENDPOINT);
    expect(rows[0].connection_config.api_url).toBe(`https://u:${ENDPOINT_PASSWORD}@x.example/`);
  });

  it('scrubs the plugin test results (thrown and answered) and the log', async () => {
    for (const how of ['throw', 'answer'] as const) {
      mode = how;
      logged.length = 0;
      const res = await http(`${t.api}/provider-plugins/test:leaky/test/`, { method: 'POST' });
      expect(res.status).toBe(200);
      expect(res.body.results[0].ok).toBe(false);
      expect(res.body.results[0].message).toContain('***');
      expect(res.body.results[0].message).toContain('login as admin:***');
      expectClean(JSON.stringify(res.body));
      expect(logged.some((line) => line.includes('login as admin'))).toBe(true);
      for (const line of logged) expectClean(line);
    }
  });

  it("scrubs a collection run's error_message, warnings, events and log lines", async () => {
    logged.length = 0;
    const run = await collectAndWait(t, provider);
    expect(run.status).toBe('failed');
    expect(run.error_message).toContain('login as admin:***');
    expect(run.warnings.length).toBeGreaterThan(0);
    expectClean(JSON.stringify(run));
    expectClean(JSON.stringify((await http(`${t.api}/collection-runs/?provider=${provider}`)).body));
    expectClean(JSON.stringify((await http(`${t.api}/events/?limit=200`)).body));
    const { rows } = await t.pool.query(
      `SELECT error_message, warnings::text FROM collection_runs WHERE id = $1`,
      [run.id],
    );
    expectClean(JSON.stringify(rows));
    expect(logged.some((line) => line.includes('login as admin'))).toBe(true);
    for (const line of logged) expectClean(line);
  });
});
