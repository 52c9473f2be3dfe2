import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedLab } from '../support/lab.js';

const hasAnsible = ['ansible-inventory', 'ansible-playbook', 'ansible-galaxy'].every(
  (command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0,
);
if (!hasAnsible) {
  console.warn(
    'ansible-inventory, ansible-playbook or ansible-galaxy is not installed (apt-get install ansible): skipping the Ansible collection e2e test.',
  );
}

/** Where the collection's source lives (an ansible_collections tree, so it can be used in place). */
const COLLECTIONS = join(process.cwd(), 'clients/ansible/collections');
const COLLECTION = join(COLLECTIONS, 'ansible_collections/inventory_platform/inventory');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: {
        ...process.env,
        ANSIBLE_COLLECTIONS_PATH: COLLECTIONS,
        ANSIBLE_INVENTORY_ENABLED: 'inventory_platform.inventory.resources',
        ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        ANSIBLE_LOCAL_TEMP: join(tmpdir(), 'ansible-local'),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const yaml = (lines: string[]) => `${lines.join('\n')}\n`;

/**
 * The collection `inventory_platform.inventory` used for real: `ansible-inventory --list`
 * and `--graph` through its inventory plugin against the running service with the seeded
 * VMware lab (the service's groups, keyed_groups, compose, groups, the cache), an
 * `ansible-playbook` run targeting a group the plugin built, and `ansible-galaxy
 * collection build` + install of the tarball.
 */
(hasAnsible ? describe : describe.skip)(
  'the Ansible collection (real ansible-inventory and ansible-playbook)',
  () => {
    let t: TestApp;
    let dir: string;
    let token: string;
    beforeAll(async () => {
      t = await startTestApp();
      await seedLab(t);
      dir = await mkdtemp(join(tmpdir(), 'inventory-ansible-'));
      token = t.admin.bearer.replace(/^Bearer /, '');
    }, 120_000);
    afterAll(async () => {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    });

    const config = async (name: string, lines: string[]) => {
      const path = join(dir, name);
      await writeFile(path, yaml(['plugin: inventory_platform.inventory.resources', ...lines]));
      return path;
    };
    /** url and token from the environment, as AWX/AAP would pass a credential. */
    const envAuth = () => ({ INVENTORY_PLATFORM_URL: t.root, INVENTORY_PLATFORM_TOKEN: token });

    it('ansible-inventory --list: the service groups, keyed_groups, compose and groups', async () => {
      const path = await config('lab.inventory_platform.yml', [
        'query_filters:',
        '  resource_type: virtual_machine',
        '  state: [running, stopped]',
        'group_by:',
        '  - cluster',
        '  - tag:env',
        '  - inventory_group',
        'keyed_groups:',
        '  - key: inventory_os_type',
        '    prefix: os',
        "  - key: inventory_tags.team | default('none')",
        '    prefix: team',
        'compose:',
        `  ansible_user: "'Administrator' if inventory_os_type == 'windows' else 'cloud-user'"`,
        '  memory_gb: inventory_memory_mb // 1024',
        'groups:',
        '  big_vms: inventory_cpu_count >= 8',
        'strict: true',
      ]);
      const list = await run('ansible-inventory', ['-i', path, '--list'], envAuth());
      expect({ code: list.code, stderr: list.code === 0 ? '' : list.stderr }).toEqual({
        code: 0,
        stderr: '',
      });
      const inv = JSON.parse(list.stdout);
      const hosts = Object.keys(inv._meta.hostvars).sort();
      // The lab's 14 VMs, less the two templates (state inactive) and the suspended one.
      expect(hosts).toHaveLength(11);
      expect(hosts).not.toContain('dev-fedora-01');
      expect(inv.cluster_Prod_Cluster_01.hosts).toEqual(
        expect.arrayContaining(['rhel9-web-01', 'win2022-ad-01']),
      );
      expect(inv.cluster_Dev_Cluster_01.hosts).toEqual(['dev-rhel9-01']);
      expect(inv.tag_env_staging.hosts.sort()).toEqual(['staging-app-01', 'staging-db-01']);
      expect(inv.webservers.hosts.sort()).toEqual(['rhel9-web-01', 'rhel9-web-02']);
      // keyed_groups and groups, evaluated by Ansible on the service's host variables.
      expect(inv.os_windows.hosts.sort()).toEqual(['win2022-ad-01', 'win2022-iis-01']);
      expect(inv.team_dba.hosts.sort()).toEqual(['rhel9-db-01', 'staging-db-01']);
      expect(inv.big_vms.hosts).toContain('rhel9-db-01');
      const web = inv._meta.hostvars['rhel9-web-01'];
      expect(web).toMatchObject({
        ansible_host: '10.0.20.20',
        ansible_connection: 'ssh',
        ansible_user: 'cloud-user',
        inventory_cluster: 'Prod-Cluster-01',
        inventory_resource_type: 'virtual_machine',
      });
      // Templated without jinja2_native: a string.
      expect(web.memory_gb).toBe(String(Math.floor(web.inventory_memory_mb / 1024)));
      expect(inv._meta.hostvars['win2022-ad-01']).toMatchObject({
        ansible_connection: 'winrm',
        ansible_user: 'Administrator',
      });
    }, 120_000);

    it('ansible-inventory --graph, with username and password from the environment', async () => {
      const path = await config('graph.inventory_platform.yaml', [
        `url: ${t.api}`,
        'query_filters:',
        '  resource_type: [hypervisor_host, virtual_machine]',
        'group_by: [cluster, resource_type]',
      ]);
      const graph = await run('ansible-inventory', ['-i', path, '--graph'], {
        INVENTORY_PLATFORM_USERNAME: t.admin.username,
        INVENTORY_PLATFORM_PASSWORD: `password-${t.admin.username}`,
      });
      expect({ code: graph.code, stderr: graph.code === 0 ? '' : graph.stderr }).toEqual({
        code: 0,
        stderr: '',
      });
      expect(graph.stdout).toContain('@all:');
      expect(graph.stdout).toMatch(
        /@cluster_Dev_Cluster_01:\n(\s*\|\s*\|--\S+\n)*\s*\|\s*\|--esxi04\.lab\.local\n/,
      );
      expect(graph.stdout).toContain('@resource_type_hypervisor_host:');
      expect(graph.stdout).toContain('|--win2022-iis-01');

      // As AWX/AAP runs it: a source that fails to parse fails the command.
      const wrong = await run('ansible-inventory', ['-i', path, '--list'], {
        ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
        INVENTORY_PLATFORM_USERNAME: t.admin.username,
        INVENTORY_PLATFORM_PASSWORD: 'not-the-password',
      });
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toContain('answered 401');
      expect(wrong.stderr).not.toContain('not-the-password');
    }, 120_000);

    it('serves the cached inventory until the cache is flushed', async () => {
      const path = await config('cached.inventory_platform.yml', [
        'query_filters: {name: dev-rhel9-01}',
        'cache: true',
        'cache_plugin: ansible.builtin.jsonfile',
        `cache_connection: ${join(dir, 'cache')}`,
        'cache_timeout: 3600',
      ]);
      const first = await run('ansible-inventory', ['-i', path, '--list'], envAuth());
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)._meta.hostvars['dev-rhel9-01'].inventory_os_name).toBe(
        'Red Hat Enterprise Linux 9.4',
      );
      expect((await readdir(join(dir, 'cache'))).length).toBe(1);
      await t.pool.query(`UPDATE resources SET os_name = 'Rocky Linux 9' WHERE name = 'dev-rhel9-01'`);
      const cached = await run('ansible-inventory', ['-i', path, '--list'], envAuth());
      expect(JSON.parse(cached.stdout)._meta.hostvars['dev-rhel9-01'].inventory_os_name).toBe(
        'Red Hat Enterprise Linux 9.4',
      );
      // ansible-playbook --flush-cache asks the service again and refreshes the cache.
      const playbook = join(dir, 'os.yml');
      await writeFile(
        playbook,
        yaml([
          '- hosts: all',
          '  gather_facts: false',
          '  tasks:',
          '    - ansible.builtin.debug: {var: inventory_os_name}',
        ]),
      );
      const flushed = await run('ansible-playbook', ['-i', path, playbook, '--flush-cache'], envAuth());
      expect(flushed.code).toBe(0);
      expect(flushed.stdout).toContain('"inventory_os_name": "Rocky Linux 9"');
      const refreshed = await run('ansible-inventory', ['-i', path, '--list'], envAuth());
      expect(JSON.parse(refreshed.stdout)._meta.hostvars['dev-rhel9-01'].inventory_os_name).toBe(
        'Rocky Linux 9',
      );
      await t.pool.query(
        `UPDATE resources SET os_name = 'Red Hat Enterprise Linux 9.4' WHERE name = 'dev-rhel9-01'`,
      );
    }, 120_000);

    it('ansible-playbook runs against a group the plugin built', async () => {
      const path = await config('play.inventory_platform.yml', [
        'group_by: [cluster]',
        'keyed_groups:',
        '  - key: inventory_tags.env',
        '    prefix: env',
      ]);
      const playbook = join(dir, 'play.yml');
      await writeFile(
        playbook,
        yaml([
          '- name: Talk to the production web servers of the lab',
          '  hosts: cluster_Prod_Cluster_01:&env_production',
          '  gather_facts: false',
          '  connection: local',
          '  tasks:',
          '    - name: Say where each host is',
          '      ansible.builtin.debug:',
          '        msg: "{{ inventory_hostname }} at {{ ansible_host }} in {{ inventory_cluster }} ({{ inventory_os_name }})"',
        ]),
      );
      const play = await run('ansible-playbook', ['-i', path, playbook], envAuth());
      expect({ code: play.code, out: play.code === 0 ? '' : play.stdout + play.stderr }).toEqual({
        code: 0,
        out: '',
      });
      expect(play.stdout).toContain(
        '"msg": "rhel9-web-01 at 10.0.20.20 in Prod-Cluster-01 (Red Hat Enterprise Linux 9.3)"',
      );
      expect(play.stdout).toContain('win2022-ad-01');
      expect(play.stdout).not.toContain('staging-app-01 at');
      expect(play.stdout).toMatch(/rhel9-db-01\s+: ok=1 /);
    }, 120_000);

    it('ansible-galaxy collection build makes a tarball that installs and works', async () => {
      const build = await run('ansible-galaxy', [
        'collection',
        'build',
        COLLECTION,
        '--output-path',
        dir,
        '--force',
      ]);
      expect({ code: build.code, stderr: build.stderr }).toEqual({ code: 0, stderr: '' });
      const tarball = join(dir, 'inventory_platform-inventory-0.1.0.tar.gz');
      expect(build.stdout).toContain(tarball);
      const installed = join(dir, 'installed');
      const install = await run('ansible-galaxy', ['collection', 'install', tarball, '-p', installed]);
      expect(install.code).toBe(0);
      const path = await config('installed.inventory_platform.yml', ['query_filters: {name: aap-hub-01}']);
      const list = await run('ansible-inventory', ['-i', path, '--list'], {
        ...envAuth(),
        ANSIBLE_COLLECTIONS_PATH: installed,
      });
      expect(list.code).toBe(0);
      expect(Object.keys(JSON.parse(list.stdout)._meta.hostvars)).toEqual(['aap-hub-01']);
      const doc = await run('ansible-doc', ['-t', 'inventory', 'inventory_platform.inventory.resources'], {
        ANSIBLE_COLLECTIONS_PATH: installed,
      });
      expect(doc.code).toBe(0);
      expect(doc.stdout).toContain('INVENTORY_PLATFORM_TOKEN');
    }, 120_000);
  },
);
