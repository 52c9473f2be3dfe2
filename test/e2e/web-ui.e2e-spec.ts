import type { Page } from 'playwright-core';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { hasChromium, startBrowser, type TestBrowser } from '../support/browser.js';
import { FakeGateway } from '../support/gateway-tokens.js';
import { seedLab } from '../support/lab.js';

if (!hasChromium)
  console.warn('chromium is not installed (apt-get install chromium): skipping the web UI browser tests.');

/**
 * The web UI in a real browser (Debian's headless Chromium driven by playwright-core)
 * against the service serving its built UI at /ui/, on the seeded VMware lab. Every
 * assertion waits for the content it reads (never for a fixed time).
 */
(hasChromium ? describe : describe.skip)('the web UI (headless Chromium)', () => {
  const gateway = new FakeGateway();
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  const password = () => `password-${t.admin.username}`;

  const ui = (path = '') => `${t.root}/ui/${path}`;

  /** The rows of a table named `label` as [first cell, last cell] text pairs, once it has rows. */
  async function tableCounts(label: string): Promise<Record<string, number>> {
    const table = page.getByRole('grid', { name: label }).or(page.getByRole('table', { name: label }));
    await table.locator('tbody tr').first().waitFor();
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
      );
    return Object.fromEntries(rows.map((cells) => [cells[0], Number(cells[cells.length - 1])]));
  }

  beforeAll(async () => {
    t = await startTestApp({ GATEWAY_JWT_PUBLIC_KEY: gateway.publicKeyPem });
    await seedLab(t);
    browser = await startBrowser();
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the UI at /ui/ (deep links answer index.html, / redirects there) without adding it to the API index', async () => {
    const root = await fetch(`${t.root}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    const deep = await fetch(ui('resources/some/deep/link/'));
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    const html = await deep.text();
    expect(html).toContain('<div id="root">');
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${t.root}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    // Nothing outside the build folder is served; unknown assets are 404s.
    expect((await fetch(ui('assets/..%2f..%2fpackage.json'))).status).toBe(404);
    expect((await fetch(ui('assets/nope.js'))).status).toBe(404);
    const index = await http(`${t.api}/`);
    expect(Object.keys(index.body)).not.toContain('ui');
  });

  it('signs in with the Log in form (wrong password: the API’s detail), then logs out', async () => {
    await page.goto(ui());
    await page.getByLabel('Username').fill(t.admin.username);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid username or password.' }).waitFor();
    await page.getByLabel('Password').fill(password());
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const token = await page.evaluate<string | null>('sessionStorage.getItem("inventory.token")');
    expect((await http(`${t.api}/users/me/`, { as: `Bearer ${token}` })).status).toBe(200);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    // The token is revoked, not only forgotten.
    expect(await page.evaluate('sessionStorage.getItem("inventory.token")')).toBeNull();
    expect((await http(`${t.api}/users/me/`, { as: `Bearer ${token}` })).status).toBe(401);
  });

  it('behind the gateway (its token on every request) shows no sign-in form', async () => {
    const other = await startBrowser();
    try {
      const claims = gateway.claims();
      await other.context.setExtraHTTPHeaders({ 'x-dab-jw-token': await gateway.token(claims) });
      await other.page.goto(ui());
      await other.page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      expect(await other.page.getByLabel('Username').count()).toBe(0);
      expect(await other.page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
      await other.page
        .getByText((claims.user_data as { username: string }).username, { exact: true })
        .waitFor();
    } finally {
      await other.close();
    }
  });

  it('the overview’s counts equal the API’s on the seeded lab', async () => {
    await page.goto(ui());
    await page.getByLabel('Username').fill(t.admin.username);
    await page.getByLabel('Password').fill(password());
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

    const byType = await http(`${t.api}/resources/summary/?group_by=resource_type`);
    expect(await tableCounts('Resources by type')).toEqual(
      Object.fromEntries(byType.body.groups.map((g: any) => [g.resource_type_name, g.count])),
    );
    expect(await page.locator('[data-total="resources"]').textContent()).toBe('27');
    const byProvider = await http(`${t.api}/resources/summary/?group_by=provider`);
    expect(await tableCounts('Resources by provider')).toEqual(
      Object.fromEntries(byProvider.body.groups.map((g: any) => [g.provider_name, g.count])),
    );
    expect(await tableCounts('Systems by heartbeat status')).toEqual({ active: 0, inactive: 0, unknown: 0 });
    const providers = page.getByRole('grid', { name: 'Providers and their last run' });
    await providers.getByText('completed').waitFor();
    expect(await providers.locator('tbody tr').count()).toBe(1);
    // The chart draws one bar segment per day with changes (the lab changes every day).
    const days = (await http(`${t.api}/resource-changes/summary/?interval=day`)).body.results;
    await page.locator('svg[data-chart="changes-per-day"] rect').first().waitFor();
    expect(await page.locator('svg[data-chart="changes-per-day"] g rect').count()).toBe(
      days.reduce((n: number, d: any) => n + Object.keys(d.severities).length, 0),
    );
    const alerts = (await http(`${t.api}/alerts/totals/`)).body;
    expect(await page.locator('[data-total="firing-alerts"]').textContent()).toBe(String(alerts.firing));
  });

  it('shows events live from /events/stream/ as they happen', async () => {
    await page.goto(ui());
    await page.getByText('Waiting for events').waitFor();
    const provider = (await http(`${t.api}/providers/`)).body.results[0];
    const run = await http(`${t.api}/providers/${provider.id}/collect/`, { method: 'POST', json: {} });
    expect(run.status).toBeLessThan(300);
    await page.getByRole('grid', { name: 'Recent events' }).getByText('collection_run.completed').waitFor();
  });
});
