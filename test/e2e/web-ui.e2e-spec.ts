import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { hasChromium, startBrowser, type TestBrowser } from '../support/browser.js';
import { FakeVsphere } from '../support/fake-vsphere.js';
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
  const vsphere = new FakeVsphere();
  let vsphereUrl: string;
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
    vsphereUrl = await vsphere.start();
    browser = await startBrowser();
    page = browser.page;
  }, 120_000);
  // Generous: on a loaded machine closing Chromium and the app took over a minute once.
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await vsphere.stop();
  }, 120_000);

  it('serves the UI at /ui/ (deep links answer index.html, / redirects there) without adding it to the API index', async () => {
    const root = await fetch(`${t.root}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    const deep = await fetch(ui('resources/some/deep/link/'));
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    const html = await deep.text();
    expect(html).toContain('<div id="root">');
    // The build's URLs are relative; the <base> names the mount they resolve against.
    expect(html).toContain('<base href="/ui/" />');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(ui(script));
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

  it('is also served inside the gateway slug, at /api/inventory/ui/, with links that stay there', async () => {
    const mounted = (path = '') => `${t.root}/api/inventory/ui/${path}`;
    const html = await (await fetch(mounted('resources/deep/link/'))).text();
    expect(html).toContain('<base href="/api/inventory/ui/" />');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect((await fetch(mounted(script))).status).toBe(200);
    expect((await fetch(mounted('assets/..%2f..%2fpackage.json'))).status).toBe(404);
    const bare = await fetch(`${t.root}/api/inventory/ui`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/api/inventory/ui/']);

    // Through a gateway that routes only /api/inventory/ to the service and adds its token.
    const other = await startBrowser();
    try {
      const claims = gateway.claims();
      (claims.user_data as { is_superuser: boolean }).is_superuser = true;
      await other.context.setExtraHTTPHeaders({ 'x-dab-jw-token': await gateway.token(claims) });
      await other.page.goto(mounted('resources/?search=esxi01'));
      const link = other.page
        .getByRole('grid', { name: 'Resources' })
        .getByRole('link', { name: 'esxi01.lab.local' });
      await link.waitFor();
      const esxi = (await http(`${t.api}/resources/?search=esxi01`)).body.results[0];
      expect(await link.getAttribute('href')).toBe(`/api/inventory/ui/resources/${esxi.id}/`);
      await link.click();
      await other.page.getByRole('heading', { name: 'esxi01.lab.local', level: 1 }).waitFor();
      expect(other.page.url()).toBe(mounted(`resources/${esxi.id}/`));
      await other.page.getByRole('link', { name: 'Providers' }).click();
      await other.page.getByRole('heading', { name: 'Providers', level: 1 }).waitFor();
      expect(other.page.url()).toBe(mounted('providers/'));
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
  it('/ui/resources/: search finds esxi01, filters and sorting are server-side, "Load more" reads on', async () => {
    await page.goto(ui('resources/'));
    await page.locator('[data-count="resources"]').filter({ hasText: '27' }).waitFor();
    const rows = page.getByRole('grid', { name: 'Resources' }).locator('tbody tr');
    expect(await rows.count()).toBe(25);
    await page.getByRole('button', { name: 'Load more' }).click();
    await rows.nth(26).waitFor();
    expect(await rows.count()).toBe(27);

    await page.getByLabel('Search').fill('esxi01');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('[data-count="resources"]').filter({ hasText: /^1$/ }).waitFor();
    expect(await rows.count()).toBe(1);
    await rows.getByRole('link', { name: 'esxi01.lab.local' }).waitFor();
    expect(new URL(page.url()).searchParams.get('search')).toBe('esxi01');

    await page.getByLabel('Search').fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByLabel('State').selectOption('running');
    await page.locator('[data-count="resources"]').filter({ hasText: /^10$/ }).waitFor();
    await page.getByRole('button', { name: 'vCPUs' }).click();
    await page.waitForURL(/ordering=cpu_count/);
    await page.getByRole('button', { name: 'vCPUs' }).click();
    await page.waitForURL(/ordering=-cpu_count/);
    const api = await http(`${t.api}/resources/?state=running&ordering=-cpu_count&fields=name`);
    await rows.first().getByRole('link', { name: api.body.results[0].name }).waitFor();
  });

  it('a VM’s page draws its history chart and a graph of its neighbours one can click through', async () => {
    const vm = (await http(`${t.api}/resources/?name=aap-controller-01`)).body.results[0];
    const edges = (await http(`${t.api}/resource-relationships/?resource=${vm.id}`)).body;
    await page.goto(ui(`resources/${vm.id}/`));
    await page.getByRole('heading', { name: 'aap-controller-01', level: 1 }).waitFor();
    const sightings = (await http(`${t.api}/resources/${vm.id}/history/`)).body.summary.total_sightings;
    expect(sightings).toBeGreaterThanOrEqual(8);
    // One point per sighting on each line (vCPUs first).
    const chart = page.locator('svg[data-chart="history"]').first();
    await chart.locator('path').waitFor({ state: 'attached' });
    expect(((await chart.locator('path').getAttribute('d')) ?? '').split('L').length).toBe(sightings);
    expect(await chart.locator('circle').count()).toBe(sightings);
    const graph = page.locator('svg[data-graph="neighbourhood"]');
    await graph.waitFor();
    expect(await graph.locator('[data-node]').count()).toBe(edges.count + 1);
    expect(await graph.locator('[data-edge]').count()).toBe(edges.count);
    const host = edges.results.find((e: any) => e.relationship_type === 'runs_on');
    await graph.getByRole('link', { name: new RegExp(`^${host.target_name}`) }).click();
    await page.getByRole('heading', { name: host.target_name, level: 1 }).waitFor();
    expect(page.url()).toBe(ui(`resources/${host.target}/`));
  });
  it('/ui/topology/?provider= draws the lab: 27 nodes and 49 edges, as the API counts them', async () => {
    const provider = (await http(`${t.api}/providers/?name=Lab vCenter - vcsa01.lab.local`)).body.results[0];
    const nodes = (await http(`${t.api}/resources/?provider=${provider.id}&removed=false`)).body.count;
    const edges = (await http(`${t.api}/resource-relationships/?provider=${provider.id}&removed=false`)).body
      .count;
    expect([nodes, edges]).toEqual([27, 49]);
    await page.goto(ui(`topology/?provider=${provider.id}`));
    const graph = page.locator('svg[data-graph="topology"]');
    await graph.waitFor();
    expect(await graph.locator('[data-node]').count()).toBe(27);
    expect(await graph.locator('[data-edge]').count()).toBe(49);
    expect(await page.locator('[data-count="nodes"]').textContent()).toBe('27');
    expect(await page.locator('[data-count="edges"]').textContent()).toBe('49');
  });

  it('creates a provider with the form generated from the plugin, collects it and watches the run complete', async () => {
    await page.goto(ui('providers/'));
    await page.getByRole('button', { name: 'Add provider' }).click();
    await page.getByLabel('Plugin').selectOption('vmware:vcenter');
    await page.getByLabel(/^Name/).fill('UI vCenter');
    await page.getByLabel(/^Endpoint/).fill(vsphereUrl);
    await page.getByLabel(/^username/).fill(vsphere.username);
    await page.getByLabel(/^password/).fill(vsphere.password);
    await page.getByLabel('Enable allow http').check();
    await page.getByLabel('timeout seconds').fill('5');
    // The API's field error is shown next to its field.
    await page.getByLabel('Schedule').fill('every now and then');
    await page.getByRole('button', { name: 'Create provider' }).click();
    await page.getByText('Use an interval in seconds or a five-field cron expression').first().waitFor();
    expect(await page.getByLabel('Schedule').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Schedule').fill('');
    await page.getByRole('button', { name: 'Create provider' }).click();
    await page.getByRole('heading', { name: 'UI vCenter', level: 1 }).waitFor();
    const id = /providers\/([0-9a-f-]{36})\//.exec(page.url())?.[1];
    const stored = (await http(`${t.api}/providers/${id}/`)).body;
    expect(stored.connection_config).toMatchObject({
      username: vsphere.username,
      password: '$encrypted$',
      allow_http: true,
      timeout_seconds: 5,
    });
    // The secret is never shown again, neither on the page nor in the edit form.
    await page.getByText('stored (not shown)').waitFor();
    expect(await page.content()).not.toContain(vsphere.password);
    await page.getByRole('button', { name: 'Collect now' }).click();
    await page.locator('[data-run][data-status="completed"]').waitFor({ timeout: 30_000 });
    const run = (await http(`${t.api}/collection-runs/?provider=${id}`)).body.results[0];
    expect(run.status).toBe('completed');
    expect(run.resources_found).toBeGreaterThan(0);
    await page.locator('[data-run]').getByText(`found ${run.resources_found}`).waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel(/^username/).waitFor();
    expect(await page.getByLabel(/^username/).inputValue()).toBe(vsphere.username);
    expect(await page.getByLabel(/^password/).inputValue()).toBe('');
    await page.getByLabel('Description').fill('edited in the UI');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('edited in the UI').waitFor();
    // Saving without retyping the password kept the stored one.
    const after = (await http(`${t.api}/providers/${id}/`)).body;
    expect(after.description).toBe('edited in the UI');
    expect(after.connection_config.password).toBe('$encrypted$');
    const again = await http(`${t.api}/providers/${id}/collect/`, { method: 'POST', json: {} });
    expect(again.status).toBe(202);
  });

  it('/ui/systems/: enrolling shows the secret once, and it works for a push', async () => {
    await page.goto(ui('systems/'));
    await page.getByLabel('System name').fill('ui-enrolled-01');
    await page.getByRole('button', { name: 'Enroll' }).click();
    await page.getByText('copy the secret now, it is not shown again').waitFor();
    const key = await page.getByRole('textbox', { name: 'System key' }).inputValue();
    const secret = await page.getByRole('textbox', { name: 'Secret' }).inputValue();
    expect(key).toMatch(/^SYS-/);
    expect(secret.length).toBeGreaterThan(16);
    const heartbeat = await http(`${t.root}/api/systems/heartbeat`, {
      method: 'POST',
      as: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`,
    });
    expect(heartbeat.status).toBe(200);
    await page.getByRole('grid', { name: 'Systems' }).getByText('ui-enrolled-01').waitFor();
    await page.reload();
    await page.getByRole('grid', { name: 'Systems' }).getByText('ui-enrolled-01').waitFor();
    expect(await page.content()).not.toContain(secret);
  });

  it('lists collection runs, activity and alerts', async () => {
    await page.goto(ui('collection-runs/'));
    const runs = (await http(`${t.api}/collection-runs/`)).body.count;
    await page
      .locator('[data-count="Collection runs"]')
      .filter({ hasText: String(runs) })
      .waitFor();
    await page.goto(ui('activity/'));
    await page.getByRole('grid', { name: 'Activity' }).getByText('UI vCenter').first().waitFor();
    await page.goto(ui('alerts/'));
    await page.locator('[data-count="Alerts"]').waitFor();
  });
  it('axe-core finds no serious or critical accessibility violation on any page (at 1280 px and on a phone)', async () => {
    const axe = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    const lab = (await http(`${t.api}/providers/?name=Lab vCenter - vcsa01.lab.local`)).body.results[0].id;
    const vm = (await http(`${t.api}/resources/?name=aap-controller-01`)).body.results[0].id;
    // UI_SCREENSHOTS_DIR=docs/images writes the README's screenshots from this run.
    const shots = process.env.UI_SCREENSHOTS_DIR;
    if (shots) await mkdir(shots, { recursive: true });
    const pages: [string, string, () => Promise<unknown>][] = [
      ['overview', '', () => page.locator('svg[data-chart="changes-per-day"]').waitFor()],
      ['resources', 'resources/', () => page.locator('[data-count="resources"]').waitFor()],
      ['resource', `resources/${vm}/`, () => page.locator('svg[data-graph="neighbourhood"]').waitFor()],
      ['topology', `topology/?provider=${lab}`, () => page.locator('svg[data-graph="topology"]').waitFor()],
      ['providers', 'providers/', () => page.locator('[data-count="Providers"]').waitFor()],
      [
        'provider',
        `providers/${lab}/`,
        () => page.locator('[data-count="Collection runs of this provider"]').waitFor(),
      ],
      ['provider-form', 'providers/new/', () => page.getByLabel('Plugin').waitFor()],
      ['systems', 'systems/', () => page.locator('[data-count="Systems"]').waitFor()],
      ['collection-runs', 'collection-runs/', () => page.locator('[data-count="Collection runs"]').waitFor()],
      ['activity', 'activity/', () => page.locator('[data-count="Activity"]').waitFor()],
      ['alerts', 'alerts/', () => page.locator('[data-count="Alerts"]').waitFor()],
    ];
    const found: string[] = [];
    // Every page at 1280 px; the busiest ones again at a phone's width.
    const phone = ['overview', 'resources', 'resource', 'provider-form', 'systems'];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width > 1000 ? 900 : 844 });
      for (const [name, path, ready] of pages) {
        if (width < 1000 && !phone.includes(name)) continue;
        await page.goto(ui(path));
        await ready();
        await page.addScriptTag({ content: axe });
        const result: any = await page.evaluate('axe.run(document, { resultTypes: ["violations"] })');
        for (const v of result.violations)
          if (v.impact === 'serious' || v.impact === 'critical')
            found.push(
              `${name} at ${width}px: ${v.id} (${v.help}) on ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`,
            );
        if (shots && width === 1280)
          await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
      }
    }
    expect(found).toEqual([]);
    // Nothing is wider than a phone's screen except the graphs, which scroll in their own box.
    await page.goto(ui('resources/'));
    await page.locator('[data-count="resources"]').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 180_000);
});
