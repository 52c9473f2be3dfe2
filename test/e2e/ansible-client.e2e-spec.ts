import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { createOrganization } from '../support/factories.js';
import { createSystem } from '../support/facts.js';

const hasAnsible = spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasAnsible) {
  console.warn(
    'ansible-playbook is not installed (apt-get install ansible): skipping the Ansible client e2e test.',
  );
}

/** Runs clients/ansible/gather_facts.yml against this machine (connection local). */
function playbook(extraVars: Record<string, string>): Promise<{ code: number; output: string }> {
  const args = [join(process.cwd(), 'clients/ansible/gather_facts.yml'), '-i', 'localhost,', '-c', 'local'];
  for (const [k, v] of Object.entries(extraVars)) args.push('-e', `${k}=${v}`);
  return new Promise((resolve) => {
    const child = spawn('ansible-playbook', args, {
      env: {
        ...process.env,
        ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

(hasAnsible ? describe : describe.skip)(
  'the Ansible client (real ansible-playbook against the running service)',
  () => {
    let t: TestApp;
    let org: number;
    beforeAll(async () => {
      t = await startTestApp({ FACTS_ANONYMOUS_ORGANIZATION: 'Ansible Anonymous' });
      org = await createOrganization(t.pool, 'Ansible Org');
      // 'Ansible Anonymous' is created by the app at start (FACTS_ANONYMOUS_ORGANIZATION).
    });
    afterAll(async () => {
      await t.close();
    });

    it('pushes setup + package_facts with system credentials, and again without storing a duplicate', async () => {
      const system = await createSystem(t, org, 'ansible-localhost');
      const vars = {
        inventory_url: `${t.api}/facts/`,
        inventory_user: system.system_key,
        inventory_password: system.secret,
        validate_certs: 'false',
      };
      const run = await playbook(vars);
      expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
      expect(run.output).not.toContain(system.secret);
      const sys = (await http(`${t.api}/systems/${system.id}/`)).body;
      expect(sys.status).toBe('active');
      const resource = (await http(`${t.api}/resources/${sys.resource}/`)).body;
      expect(resource).toMatchObject({ organization: org, os_type: 'linux', provider_vendor: 'ansible' });
      expect(resource.cpu_count).toBeGreaterThan(0);
      const latest = (await http(`${t.api}/resources/${sys.resource}/facts/latest/`)).body;
      expect(Object.keys(latest.package_facts.packages).length).toBeGreaterThan(50);
      expect(latest.system_facts.uptime_seconds).toBeUndefined();
      expect(latest.system_facts.packages).toBeUndefined();

      const again = await playbook(vars);
      expect(again.code).toBe(0);
      expect((await http(`${t.api}/resources/${sys.resource}/`)).body.seen_count).toBe(2);
      const snapshots = (await http(`${t.api}/resources/${sys.resource}/facts/`)).body;
      expect(snapshots.count).toBe(1);
    }, 180_000);

    it('pushes anonymously to the fact_inventory route (rate limited: the second run gets 429, not a failure)', async () => {
      const vars = { inventory_url: `${t.root}/v1/facts` };
      const first = await playbook(vars);
      expect({ code: first.code, output: first.code === 0 ? '' : first.output }).toEqual({
        code: 0,
        output: '',
      });
      expect(first.output).toContain('201');
      const second = await playbook(vars);
      expect(second.code).toBe(0);
      expect(second.output).toContain('Rate limit exceeded. Wait 30 minutes.');
      const anonymous = await t.pool.query(`SELECT id FROM organizations WHERE name = 'Ansible Anonymous'`);
      const hosts = await http(`${t.api}/resources/?organization=${anonymous.rows[0].id}`);
      expect(hosts.body.count).toBe(1);
    }, 180_000);
  },
);
