import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { createSystem, type TestSystem } from '../support/facts.js';
import { seedLab } from '../support/lab.js';

/**
 * The README's read examples, run as written on the seeded VMware lab: every `curl` GET
 * in a bash block of README.md that targets this service answers 200, and where its
 * comment starts with a number (`# 10`, `# 14: …`) the list has exactly that many.
 * A README edit that changes a query or its documented answer is checked here.
 */

interface Example {
  line: string;
  url: string;
  count: number | null;
}

/** The GET curl commands of README.md's bash blocks (continuation lines joined). */
function readmeGets(): Example[] {
  const text = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
  const examples: Example[] = [];
  for (const block of text.matchAll(/```bash\n([\s\S]*?)```/g)) {
    const lines = block[1].replace(/\\\n/g, ' ').split('\n');
    for (const line of lines) {
      const command = line.trim();
      if (!/^(\S+=\$\()?curl /.test(command)) continue;
      const [code, comment = ''] = command.split(/\s#\s/, 2);
      if (/\s(-X|-d|-F|--data)\s/.test(` ${code} `)) continue;
      const url = code.match(/"((?:\$API|https?:\/\/)[^"]+)"|\s((?:\$API|https?:\/\/)\S+)/);
      if (!url) continue;
      const count = comment.match(/^(\d+)\b/);
      examples.push({ line: command, url: url[1] ?? url[2], count: count ? Number(count[1]) : null });
    }
  }
  return examples;
}

describe('README examples on the seeded VMware lab', () => {
  let t: TestApp;
  const vars: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp();
    const lab = await seedLab(t);
    const vm = (await http(`${t.api}/resources/?name=aap-controller-01`)).body.results[0];
    const runs = (await http(`${t.api}/collection-runs/?provider=${lab.providerId}&ordering=-started_at`))
      .body;
    Object.assign(vars, {
      API: t.api,
      PROVIDER_ID: lab.providerId,
      ID: vm.id,
      UUID: vm.canonical_id,
      RUN_ID: runs.results[0].id,
      WATCHLIST: (
        await http(`${t.api}/watchlists/`, {
          method: 'POST',
          json: {
            organization: vm.organization,
            name: 'README',
            watchlist_type: 'static',
            resource_ids: [vm.id],
          },
        })
      ).body.id,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const examples = readmeGets();
  let system: TestSystem | undefined;

  /** The pushed-host examples read a host pushed as the README's native push does (pushed
   * when first needed, after the lab examples, whose counts are of the lab alone). */
  async function pushedHost(): Promise<string> {
    const pushed = await http(`${t.api}/facts/?organization=1`, {
      method: 'POST',
      json: {
        system_facts: { hostname: 'web01', distribution: 'Debian', distribution_version: '12.11' },
        package_facts: { packages: { nginx: [{ name: 'nginx', version: '1.22.1-9', arch: 'amd64' }] } },
      },
    });
    expect(pushed.status).toBe(201);
    return pushed.body.resource;
  }

  it('finds the examples (the seed document queries among them)', () => {
    const urls = examples.map((e) => e.url);
    for (const query of [
      '?state=running"',
      '?search=502e71fa',
      '?search=esxi',
      '?os_type=linux',
      '?region=Lab-DC1',
      '/sightings/?state=running',
      '/sightings/?seen_after=2025-01-01&seen_before=2025-02-01',
      '/resource-sightings/?state=running',
      '/property-definitions/?required=true',
      '/provider-plugins/vmware:vcenter/',
    ])
      expect(urls.some((u) => `${u}"`.includes(query.replace(/"$/, '"')))).toBe(true);
    expect(examples.filter((e) => e.count !== null).length).toBeGreaterThanOrEqual(25);
  });

  it("names the change fields as the API does (the lab's drift made changes)", async () => {
    const text = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    const row = text.split('\n').find((line) => line.includes('Detected changes:'))!;
    const documented = [...row.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    expect(documented).toEqual(['field_path', 'change_type', 'previous_value', 'current_value']);
    const changes = await http(`${t.api}/resource-changes/?page_size=1`);
    expect(changes.body.count).toBeGreaterThan(0);
    for (const field of documented) expect(Object.keys(changes.body.results[0])).toContain(field);
  });

  it("grants a new user a role as the README's CLI example does, and /users/me/ lists it", async () => {
    const text = readFileSync(join(process.cwd(), 'README.md'), 'utf8').replace(/\\\n\s*/g, ' ');
    const grant = text
      .split('\n')
      .find((line) => line.includes('/role_user_assignments/') && line.includes(' -d '))!;
    const template = grant.match(/-d "(.*)"\s*$/)![1].replace(/\\"/g, '"');
    const ops = await t.createUser('readme-ops');
    expect((await http(`${t.api}/resources/`, { as: ops.bearer })).body.count).toBe(0); // nothing before
    const role = (await http(`${t.api}/role_definitions/?name=Organization%20Member`)).body.results[0].id;
    const assigned = await http(`${t.api}/role_user_assignments/`, {
      method: 'POST',
      json: JSON.parse(template.replace('$ROLE', String(role)).replace('$OPS_ID', String(ops.id))),
    });
    expect(assigned.status).toBe(201);
    const me = await http(`${t.api}/users/me/`, { as: ops.bearer });
    expect(me.body.roles).toEqual([
      expect.objectContaining({
        role: 'Organization Member',
        object_type: 'organization',
        object_name: 'Default',
      }),
    ]);
    expect((await http(`${t.api}/resources/`, { as: ops.bearer })).body.count).toBe(27); // the lab
  });

  it.each(examples.map((e) => [e.line, e] as const))('%s', async (_line, example) => {
    if (!/^(\$API|http:\/\/localhost:8000)/.test(example.url)) return; // another host (the gateway's)
    if (example.url.includes('$HOST') && !vars.HOST) vars.HOST = await pushedHost();
    const url = example.url
      .replace(/^http:\/\/localhost:8000/, t.root)
      .replace(/\$([A-Z_]+)/g, (whole, name: string) => {
        if (!(name in vars)) throw new Error(`README example uses $${name}, which this test does not know`);
        return vars[name];
      });
    // `-u "$SYSTEM_KEY:$SECRET"`: the agent routes, with a system enrolled for the examples.
    let as: string | undefined;
    if (example.line.includes('-u "$SYSTEM_KEY:$SECRET"')) {
      system ??= await createSystem(t, 1, 'readme-agent');
      as = system.basic;
    }
    const res = await http(url, as ? { as } : {});
    expect({ url, status: res.status }).toEqual({ url, status: 200 });
    if (example.count !== null) expect({ url, count: res.body.count }).toEqual({ url, count: example.count });
  });
});
