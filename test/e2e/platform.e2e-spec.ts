import { http, startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { TcpProxy } from '../support/tcp-proxy.js';

describe('platform behaviour', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /ping/ and /health/', async () => {
    expect(await http(`${t.api}/ping/`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    const health = await http(`${t.api}/health/`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', database: { status: 'ok' } });
  });

  it('indexes every endpoint of the API (from the routes) with absolute URLs', async () => {
    const res = await http(`${t.api}/`);
    expect(res.status).toBe(200);
    expect(res.body.providers).toBe(`${t.api}/providers/`);
    expect(res.body['openapi.json']).toBe(`${t.api}/openapi.json`);
    // Every top-level path of the OpenAPI document is in the index, and nothing else (the
    // documents themselves and the Prometheus scrape endpoint are not in the document).
    const document = (await http(`${t.api}/openapi.json`)).body as { paths: Record<string, unknown> };
    // A first segment without a path of its own (auth/) is indexed by its paths (auth/login).
    const relative = Object.keys(document.paths)
      .filter((p) => p.startsWith('/api/inventory/v1/'))
      .map((p) => p.slice('/api/inventory/v1/'.length));
    const topLevel = new Set(
      relative
        .map((p) => (relative.includes(p.split('/')[0]) ? p.split('/')[0] : p))
        .filter((p) => p && !p.includes('{')),
    );
    expect(
      Object.keys(res.body)
        .filter((name) => !['docs', 'openapi.json', 'metrics'].includes(name))
        .sort(),
    ).toEqual([...topLevel].sort());
    for (const name of [
      'systems',
      'facts',
      'resource-changes',
      'users',
      'organizations',
      'teams',
      'role_definitions',
      'role_user_assignments',
      'role_team_assignments',
      'activitystream',
    ])
      expect(Object.keys(res.body)).toContain(name);
    for (const url of Object.values<string>(res.body)) {
      const answer = await http(url);
      // A push-only endpoint (POST /facts/) answers GET with 405 and says what it takes.
      if (answer.status === 405)
        expect({ url, allow: answer.headers.get('allow') }).toEqual({ url, allow: 'POST' });
      else expect({ url, status: answer.status }).toEqual({ url, status: 200 });
    }
  });

  it('serves every route under /api/v1/ too, with or without the trailing slash', async () => {
    for (const path of [
      '/api/v1/resource-categories/',
      '/api/v1/resource-categories',
      '/api/inventory/v1/resource-categories',
    ]) {
      const res = await http(`${t.root}${path}`);
      expect({ path, status: res.status, count: res.body.count }).toEqual({ path, status: 200, count: 15 });
    }
    const alias = await http(`${t.root}/api/v1/resource-categories/?page_size=2`);
    expect(alias.body.next).toBe(`${t.root}/api/v1/resource-categories/?page_size=2&page=2`);
    expect((await http(`${t.root}/api/v1/`)).status).toBe(200);
  });

  it('rejects writes to read-only collections with 405 and Allow', async () => {
    const readOnly = [
      'resources',
      'resource-sightings',
      'resource-relationships',
      'resource-categories',
      'resource-types',
      'vendor-type-mappings',
      'property-definitions',
      'collection-runs',
    ];
    for (const collection of readOnly) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const path =
          method === 'POST' ? `/${collection}/` : `/${collection}/00000000-0000-4000-8000-000000000000/`;
        const res = await http(`${t.api}${path}`, { method, json: {} });
        expect({ collection, method, status: res.status }).toEqual({ collection, method, status: 405 });
        expect(res.headers.get('allow')).toBe('GET');
        expect(res.body.detail).toMatch(/not allowed/);
      }
    }
    const providers = await http(`${t.api}/providers/`, { method: 'DELETE' });
    expect(providers.status).toBe(405);
    expect(providers.headers.get('allow')).toBe('GET, POST');
  });

  it('answers unknown paths with a JSON 404', async () => {
    const res = await http(`${t.api}/no-such-thing/`);
    expect(res).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
  });

  it('serves the OpenAPI document and the Swagger UI', async () => {
    const doc = await http(`${t.api}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/inventory/v1/resources', '/api/inventory/v1/resources/{id}/history']),
    );
    const params = doc.body.paths['/api/inventory/v1/resources'].get.parameters.map((p: any) => p.name);
    expect(params).toEqual(
      expect.arrayContaining([
        'page',
        'page_size',
        'ordering',
        'search',
        'state',
        'state__n',
        'name__ic',
        'last_seen_after',
      ]),
    );
    const ui = await fetch(`${t.api}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });
});

describe('when PostgreSQL becomes unreachable', () => {
  let t: TestApp;
  let db: TestDatabase;
  let proxy: TcpProxy;
  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    target.host = `127.0.0.1:${port}`;
    t = await startTestApp({ DATABASE_URL: target.toString() });
  });
  afterAll(async () => {
    await t.close();
    await proxy.cut();
    await db.drop();
  });

  it('answers 503 for reads and health, keeps /ping/ alive, and recovers', async () => {
    expect((await http(`${t.api}/resources/`)).status).toBe(200);
    await proxy.cut();
    const list = await http(`${t.api}/resources/`);
    expect(list.status).toBe(503);
    expect(list.body.detail).toMatch(/database is unavailable/i);
    expect(list.headers.get('retry-after')).toBe('5');
    const health = await http(`${t.api}/health/`);
    expect(health.status).toBe(503);
    expect(health.body.database.status).toBe('unavailable');
    expect((await http(`${t.api}/ping/`)).status).toBe(200);
    const write = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: 'x',
        vendor: 'vmware',
        provider_type: 'vcenter',
        infrastructure: 'private_cloud',
        organization: 1,
      },
    });
    expect(write.status).toBe(503);
    await proxy.restore();
    expect((await http(`${t.api}/resources/`)).status).toBe(200);
  });
});
