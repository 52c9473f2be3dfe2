import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { createSystem, loadDebianFacts } from '../support/facts.js';
import { seedLab } from '../support/lab.js';

const hasAnsible = spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasAnsible) {
  console.warn(
    'ansible-playbook is not installed (apt-get install ansible): skipping the automation callback e2e test.',
  );
}

const COLLECTIONS = join(process.cwd(), 'clients/ansible/collections');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('ansible-playbook', args, {
      cwd,
      env: {
        ...process.env,
        ANSIBLE_COLLECTIONS_PATH: COLLECTIONS,
        ANSIBLE_INVENTORY_ENABLED: 'inventory_platform.inventory.resources,ansible.builtin.ini',
        ANSIBLE_CALLBACKS_ENABLED: 'inventory_platform.inventory.automation',
        ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
        ANSIBLE_HOST_KEY_CHECKING: 'false',
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

/** The identity the pushed host reports, both in its pushed facts and in the playbook run. */
const EDGE = { uuid: '7d1c0c4e-5f1a-4b7e-9d2a-1e2f3a4b5c6d', mac: '52:54:00:7a:11:22' };

/**
 * The callback plugin inventory_platform.inventory.automation for real: an
 * `ansible-playbook` run over lab VMs (from the collection's inventory plugin) and a
 * host that pushed its facts, on local connections with the hosts' identities set as
 * facts, posts one record per host at the end; the service matches them to the lab's
 * VMs (BIOS UUID, IP address), to the pushed host (MAC address), queues the host-name-only
 * one, and a second run of the same job updates instead of duplicating.
 */
(hasAnsible ? describe : describe.skip)('the automation callback (real ansible-playbook)', () => {
  let t: TestApp;
  let dir: string;
  let token: string;
  let org: number;
  let pushed: string;
  const lab: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    await seedLab(t);
    dir = await mkdtemp(join(tmpdir(), 'inventory-automation-'));
    token = t.admin.bearer.replace(/^Bearer /, '');
    const orgs = await http(`${t.api}/organizations/?name=Default`);
    org = orgs.body.results[0].id;
    const vms = await http(`${t.api}/resources/?resource_type=virtual_machine&page_size=100`);
    for (const vm of vms.body.results) lab[vm.name] = vm.id;
    // A host that pushed its facts (its own resource, not a lab VM).
    const system = await createSystem(t, org, 'edge-01');
    const facts = loadDebianFacts();
    facts.system_facts.product_uuid = EDGE.uuid;
    facts.system_facts.hostname = 'edge-01';
    facts.system_facts.fqdn = 'edge-01.branch.example';
    for (const name of facts.system_facts.interfaces as string[])
      if (name !== 'lo' && facts.system_facts[name]) facts.system_facts[name].macaddress = EDGE.mac;
    const push = await http(`${t.api}/facts/`, { method: 'POST', json: facts, as: system.basic });
    expect(push.status).toBe(201);
    pushed = push.body.resource;
  }, 120_000);
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('posts each host of the run, matched to the lab VMs and the pushed host', async () => {
    await writeFile(
      join(dir, 'lab.inventory_platform.yml'),
      yaml([
        'plugin: inventory_platform.inventory.resources',
        'query_filters:',
        '  name: [rhel9-web-01, rhel9-web-02, rhel9-db-01]',
        'compose:',
        `  ansible_connection: "'local'"`,
      ]),
    );
    await writeFile(
      join(dir, 'static.ini'),
      yaml([
        'edge-01 ansible_connection=local',
        // Nothing listens on port 9: the host is unreachable.
        'ghost ansible_host=127.0.0.1 ansible_port=9 ansible_connection=ssh ansible_ssh_timeout=5',
      ]),
    );
    await writeFile(
      join(dir, 'patch.yml'),
      yaml([
        '- name: Patch',
        '  hosts: all',
        '  gather_facts: false',
        '  tasks:',
        // What fact gathering would report on each machine.
        '    - ansible.builtin.set_fact:',
        "        ansible_product_uuid: '502E71FA-1004-4A8E-B123-AABBCCDDEEF4'",
        '        ansible_hostname: rhel9-web-01',
        "      when: inventory_hostname == 'rhel9-web-01'",
        '    - ansible.builtin.set_fact:',
        "        ansible_all_ipv4_addresses: ['127.0.0.1', '10.0.20.21']",
        "      when: inventory_hostname == 'rhel9-web-02'",
        '    - ansible.builtin.set_fact:',
        `        ansible_default_ipv4: {macaddress: '${EDGE.mac}', address: '192.0.2.50'}`,
        "      when: inventory_hostname == 'edge-01'",
        '    - name: Change something on the web servers',
        '      ansible.builtin.command: "true"',
        "      changed_when: inventory_hostname == 'rhel9-web-01'",
        '    - name: Fail on the database',
        '      ansible.builtin.fail: {msg: disk full}',
        "      when: inventory_hostname == 'rhel9-db-01'",
      ]),
    );
    const env = {
      INVENTORY_PLATFORM_URL: t.root,
      INVENTORY_PLATFORM_TOKEN: token,
      INVENTORY_PLATFORM_JOB_ID: 'ci-4711',
    };
    const args = ['-i', 'lab.inventory_platform.yml', '-i', 'static.ini', 'patch.yml'];
    const first = await run(args, env, dir);
    // An unreachable host makes ansible-playbook exit 4 (a failed one 2): the callback posts either way.
    expect({
      code: first.code,
      posted: /posted 5 automation records of job ci-4711/.test(first.stdout),
    }).toEqual({
      code: 4,
      posted: true,
    });
    expect(first.stderr).not.toContain('inventory_platform.inventory.automation:');

    const records = await http(`${t.api}/automation-records/?job=ci-4711&ordering=host_name`);
    expect(records.status).toBe(200);
    const by = Object.fromEntries(records.body.results.map((r: any) => [r.host_name, r]));
    expect(Object.keys(by)).toEqual(['edge-01', 'ghost', 'rhel9-db-01', 'rhel9-web-01', 'rhel9-web-02']);
    expect(by['rhel9-web-01']).toMatchObject({
      job_name: 'patch.yml',
      playbook: 'patch.yml',
      status: 'changed',
      match_status: 'matched',
      resource: lab['rhel9-web-01'],
      match_rule: 'bios_uuid',
      match_confidence: 0.95,
      identity: { bios_uuid: '502e71fa-1004-4a8e-b123-aabbccddeef4', hostname: 'rhel9-web-01' },
    });
    expect(by['rhel9-web-01'].task_counts).toMatchObject({ ok: 2, changed: 1, failed: 0, skipped: 3 });
    expect(by['rhel9-web-02']).toMatchObject({
      status: 'ok',
      match_status: 'matched',
      resource: lab['rhel9-web-02'],
      match_rule: 'ip_address',
      identity: { ip_addresses: ['10.0.20.21'] },
    });
    expect(by['edge-01']).toMatchObject({
      status: 'ok',
      match_status: 'matched',
      resource: pushed,
      match_rule: 'mac_address',
      match_confidence: 0.85,
    });
    // Only its inventory name to go by: a proposal waiting for review.
    expect(by['rhel9-db-01']).toMatchObject({
      status: 'failed',
      match_status: 'pending',
      match_rule: 'hostname',
    });
    expect(by.ghost).toMatchObject({ status: 'unreachable', match_status: 'unmatched', resource: null });
    const queue = await http(`${t.api}/pending-matches/?status=pending&job=ci-4711`);
    expect(queue.body.results.map((p: any) => [p.host_name, p.resource])).toEqual([
      ['rhel9-db-01', lab['rhel9-db-01']],
    ]);

    // The lab VM's automation history, and the VMs automation never touched.
    const history = await http(`${t.api}/resources/${lab['rhel9-web-01']}/automations/`);
    expect(history.body.results.map((r: any) => r.job_id)).toEqual(['ci-4711']);
    const untouched = await http(
      `${t.api}/resources/?resource_type=virtual_machine&automated=false&page_size=100`,
    );
    const names = untouched.body.results.map((r: any) => r.name);
    expect(names).not.toContain('rhel9-web-01');
    expect(names).toContain('rhel9-db-01');
    expect(untouched.body.count).toBe(Object.keys(lab).length - 2);

    // The same job again: its records are updated, not duplicated.
    const second = await run(args, env, dir);
    expect(second.stdout).toMatch(/posted 5 automation records of job ci-4711/);
    expect((await http(`${t.api}/automation-records/?job=ci-4711`)).body.count).toBe(5);
    expect((await http(`${t.api}/automation-records/`)).body.count).toBe(5);
  }, 180_000);

  it('warns, and leaves the playbook alone, when the service refuses the records', async () => {
    await writeFile(
      join(dir, 'noop.yml'),
      yaml(['- hosts: edge-01', '  gather_facts: false', '  tasks:', '    - ansible.builtin.ping:']),
    );
    const refused = await run(
      ['-i', 'static.ini', 'noop.yml'],
      {
        INVENTORY_PLATFORM_URL: `${t.api}/`,
        INVENTORY_PLATFORM_USERNAME: t.admin.username,
        INVENTORY_PLATFORM_PASSWORD: 'not-the-password',
      },
      dir,
    );
    expect(refused.code).toBe(0);
    expect(refused.stderr).toContain('answered 401');
    expect(refused.stderr).not.toContain('not-the-password');
  }, 120_000);
});
