import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { c as createTar } from 'tar';
import { PluginRegistry } from '../../src/plugins/plugin-registry.js';
import { PluginsService } from '../../src/plugins/plugins.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait } from '../support/collection.js';
import { seedVmwareLab } from '../../seeds/vmware-lab.seed.js';
import { createDataSource } from '../../src/database/data-source.js';

const manifestYml = (vendor: string, type: string, extra = '') => `vendor: ${vendor}
provider_type: ${type}
version: 1.2.3
display_name: ${vendor} ${type}
description: A plugin from a folder.
infrastructure: bare_metal
supported_resource_types: [bare_metal]
connection_parameters:
  - name: api_pem
    type: string
    required: true
    secret: true
    description: A key that does not look secret by its name.
${extra}`;

const moduleJs = (name: string) => `
export async function validateConnection(ctx) {
  return { ok: Boolean(ctx.config.api_pem), message: 'has a key' };
}
export async function* collect(ctx) {
  yield { kind: 'resource', ems_ref: '${name}-1', name: '${name}-1', resource_type: 'bare_metal', state: 'running' };
}
`;

async function pluginFolder(root: string, name: string, vendor: string, type: string) {
  const dir = join(root, name);
  await mkdir(join(dir, 'meta'), { recursive: true });
  await writeFile(join(dir, 'manifest.yml'), manifestYml(vendor, type));
  await writeFile(join(dir, 'provider.js'), moduleJs(name));
  await writeFile(join(dir, 'requirements.txt'), 'requests>=2.31\n');
  await writeFile(join(dir, 'meta', 'execution-environment.yml'), 'version: 3\n');
  return dir;
}

async function archiveOf(dir: string, files: string[]): Promise<Buffer> {
  const out = join(await mkdtemp(join(tmpdir(), 'plugin-tar-')), 'plugin.tar.gz');
  await createTar({ gzip: true, file: out, cwd: dir, portable: true }, files);
  const { readFile } = await import('node:fs/promises');
  return readFile(out);
}

describe('provider plugins', () => {
  let t: TestApp;
  let foldersRoot: string;
  beforeAll(async () => {
    foldersRoot = await mkdtemp(join(tmpdir(), 'plugin-folders-'));
    await pluginFolder(foldersRoot, 'baremetal', 'acme', 'bmc');
    t = await startTestApp({
      INVENTORY_PLUGINS_DIR: foldersRoot,
      PLUGIN_UPLOAD_ENABLED: 'true',
      PLUGIN_UPLOAD_MAX_MB: '1',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists built-in and folder plugins with manifests and provider counts', async () => {
    const res = await http(`${t.api}/provider-plugins/`);
    expect(res.status).toBe(200);
    const keys = res.body.results.map((p: any) => `${p.key}:${p.source}`);
    expect(keys).toEqual(
      expect.arrayContaining(['vmware:vcenter:builtin', 'vmware:vcenter-lab:builtin', 'acme:bmc:folder']),
    );
    const vcenter = res.body.results.find((p: any) => p.key === 'vmware:vcenter');
    expect(vcenter).toMatchObject({
      display_name: 'VMware vCenter',
      infrastructure: 'private_cloud',
      requires_endpoint: true,
      provider_count: 0,
    });
    expect(vcenter.connection_parameters.map((p: any) => p.name)).toEqual([
      'username',
      'password',
      'port',
      'verify_ssl',
      'allow_http',
      'timeout_seconds',
    ]);
    const detail = await http(`${t.api}/provider-plugins/acme:bmc/`);
    expect(detail.body.dependencies).toEqual({
      'requirements.txt': 'requests>=2.31\n',
      'meta/execution-environment.yml': 'version: 3\n',
    });
    expect(
      (await http(`${t.api}/provider-plugins/vmware:vcenter/`)).body.dependencies['requirements.yml'],
    ).toContain('vmware.vmware');
    expect((await http(`${t.api}/provider-plugins/nope:nope/`)).status).toBe(404);
  });

  it('runs a folder plugin end to end, encrypting the parameters it marks secret', async () => {
    const created = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: 'BMC',
        vendor: 'acme',
        provider_type: 'bmc',
        infrastructure: 'bare_metal',
        organization: 1,
        connection_config: { api_pem: 'PEM-CONTENT' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.connection_config.api_pem).toBe('$encrypted$');
    const run = await collectAndWait(t, created.body.id);
    expect(run).toMatchObject({ status: 'completed', resources_found: 1 });
    const test = await http(`${t.api}/provider-plugins/acme:bmc/test/`, { method: 'POST' });
    expect(test.body.results).toEqual([
      { provider: created.body.id, provider_name: 'BMC', ok: true, message: 'has a key' },
    ]);
    expect(
      (await http(`${t.api}/provider-plugins/`)).body.results.find((p: any) => p.key === 'acme:bmc')
        .provider_count,
    ).toBe(1);
  });

  it('refreshes without a restart: a new plugin folder appears', async () => {
    await pluginFolder(foldersRoot, 'later', 'acme', 'later');
    expect((await http(`${t.api}/provider-plugins/acme:later/`)).status).toBe(404);
    const refreshed = await http(`${t.api}/provider-plugins/refresh/`, { method: 'POST' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.count).toBeGreaterThanOrEqual(4);
    expect((await http(`${t.api}/provider-plugins/acme:later/`)).status).toBe(200);
    const user = await t.createUser('plain-user');
    expect(
      (await http(`${t.api}/provider-plugins/refresh/`, { method: 'POST', as: user.bearer })).status,
    ).toBe(403);
  });

  it('accepts uploads from superusers only, refuses duplicates unless forced, and rejects unsafe archives', async () => {
    const src = await pluginFolder(await mkdtemp(join(tmpdir(), 'upload-src-')), 'pkg', 'uploaded', 'thing');
    const archive = await archiveOf(src, ['manifest.yml', 'provider.js', 'requirements.txt']);
    const upload = (body: Buffer, query = '', as?: string) => {
      const form = new FormData();
      form.append('archive', new Blob([new Uint8Array(body)]), 'plugin.tar.gz');
      return http(`${t.api}/provider-plugins/upload/${query}`, { method: 'POST', body: form, as });
    };
    const first = await upload(archive);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      key: 'uploaded:thing',
      version: '1.2.3',
      source: 'folder',
      dependencies: { 'requirements.txt': 'requests>=2.31\n' },
    });
    expect((await upload(archive)).status).toBe(409);
    expect((await upload(archive, '?force=true')).status).toBe(201);
    const notBool = await upload(archive, '?force=yes');
    expect(notBool.status).toBe(400);
    expect(notBool.body.errors.force).toBeDefined();
    const user = await t.createUser('uploader');
    expect((await upload(archive, '', user.bearer)).status).toBe(403);

    const evilDir = await mkdtemp(join(tmpdir(), 'evil-'));
    await mkdir(join(evilDir, 'inner'));
    await writeFile(join(evilDir, 'inner', 'manifest.yml'), manifestYml('evil', 'x'));
    await writeFile(join(evilDir, 'escape.js'), 'export {}');
    const traversal = await archiveOf(join(evilDir, 'inner'), ['manifest.yml', '../escape.js']);
    const refused = await upload(traversal);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.archive[0]).toMatch(/outside the plugin folder|Archive refused/);
    const junk = await upload(Buffer.from('not a tarball'));
    expect(junk.status).toBe(400);
    const huge = await upload(Buffer.alloc(1024 * 1024 + 10, 1));
    expect(huge.status).toBe(413);
    const noManifest = await upload(await archiveOf(src, ['provider.js']));
    expect(noManifest.body.errors.archive[0]).toMatch(/no manifest\.yml/);
    const audit = await http(`${t.api}/activitystream/?object_type=provider_plugin&ordering=timestamp`);
    expect(audit.body.results.map((e: any) => e.operation)).toEqual(
      expect.arrayContaining(['upload', 'replace']),
    );
  });

  it('takes runtime registrations', async () => {
    t.app.get(PluginsService).register({
      manifest: {
        vendor: 'runtime',
        provider_type: 'demo',
        version: '0.1.0',
        display_name: 'Runtime demo',
        description: '',
        infrastructure: 'edge',
        supported_resource_types: [],
        connection_parameters: [],
      },
      validateConnection: async () => ({ ok: true, message: 'ok' }),
      // eslint-disable-next-line require-yield
      collect: async function* () {
        return;
      },
    });
    expect((await http(`${t.api}/provider-plugins/runtime:demo/`)).body.source).toBe('runtime');
  });

  it('rejects a provider whose plugin is not installed, or whose settings do not fit it', async () => {
    const bad = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: 'x',
        vendor: 'acme',
        provider_type: 'bmc',
        infrastructure: 'bare_metal',
        organization: 1,
        connection_config: {},
      },
    });
    expect(bad.body.errors).toEqual({ 'connection_config.api_pem': [expect.stringContaining('required')] });
  });
});

describe('plugin registry sources', () => {
  it('discovers npm packages that declare an inventoryProvider entry, after built-ins', async () => {
    const nodeModules = await mkdtemp(join(tmpdir(), 'node-modules-'));
    const pkg = join(nodeModules, '@acme', 'inventory-provider-demo');
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: '@acme/inventory-provider-demo',
        type: 'module',
        inventoryProvider: './plugin.js',
      }),
    );
    await writeFile(
      join(pkg, 'plugin.js'),
      `export default {
        manifest: { vendor: 'acme', provider_type: 'npm', version: '2.0.0', display_name: 'From npm', infrastructure: 'public_cloud', supported_resource_types: [], connection_parameters: [] },
        async validateConnection() { return { ok: true, message: 'npm' }; },
        async *collect() {},
      };`,
    );
    // A package that claims a built-in key loses to the built-in.
    const clash = join(nodeModules, 'clash');
    await mkdir(clash);
    await writeFile(
      join(clash, 'package.json'),
      JSON.stringify({ name: 'clash', type: 'module', inventoryProvider: 'index.js' }),
    );
    await writeFile(
      join(clash, 'index.js'),
      `export const plugin = { manifest: { vendor: 'vmware', provider_type: 'vcenter', infrastructure: 'private_cloud' }, validateConnection: async () => ({ ok: true, message: '' }), collect: async function* () {} };`,
    );
    const registry = new PluginRegistry([], nodeModules);
    await registry.discover();
    expect(registry.get('acme:npm')).toMatchObject({
      source: 'package',
      origin: '@acme/inventory-provider-demo',
    });
    expect(registry.get('vmware:vcenter')?.source).toBe('builtin');
    expect(registry.problems.join('\n')).toMatch(/vmware:vcenter from package clash ignored/);
  });
});

describe('the VMware lab seed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('gives exactly the documented lab through the API, and a collect on it completes with 27 found', async () => {
    const db = createDataSource({ url: t.db.url, poolSize: 2 });
    await db.initialize();
    const progress: string[] = [];
    try {
      const result = await seedVmwareLab(db, t.secretBox, {
        flush: false,
        progress: (m) => progress.push(m),
      });
      expect(result).toMatchObject({ runs: 8, skipped: false });
      expect(progress.filter((p) => p.startsWith('Run '))).toHaveLength(8);
      expect(
        (await seedVmwareLab(db, t.secretBox, { flush: false, progress: () => undefined })).skipped,
      ).toBe(true);
      const id = result.providerId;
      const count = async (path: string) => (await http(`${t.api}${path}`)).body.count as number;
      expect(await count(`/collection-runs/?provider=${id}&status=completed`)).toBe(8);
      expect(await count(`/resources/?provider=${id}`)).toBe(27);
      expect(
        await count(
          `/resources/?provider=${id}&resource_type=auto_scaling_group&vendor_type=vSphere%20Cluster`,
        ),
      ).toBe(2);
      expect(await count(`/resources/?provider=${id}&resource_type=hypervisor_host&name__isw=esxi0`)).toBe(4);
      expect(await count(`/resources/?provider=${id}&vendor_type=vSphere%20Resource%20Pool`)).toBe(3);
      expect(await count(`/resources/?provider=${id}&category=storage`)).toBe(4);
      expect(await count(`/resources/?provider=${id}&resource_type=virtual_machine`)).toBe(14);
      expect(await count(`/resources/?provider=${id}&resource_type=virtual_machine&state=running`)).toBe(10);
      expect(await count(`/resources/?provider=${id}&resource_type=virtual_machine&state=stopped`)).toBe(1);
      expect(await count(`/resources/?provider=${id}&resource_type=virtual_machine&state=suspended`)).toBe(1);
      expect(await count(`/resources/?provider=${id}&resource_type=virtual_machine&state=inactive`)).toBe(2);
      expect(await count(`/resources/?provider=${id}&state=active`)).toBe(13);
      expect(await count(`/resources/?provider=${id}&resource_type=virtual_machine&os_type=linux`)).toBe(11);
      expect(await count(`/resources/?provider=${id}&resource_type=virtual_machine&os_type=windows`)).toBe(3);
      expect(await count(`/resources/?provider=${id}&region=Lab-DC1`)).toBe(27);
      expect(await count(`/resources/?provider=${id}&seen_count_min=8&seen_count_max=8`)).toBe(27);
      expect(await count(`/resource-relationships/?provider=${id}`)).toBe(49);
      expect(await count(`/resource-relationships/?provider=${id}&relationship_type=part_of`)).toBe(7);
      for (const type of ['runs_on', 'attached_to', 'member_of']) {
        expect(await count(`/resource-relationships/?provider=${id}&relationship_type=${type}`)).toBe(14);
      }
      expect(await count(`/resource-sightings/?provider=${id}`)).toBe(216);
      // Spot checks against the original's seed_vmware_data values, written out here (not
      // read from lab-data.ts), so a wrong value in the lab's data fails this test.
      const one = async (name: string) =>
        (await http(`${t.api}/resources/?provider=${id}&name=${encodeURIComponent(name)}`)).body.results[0];
      expect(await one('aap-controller-01')).toMatchObject({
        ems_ref: 'vm-1001',
        vendor_type: 'vSphere VM',
        canonical_id: '502e71fa-1001-4a8e-b123-aabbccddeef1',
        vendor_identifiers: {
          moid: 'vm-1001',
          bios_uuid: '502e71fa-1001-4a8e-b123-aabbccddeef1',
          instance_uuid: '502e1001-abcd-4a8e-b123-000000000001',
        },
        state: 'running',
        power_state: 'poweredOn',
        cpu_count: 8,
        memory_mb: 32768,
        disk_gb: 200,
        os_type: 'linux',
        os_name: 'Red Hat Enterprise Linux 9.4',
        ip_addresses: ['10.0.20.10'],
        fqdn: 'aap-controller-01.lab.local',
        provider_tags: { env: 'production', app: 'ansible-aap', team: 'platform-eng' },
        properties: {
          host: 'esxi01.lab.local',
          cluster: 'Prod-Cluster-01',
          resource_pool: 'Production',
          datastore: 'vsanDatastore-Prod',
          tools_status: 'guestToolsRunning',
          ansible_host: '10.0.20.10',
          ansible_connection: 'ssh',
          inventory_group: 'aap_controllers',
        },
      });
      expect(await one('staging-db-01')).toMatchObject({
        ems_ref: 'vm-1010',
        canonical_id: '502e71fa-1010-4a8e-b123-aabbccddee10',
        state: 'stopped',
        power_state: 'poweredOff',
        cpu_count: 4,
        memory_mb: 8192,
        disk_gb: 200,
        os_name: 'Red Hat Enterprise Linux 9.2',
        ip_addresses: ['10.0.40.11'],
        provider_tags: { env: 'staging', app: 'postgresql', team: 'dba' },
        properties: {
          host: 'esxi03.lab.local',
          resource_pool: 'Staging',
          tools_status: 'guestToolsNotRunning',
        },
      });
      expect(await one('dev-fedora-01')).toMatchObject({
        ems_ref: 'vm-2002',
        state: 'suspended',
        power_state: 'suspended',
        os_name: 'Fedora 41',
        provider_tags: { env: 'development', team: 'platform-eng' },
        properties: { host: 'esxi04.lab.local', cluster: 'Dev-Cluster-01', datastore: 'vsanDatastore-Dev' },
      });
      expect(await one('win2022-ad-01')).toMatchObject({
        ems_ref: 'vm-1007',
        os_type: 'windows',
        os_name: 'Windows Server 2022 Datacenter',
        cpu_count: 4,
        memory_mb: 16384,
        disk_gb: 120,
        properties: { ansible_connection: 'winrm', inventory_group: 'windows_domain_controllers' },
      });
      expect(await one('template-win2022-base')).toMatchObject({
        ems_ref: 'vm-9002',
        state: 'inactive',
        power_state: 'poweredOff',
        ip_addresses: [],
        provider_tags: { type: 'template', os: 'win2022' },
        properties: { datastore: 'NFS-ISO-Library' },
      });
      expect(await one('esxi03.lab.local')).toMatchObject({
        ems_ref: 'host-103',
        vendor_type: 'ESXi Host',
        // Python's uuid.uuid5(uuid.NAMESPACE_DNS, "HPEDL380-001"), as the original derives it
        canonical_id: '7dba958e-1eed-5965-a5a2-b1e91fecdb30',
        state: 'active',
        power_state: 'poweredOn',
        cpu_count: 48,
        memory_mb: 393216,
        os_type: 'hypervisor',
        os_name: 'VMware ESXi 8.0 Update 2',
        ip_addresses: ['10.0.10.103'],
        properties: {
          hardware_model: 'ProLiant DL380 Gen10',
          hardware_vendor: 'HPE',
          serial_number: 'HPEDL380-001',
          cluster: 'Prod-Cluster-01',
          inventory_group: 'esxi_hosts',
        },
      });
      expect(await one('FC-LUN-Backups')).toMatchObject({
        ems_ref: 'datastore-504',
        vendor_type: 'vSphere Datastore',
        state: 'active',
        disk_gb: 30720,
        properties: { datastore_type: 'vmfs', capacity_gb: 30720, free_space_gb: 15360, provisioned_pct: 50 },
      });
      expect(await one('NFS-ISO-Library')).toMatchObject({
        ems_ref: 'datastore-503',
        properties: { datastore_type: 'nfs', capacity_gb: 2048, free_space_gb: 1024 },
      });
      expect(await one('vsanDatastore-Prod')).toMatchObject({
        ems_ref: 'datastore-501',
        properties: { datastore_type: 'vsan', capacity_gb: 20480, free_space_gb: 8192, provisioned_pct: 60 },
      });
      expect(await one('Staging')).toMatchObject({
        ems_ref: 'resgroup-202',
        properties: { cpu_limit_mhz: 32000, memory_limit_mb: 262144, cluster: 'Prod-Cluster-01' },
      });
      expect(await one('Dev-Cluster-01')).toMatchObject({
        ems_ref: 'domain-c20',
        vendor_type: 'vSphere Cluster',
        properties: { ha_enabled: false, drs_enabled: true },
      });
      const provider = (
        await http(`${t.api}/providers/?name=${encodeURIComponent('Lab vCenter - vcsa01.lab.local')}`)
      ).body.results[0];
      expect(provider).toMatchObject({
        plugin: 'vmware:vcenter-lab',
        infrastructure: 'private_cloud',
        organization_name: 'Default',
      });
      const run = await collectAndWait(t, id);
      expect(run).toMatchObject({ status: 'completed', resources_found: 27 });

      const flushed = await seedVmwareLab(db, t.secretBox, { flush: true, progress: () => undefined });
      expect(flushed.providerId).not.toBe(id);
      expect(
        await count(`/resources/?provider=${flushed.providerId}&seen_count_min=8&seen_count_max=8`),
      ).toBe(27);
      expect((await http(`${t.api}/providers/${id}/`)).status).toBe(404);
    } finally {
      await db.destroy();
    }
  });
});
