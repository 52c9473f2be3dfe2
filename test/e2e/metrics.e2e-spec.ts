import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait, createLabProvider } from '../support/collection.js';
import { createOrganization } from '../support/factories.js';
import { createSystem, loadDebianFacts } from '../support/facts.js';

/** The value of one series in a Prometheus text exposition (labels in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[4]);
  }
  return null;
}

describe('GET /metrics/', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const scrape = async () => {
    const res = await http<string>(`${t.api}/metrics/`, { anonymous: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body;
  };

  it('shows the series after a collection and a push', async () => {
    const provider = await createLabProvider(t, 'Metrics Lab');
    const run = await collectAndWait(t, provider);
    expect(run.status).toBe('completed');
    const org = await createOrganization(t.pool, 'Metrics Org');
    const system = await createSystem(t, org, 'metrics-host');
    const pushed = await http(`${t.api}/facts/`, {
      method: 'POST',
      json: loadDebianFacts(),
      as: system.basic,
    });
    expect(pushed.status).toBeLessThan(300);
    await http(`${t.api}/resource-types/?page_size=1`);

    const text = await scrape();
    expect(sample(text, 'inventory_collection_runs_total', { status: 'completed' })).toBe(1);
    expect(sample(text, 'inventory_collection_run_duration_seconds_count', { status: 'completed' })).toBe(1);
    expect(
      sample(text, 'inventory_resources_written_total', { source: 'collection', outcome: 'created' }),
    ).toBe(run.resources_created);
    expect(run.resources_created).toBeGreaterThan(0);
    expect(sample(text, 'inventory_push_submissions_total', { outcome: 'created' })).toBe(1);
    expect(sample(text, 'inventory_resources_written_total', { source: 'push', outcome: 'created' })).toBe(1);
    // Requests by route pattern, not by concrete URL.
    expect(
      sample(text, 'inventory_http_requests_total', {
        method: 'GET',
        route: '/api/inventory/v1/resource-types',
        status: '200',
      }),
    ).toBe(1);
    expect(
      sample(text, 'inventory_http_requests_total', {
        method: 'GET',
        route: '/api/inventory/v1/collection-runs/:id',
        status: '200',
      }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'inventory_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/inventory/v1/facts',
      }),
    ).toBe(1);
    expect(sample(text, 'inventory_collection_queue_depth')).toBe(0);
    expect(sample(text, 'inventory_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(sample(text, 'inventory_db_pool_connections', { state: 'max' })).toBe(10);
    expect(sample(text, 'inventory_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'inventory_nodejs_eventloop_lag_seconds')).not.toBeNull();
  });

  it('is left out of the OpenAPI document', async () => {
    const doc = await http(`${t.api}/openapi.json`);
    expect(Object.keys(doc.body.paths).some((path) => path.includes('metrics'))).toBe(false);
  });
});

describe('GET /metrics/ with METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN: 'scrape-secret' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('needs the Bearer token', async () => {
    const none = await http(`${t.api}/metrics/`, { anonymous: true });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await http(`${t.api}/metrics/`, { as: 'Bearer wrong' })).status).toBe(401);
    // A user's credentials are not the metrics token.
    expect((await http(`${t.api}/metrics/`)).status).toBe(401);
    const ok = await http<string>(`${t.api}/metrics/`, { as: 'Bearer scrape-secret' });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('inventory_http_requests_total');
  });
});
