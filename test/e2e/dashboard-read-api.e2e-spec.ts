import { http, startTestApp, type TestApp } from '../support/app.js';
import { seedLab } from '../support/lab.js';

/**
 * The read API a dashboard needs, on the seeded VMware lab (27 resources, a week of
 * history): /resources/summary/, /resource-changes/summary/, the timeline's fill, list
 * exports (CSV and NDJSON, streamed through a cursor) and ?fields=.
 */

/** RFC 4180 rows of a CSV text (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

async function text(url: string, headers: Record<string, string> = {}, as?: string) {
  const response = await fetch(url, { headers: { authorization: as ?? defaultAuth, ...headers } });
  return { status: response.status, headers: response.headers, body: await response.text() };
}
let defaultAuth = '';

describe('dashboard read API on the seeded VMware lab', () => {
  let t: TestApp;
  let total: number;
  beforeAll(async () => {
    t = await startTestApp();
    defaultAuth = t.admin.bearer;
    await seedLab(t);
    total = (await http(`${t.api}/resources/`)).body.count;
  });
  afterAll(async () => {
    await t.close();
  });

  describe('GET /resources/summary/', () => {
    it('counts per resource type, each group equal to the list filtered by it', async () => {
      const summary = await http(`${t.api}/resources/summary/?group_by=resource_type`);
      expect(summary.status).toBe(200);
      expect(summary.body.group_by).toEqual(['resource_type']);
      expect(summary.body.count).toBe(total);
      expect(summary.body.truncated).toBe(false);
      const groups = summary.body.groups as Record<string, unknown>[];
      expect(groups.reduce((n, g) => n + (g.count as number), 0)).toBe(total);
      for (const group of groups) {
        expect(typeof group.resource_type_slug).toBe('string');
        const list = await http(
          `${t.api}/resources/?resource_type=${String(group.resource_type)}&page_size=1`,
        );
        expect(list.body.count).toBe(group.count);
      }
      // Largest group first.
      const counts = groups.map((g) => g.count as number);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    });

    it('takes every list filter: running resources by power state, the README figure', async () => {
      const summary = await http(`${t.api}/resources/summary/?state=running&group_by=power_state`);
      expect(summary.body.count).toBe(10);
      expect(summary.body.groups).toEqual([{ power_state: 'poweredOn', count: 10 }]);
    });

    it('groups by two fields, a provider tag, the provider with its name, and discovery weeks', async () => {
      const pairs = await http(`${t.api}/resources/summary/?group_by=resource_type&group_by=state`);
      expect(pairs.body.groups.reduce((n: number, g: { count: number }) => n + g.count, 0)).toBe(total);
      for (const g of pairs.body.groups)
        expect(Object.keys(g)).toEqual(
          expect.arrayContaining(['resource_type', 'resource_type_slug', 'state', 'count']),
        );

      const tags = await http(`${t.api}/resources/summary/?group_by=tag:env`);
      for (const g of tags.body.groups.filter((x: Record<string, unknown>) => x['tag:env'] !== null)) {
        const list = await http(
          `${t.api}/resources/?tag=env=${encodeURIComponent(g['tag:env'])}&page_size=1`,
        );
        expect(list.body.count).toBe(g.count);
      }
      expect(tags.body.groups.some((g: Record<string, unknown>) => g['tag:env'] === null)).toBe(true);

      const providers = await http(`${t.api}/resources/summary/?group_by=provider&group_by=infrastructure`);
      expect(providers.body.groups).toHaveLength(1);
      expect(providers.body.groups[0]).toMatchObject({ count: total, infrastructure: 'private_cloud' });
      expect(typeof providers.body.groups[0].provider_name).toBe('string');

      const orgs = await http(`${t.api}/resources/summary/?group_by=organization`);
      expect(orgs.body.groups[0]).toMatchObject({ count: total, organization_name: expect.any(String) });

      const weeks = await http(`${t.api}/resources/summary/?group_by=first_discovered_at:week`);
      for (const g of weeks.body.groups) expect(g['first_discovered_at:week']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(weeks.body.groups.reduce((n: number, g: { count: number }) => n + g.count, 0)).toBe(total);
    });

    it('answers 400 naming group_by for a missing, unknown or repeated field', async () => {
      for (const query of ['', '?group_by=password', '?group_by=state&group_by=state', '?group_by=tag:']) {
        const response = await http(`${t.api}/resources/summary/${query}`);
        expect(response.status).toBe(400);
        expect(response.body.errors).toHaveProperty('group_by');
      }
      const badFilter = await http(`${t.api}/resources/summary/?group_by=state&state=nope`);
      expect(badFilter.status).toBe(400);
    });

    it('is scoped by RBAC: a user without roles counts nothing', async () => {
      const nobody = await t.createUser('summary-nobody');
      const summary = await http(`${t.api}/resources/summary/?group_by=state`, { as: nobody.bearer });
      expect(summary.status).toBe(200);
      expect(summary.body).toMatchObject({ count: 0, groups: [] });
    });
  });

  describe('change timelines', () => {
    it('/resource-changes/summary/ adds up to the change list, per day and per week', async () => {
      const all = (await http(`${t.api}/resource-changes/?page_size=1`)).body.count;
      expect(all).toBeGreaterThan(0);
      const days = await http(`${t.api}/resource-changes/summary/?interval=day`);
      expect(days.status).toBe(200);
      expect(days.body.count).toBe(all);
      const sum = days.body.results.reduce((n: number, d: { changes: number }) => n + d.changes, 0);
      expect(sum).toBe(all);
      for (const day of days.body.results) {
        const severities = Object.values(day.severities as Record<string, number>).reduce((n, c) => n + c, 0);
        expect(severities).toBe(day.changes);
      }
      const weeks = await http(`${t.api}/resource-changes/summary/?interval=week`);
      expect(weeks.body.count).toBe(all);
      for (const week of weeks.body.results) expect(new Date(`${week.date}T00:00:00Z`).getUTCDay()).toBe(1);

      const high = await http(`${t.api}/resource-changes/summary/?severity=high&severity=critical`);
      const highList = (await http(`${t.api}/resource-changes/?severity=high&severity=critical&page_size=1`))
        .body.count;
      expect(high.body.count).toBe(highList);
    });

    it('fill=true lists every day up to today, zeros included', async () => {
      const filled = await http(`${t.api}/resource-changes/summary/?fill=true`);
      const dates: string[] = filled.body.results.map((d: { date: string }) => d.date);
      for (let i = 1; i < dates.length; i++)
        expect(Date.parse(`${dates[i]}T00:00:00Z`) - Date.parse(`${dates[i - 1]}T00:00:00Z`)).toBe(
          86_400_000,
        );
      expect(dates.at(-1)).toBe(new Date().toISOString().slice(0, 10));
      const sparse = await http(`${t.api}/resource-changes/summary/`);
      expect(filled.body.count).toBe(sparse.body.count);

      const bad = await http(`${t.api}/resource-changes/summary/?interval=month`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toHaveProperty('interval');
      const wide = await http(`${t.api}/resource-changes/summary/?fill=true&detected_after=1900-01-01`);
      expect(wide.status).toBe(400);
      expect(wide.body.errors).toHaveProperty('fill');
    });

    it("a resource's /timeline/?fill=true has every day from its discovery, the same changes in all", async () => {
      const changed = (await http(`${t.api}/resource-changes/?page_size=1`)).body.results[0];
      const id = changed.resource;
      const sparse = await http(`${t.api}/resources/${id}/timeline/?page_size=1000`);
      const filled = await http(`${t.api}/resources/${id}/timeline/?fill=true&page_size=1000&ordering=date`);
      expect(filled.status).toBe(200);
      expect(filled.body.count).toBeGreaterThanOrEqual(sparse.body.count);
      const total = (page: { results: { changes: number }[] }) =>
        page.results.reduce((n, d) => n + d.changes, 0);
      expect(total(filled.body)).toBe(total(sparse.body));
      const dates: string[] = filled.body.results.map((d: { date: string }) => d.date);
      for (let i = 1; i < dates.length; i++)
        expect(Date.parse(`${dates[i]}T00:00:00Z`) - Date.parse(`${dates[i - 1]}T00:00:00Z`)).toBe(
          86_400_000,
        );
      expect(filled.body.results.some((d: { changes: number }) => d.changes === 0)).toBe(true);
    });
  });

  describe('?fields= and exports', () => {
    it('trims list results to the named fields; an unknown one is a 400 listing the fields', async () => {
      const trimmed = await http(`${t.api}/resources/?fields=id,name,state&page_size=3`);
      expect(trimmed.status).toBe(200);
      expect(trimmed.body.count).toBe(total);
      for (const r of trimmed.body.results) expect(Object.keys(r)).toEqual(['id', 'name', 'state']);
      const unknown = await http(`${t.api}/resources/?fields=id,password`);
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.fields[0]).toMatch(/password.*Fields: id, name/);
    });

    it('exports every resource as CSV (Accept or ?format=), in the list order, as a download', async () => {
      const list = await http(`${t.api}/resources/?page_size=1000&ordering=name`);
      const variants: { url: string; headers: Record<string, string> }[] = [
        { url: '?ordering=name&format=csv', headers: {} },
        { url: '?ordering=name', headers: { accept: 'text/csv' } },
      ];
      for (const variant of variants) {
        const csv = await text(`${t.api}/resources/${variant.url}`, variant.headers);
        expect(csv.status).toBe(200);
        expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
        expect(csv.headers.get('content-disposition')).toBe('attachment; filename="resources.csv"');
        const [header, ...rows] = parseCsv(csv.body);
        expect(header).toEqual(Object.keys(list.body.results[0]));
        expect(rows).toHaveLength(total);
        const nameAt = header.indexOf('name');
        expect(rows.map((r) => r[nameAt])).toEqual(list.body.results.map((r: { name: string }) => r.name));
        // Objects and arrays are JSON in their cell.
        const ips = rows.map((r) => r[header.indexOf('ip_addresses')]);
        for (const cell of ips) expect(Array.isArray(JSON.parse(cell))).toBe(true);
      }
    });

    it('exports NDJSON with fields and filters; errors stay 4xx before the download starts', async () => {
      const ndjson = await text(`${t.api}/resources/?state=running&fields=id,name`, {
        accept: 'application/x-ndjson',
      });
      expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const lines = ndjson.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(10);
      for (const line of lines) expect(Object.keys(line)).toEqual(['id', 'name']);

      const bad = await text(`${t.api}/resources/?format=csv&fields=nope`);
      expect(bad.status).toBe(400);
      expect((await text(`${t.api}/resources/?format=xml`)).status).toBe(400);
      // A browser's Accept stays JSON.
      const browser = await http(`${t.api}/resources/?page_size=1`, {
        headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
      });
      expect(browser.body.count).toBe(total);
      // An empty export of a CSV still has its header when fields are named.
      const empty = await text(`${t.api}/resources/?name=nothing-like-this&format=csv&fields=id,name`);
      expect(empty.body).toBe('id,name\r\n');
    });

    it('exports lists whose rows are completed per batch (machines) and nested lists', async () => {
      const machines = await http(`${t.api}/machines/?page_size=1000`);
      const exported = await text(`${t.api}/machines/?format=ndjson`);
      const rows = exported.body
        .trimEnd()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      expect(rows).toHaveLength(machines.body.count);
      expect(rows[0].providers).toEqual(machines.body.results[0].providers);
      expect(rows[0]).not.toHaveProperty('provider_ids');

      const vm = (await http(`${t.api}/resources/?resource_type_slug=virtual_machine&page_size=1`)).body
        .results[0];
      const sightings = await text(`${t.api}/resources/${vm.id}/sightings/?format=csv`);
      const count = (await http(`${t.api}/resources/${vm.id}/sightings/?page_size=1`)).body.count;
      expect(parseCsv(sightings.body)).toHaveLength(count + 1);
    });

    it('streams more rows than one cursor batch, each exactly once, with a consistent snapshot', async () => {
      // 2,600 more resources: the export fetches them in batches of 1,000.
      await t.pool.query(
        `INSERT INTO resources (name, provider_id, organization_id, resource_type_id, ems_ref, vendor_type, state,
           first_discovered_at, last_seen_at)
         SELECT 'bulk-' || lpad(n::text, 5, '0'), r.provider_id, r.organization_id, r.resource_type_id,
                'bulk-' || n, r.vendor_type, r.state, now(), now()
         FROM generate_series(1, 2600) n, (SELECT * FROM resources LIMIT 1) r`,
      );
      const csv = await text(`${t.api}/resources/?format=csv&fields=id,name&ordering=name`);
      const [, ...rows] = parseCsv(csv.body);
      expect(rows).toHaveLength(total + 2600);
      expect(new Set(rows.map((r) => r[0])).size).toBe(total + 2600);
      const names = rows.map((r) => r[1]);
      expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      // The pool is not left with open export transactions.
      const open = await t.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(open.rows[0].n).toBe(0);
    });
  });
});

describe('CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://dash.example.com' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers preflights and tags answers for the configured origins only', async () => {
    const preflight = await fetch(`${t.api}/resources/`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://dash.example.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');

    const get = await fetch(`${t.api}/resources/`, {
      headers: { origin: 'https://dash.example.com', authorization: t.admin.bearer },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');

    const other = await fetch(`${t.api}/resources/`, {
      headers: { origin: 'https://evil.example.net', authorization: t.admin.bearer },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('without CORS_ORIGINS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends no CORS headers', async () => {
    const get = await fetch(`${t.api}/resources/`, {
      headers: { origin: 'https://dash.example.com', authorization: t.admin.bearer },
    });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });
});
