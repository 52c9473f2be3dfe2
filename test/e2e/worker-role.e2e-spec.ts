import { http, startTestApp, type TestApp } from '../support/app.js';

/**
 * Issue 11, item 6: a worker process answers its probe paths only, decided by the path of
 * the request alone; a query string that happens to end in `/ping` reaches nothing.
 */
describe('the worker role route filter', () => {
  let worker: TestApp;
  beforeAll(async () => {
    worker = await startTestApp({ INVENTORY_ROLE: 'worker' });
  });
  afterAll(async () => {
    await worker?.close();
  });

  it('answers the probe paths, with or without a trailing slash or a query string', async () => {
    for (const path of [
      '/api/inventory/v1/ping/',
      '/api/inventory/v1/ping',
      '/api/inventory/v1/ping/?verbose=1',
      '/api/inventory/v1/health/',
      '/api/inventory/v1/metrics',
      '/api/v1/ping/',
    ])
      expect([path, (await http(`${worker.root}${path}`, { anonymous: true })).status]).toEqual([path, 200]);
  });

  it('refuses every other path even when the query string or a segment names a probe', async () => {
    for (const path of [
      '/api/inventory/v1/providers/?x=/ping',
      '/api/inventory/v1/providers/?x=/health/',
      '/api/inventory/v1/resources/?a=1&b=/metrics',
      '/api/v1/providers/?x=/ping',
      '/api/inventory/v1/organizations/ping',
      '/api/inventory/v1/providers/#/ping',
      '/v1/facts?x=/ping',
    ]) {
      const res = await http(`${worker.root}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body.detail).toMatch(/INVENTORY_ROLE=worker/);
    }
  });
});
