import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = 5;

export interface WebUiFigures {
  initialJsGzipKb: number;
  initialCssGzipKb: number;
  resourcesFirstRowsMs: number[];
  resourcePageMs: number[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The web UI on the benchmark database in headless Chromium (Debian's), signed in with
 * the benchmark's token: from navigation to the resources page's first 25 rows, and to a
 * resource page (the resource with the most sightings) with its history chart and
 * sightings drawn; plus the initial JavaScript and CSS, gzipped. Null without chromium.
 */
export async function measureWebUi(
  root: string,
  authorization: string,
  hotResourceId: string,
  log: (message: string) => void,
): Promise<WebUiFigures | null> {
  if (!existsSync(CHROMIUM)) {
    log(`No ${CHROMIUM}: the web UI is not measured.`);
    return null;
  }
  const html = await (await fetch(`${root}/ui/`)).text();
  const asset = async (pattern: RegExp) => {
    const path = pattern.exec(html)?.[1];
    if (!path) return 0;
    // The build's URLs are relative to the page (its <base> is /ui/).
    const body = Buffer.from(await (await fetch(new URL(path, `${root}/ui/`))).arrayBuffer());
    return Math.round(gzipSync(body, { level: 9 }).length / 1024);
  };
  const figures: WebUiFigures = {
    initialJsGzipKb: await asset(/<script[^>]+src="([^"]+\.js)"/),
    initialCssGzipKb: await asset(/<link[^>]+href="([^"]+\.css)"/),
    resourcesFirstRowsMs: [],
    resourcePageMs: [],
  };
  const profile = await mkdtemp(join(tmpdir(), 'inventory-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    context.setDefaultTimeout(60_000);
    const token = authorization.replace(/^Bearer\s+/i, '');
    await context.addInitScript(`sessionStorage.setItem('inventory.token', ${JSON.stringify(token)})`);
    const page = context.pages()[0] ?? (await context.newPage());
    // One visit first, so the browser's cache holds the assets as it would for a user.
    await page.goto(`${root}/ui/resources/`);
    await page.locator('table[aria-label="Resources"] tbody tr').nth(24).waitFor();
    for (let i = 0; i < RUNS; i++) {
      await page.goto('about:blank');
      let started = performance.now();
      await page.goto(`${root}/ui/resources/`);
      await page.locator('table[aria-label="Resources"] tbody tr').nth(24).waitFor();
      figures.resourcesFirstRowsMs.push(Math.round(performance.now() - started));

      await page.goto('about:blank');
      started = performance.now();
      await page.goto(`${root}/ui/resources/${hotResourceId}/`);
      await page.locator('svg[data-chart="history"] path').first().waitFor({ state: 'attached' });
      await page.locator('table[aria-label="Sightings"] tbody tr').first().waitFor();
      figures.resourcePageMs.push(Math.round(performance.now() - started));
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
  log(
    `Web UI: resources page ${figures.resourcesFirstRowsMs.join('/')} ms, resource page ${figures.resourcePageMs.join('/')} ms`,
  );
  return figures;
}

/** The figures as the benchmark prints them. */
export function webUiReport(f: WebUiFigures): string {
  const goal = (ms: number) => (ms <= 1500 ? 'met' : '**MISSED**');
  const rows = median(f.resourcesFirstRowsMs);
  const resource = median(f.resourcePageMs);
  return [
    `\nWeb UI (headless Chromium, ${RUNS} visits each after one to fill the cache; median, then every visit):`,
    `- /ui/resources/ first 25 rows: ${rows} ms (${f.resourcesFirstRowsMs.join(', ')}) — goal ≤ 1,500 ms: ${goal(rows)}`,
    `- /ui/resources/{id}/ of the resource with the most sightings, history chart and sightings drawn: ${resource} ms (${f.resourcePageMs.join(', ')}) — goal ≤ 1,500 ms: ${goal(resource)}`,
    `- initial JavaScript ${f.initialJsGzipKb} KB gzipped (goal ≤ 600 KB: ${f.initialJsGzipKb <= 600 ? 'met' : '**MISSED**'}), CSS ${f.initialCssGzipKb} KB gzipped`,
  ].join('\n');
}
