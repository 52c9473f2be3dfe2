import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobScheduler } from '../../src/retention/job-scheduler.js';
import { http, startTestApp } from '../support/app.js';
import { createOrganization } from '../support/factories.js';
import { clone, createSystem, loadDebianFacts } from '../support/facts.js';

describe('push settings', () => {
  it('tries the rules of CHANGE_RULES_FILE (YAML) before the built-in ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rules-'));
    const file = join(dir, 'rules.yaml');
    await writeFile(
      file,
      ['- match: "packages.nginx*"', '  category: security', '  severity: critical', ''].join('\n'),
    );
    const t = await startTestApp({ CHANGE_RULES_FILE: file });
    try {
      const org = await createOrganization(t.pool);
      const system = await createSystem(t, org, 'rules-host');
      const facts = loadDebianFacts();
      await http(`${t.api}/facts/`, { method: 'POST', json: facts, as: system.basic });
      const changed = clone(facts);
      changed.package_facts.packages.nginx = [{ name: 'nginx', version: '1.22', arch: 'amd64' }];
      changed.package_facts.packages['zz-newpkg'] = [{ name: 'zz-newpkg', version: '8', arch: 'amd64' }];
      const res = await http(`${t.api}/facts/`, { method: 'POST', json: changed, as: system.basic });
      const changes = await http(`${t.api}/resources/${res.body.resource}/changes/?source=fact_snapshot`);
      const byPath = Object.fromEntries(changes.body.results.map((c: any) => [c.field_path, c]));
      expect(byPath['packages.nginx']).toMatchObject({ category: 'security', severity: 'critical' });
      expect(byPath['packages.zz-newpkg']).toMatchObject({ category: 'software', severity: 'low' });
    } finally {
      await t.close();
    }
  });

  it('refuses to start with a bad rules file, naming the setting and the rule', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rules-'));
    const file = join(dir, 'rules.json');
    await writeFile(file, JSON.stringify([{ match: 'x', category: 'os', severity: 'fatal' }]));
    await expect(startTestApp({ CHANGE_RULES_FILE: file })).rejects.toThrow(
      /CHANGE_RULES_FILE.*rule 1.*severity/s,
    );
  });

  it('the worker role runs the periodic jobs and serves no push routes', async () => {
    const t = await startTestApp({ INVENTORY_ROLE: 'worker' });
    try {
      expect(t.app.get(JobScheduler).jobs).toHaveLength(7);
      expect((await http(`${t.api}/ping/`)).status).toBe(200);
      expect(
        (await http(`${t.api}/facts/`, { method: 'POST', json: { local_facts: { a: 1 } } })).status,
      ).toBe(404);
      expect(
        (await http(`${t.root}/v1/facts`, { method: 'POST', json: { local_facts: { a: 1 } } })).status,
      ).toBe(404);
    } finally {
      await t.close();
    }
  });
});
