import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait } from '../support/collection.js';
import { FakeVsphere } from '../support/fake-vsphere.js';

/** The vmware:vcenter collector, against a local server speaking the vSphere Automation REST API. */
describe('vmware:vcenter collector', () => {
  let t: TestApp;
  const vsphere = new FakeVsphere();
  let endpoint: string;
  beforeAll(async () => {
    t = await startTestApp();
    endpoint = await vsphere.start();
  });
  afterAll(async () => {
    await t.close();
    await vsphere.stop();
  });

  const provider = async (
    name: string,
    overrides: Record<string, unknown> = {},
    endpointOverride?: string,
  ) => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name,
        vendor: 'vmware',
        provider_type: 'vcenter',
        infrastructure: 'private_cloud',
        organization: 1,
        endpoint: endpointOverride ?? endpoint,
        connection_config: {
          username: vsphere.username,
          password: vsphere.password,
          timeout_seconds: 2,
          allow_http: true,
          ...overrides,
        },
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('collects clusters, hosts, datastores, pools, networks and VMs with their relationships', async () => {
    const id = await provider('vcenter ok');
    const run = await collectAndWait(t, id);
    expect(run).toMatchObject({ status: 'completed', resources_found: 9, resources_rejected: 0 });
    const resources = (await http(`${t.api}/resources/?provider=${id}&page_size=100`)).body.results;
    const byRef = Object.fromEntries(resources.map((r: any) => [r.ems_ref, r]));
    expect(Object.keys(byRef).sort()).toEqual([
      'datastore-30',
      'datastore-31',
      'domain-c10',
      'host-20',
      'host-21',
      'network-50',
      'resgroup-40',
      'vm-100',
      'vm-101',
    ]);
    expect(byRef['vm-100']).toMatchObject({
      resource_type_slug: 'virtual_machine',
      name: 'web-01',
      state: 'running',
      power_state: 'poweredOn',
      cpu_count: 2,
      memory_mb: 4096,
      disk_gb: 40,
      fqdn: 'web-01.example.com',
      ip_addresses: ['10.1.0.10'],
      os_type: 'linux',
      os_name: 'Red Hat Enterprise Linux 9 (64-bit)',
      canonical_id: '4203e1b1-0000-4000-8000-000000000100',
      region: 'DC-East',
      availability_zone: 'Cluster-A',
      vendor_identifiers: {
        moid: 'vm-100',
        bios_uuid: '4203e1b1-0000-4000-8000-000000000100',
        instance_uuid: '5003e1b1-0000-4000-8000-000000000100',
      },
    });
    expect(byRef['vm-101']).toMatchObject({
      state: 'stopped',
      power_state: 'poweredOff',
      os_type: 'windows',
      disk_gb: 600,
      fqdn: '',
    });
    expect(byRef['datastore-31'].resource_type_slug).toBe('file_storage');
    expect(byRef['datastore-30']).toMatchObject({ resource_type_slug: 'block_storage', disk_gb: 2048 });
    expect(byRef['domain-c10'].resource_type_slug).toBe('auto_scaling_group');
    expect(byRef['host-20'].resource_type_slug).toBe('hypervisor_host');
    expect(byRef['network-50'].resource_type_slug).toBe('vlan_segment');
    const edges = (await http(`${t.api}/resource-relationships/?provider=${id}&page_size=100`)).body.results;
    const named = edges.map((e: any) => `${e.source_name} ${e.relationship_type} ${e.target_name}`).sort();
    expect(named).toEqual([
      'Production part_of Cluster-A',
      'db-01 attached_to ds-nfs-01',
      'db-01 attached_to ds-vmfs-01',
      'db-01 runs_on esx-b.example.com',
      'esx-a.example.com part_of Cluster-A',
      'esx-b.example.com part_of Cluster-A',
      'web-01 attached_to ds-vmfs-01',
      'web-01 member_of Production',
      'web-01 runs_on esx-a.example.com',
    ]);
  });

  it('logs in again once when the session expires mid-collection', async () => {
    const id = await provider('vcenter expiring');
    vsphere.sessionCallLimit = 4;
    const logins = vsphere.logins;
    try {
      const run = await collectAndWait(t, id);
      expect(run).toMatchObject({ status: 'completed', resources_found: 9 });
      expect(vsphere.logins - logins).toBeGreaterThan(1);
    } finally {
      vsphere.sessionCallLimit = Number.POSITIVE_INFINITY;
    }
  });

  it('fails with a clear message on wrong credentials, without the password', async () => {
    const id = await provider('vcenter wrong password', { password: 'wrong-password-123' });
    const run = await collectAndWait(t, id);
    expect(run.status).toBe('failed');
    expect(run.error_message).toBe(
      'vCenter refused the credentials of "administrator@vsphere.local" (HTTP 401).',
    );
    expect(JSON.stringify(run)).not.toContain('wrong-password-123');
    const test = await http(`${t.api}/provider-plugins/vmware:vcenter/test/`, { method: 'POST' });
    const result = test.body.results.find((r: any) => r.provider === id);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('refused the credentials') });
    const good = test.body.results.find((r: any) => r.provider_name === 'vcenter ok');
    expect(good).toMatchObject({ ok: true, message: expect.stringContaining('1 datacenter') });
  });

  it('fails with a timeout message when vCenter stops answering', async () => {
    const id = await provider('vcenter slow', { timeout_seconds: 1 });
    vsphere.hang = /^\/api\/vcenter\/datastore$/;
    try {
      const run = await collectAndWait(t, id);
      expect(run.status).toBe('failed');
      expect(run.error_message).toBe('vCenter did not answer /api/vcenter/datastore within 1s.');
    } finally {
      vsphere.hang = null;
    }
  });

  const opensslAvailable = (() => {
    try {
      execFileSync('openssl', ['version']);
      return true;
    } catch {
      return false;
    }
  })();
  (opensslAvailable ? it : it.skip)('verifies TLS certificates unless verify_ssl is false', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-vcenter-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const tlsServer = new FakeVsphere();
    const tlsEndpoint = await tlsServer.start({
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    });
    try {
      const strict = await collectAndWait(t, await provider('vcenter tls strict', {}, tlsEndpoint));
      expect(strict.status).toBe('failed');
      expect(strict.error_message).toMatch(/TLS certificate not trusted .*verify_ssl/);
      const relaxed = await collectAndWait(
        t,
        await provider('vcenter tls relaxed', { verify_ssl: false }, tlsEndpoint),
      );
      expect(relaxed).toMatchObject({ status: 'completed', resources_found: 9 });
    } finally {
      await tlsServer.stop();
    }
  });
});
