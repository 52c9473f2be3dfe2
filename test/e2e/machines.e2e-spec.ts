import { AWS_PROVIDER_NAME, CLUSTER_PROVIDER_NAME, seedMultivendor } from '../../seeds/multivendor.seed.js';
import { LAB_PROVIDER_NAME } from '../../seeds/vmware-lab.seed.js';
import { createDataSource } from '../../src/database/data-source.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait } from '../support/collection.js';
import { FakeKubernetes, fillCluster } from '../support/fake-kubernetes.js';
import { FakeVsphere } from '../support/fake-vsphere.js';

/**
 * One machine seen three ways: a vCenter VM (BIOS UUID), the Kubernetes node running on
 * it (SMBIOS system UUID, reported in upper case) and the host's own pushed facts
 * (product_uuid). /machines/ shows them as one row; the detail has each source's
 * resource, the freshest value of every field with where it came from, and the conflicts.
 */
describe('machines: one view of a machine seen by several providers', () => {
  let t: TestApp;
  const vsphere = new FakeVsphere();
  const k8s = new FakeKubernetes();
  const UUID = '4203e1b1-0000-4000-8000-000000000100'; // vm-100 "web-01" of the fake vCenter
  let vmId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const vcenter = await vsphere.start();
    const cluster = await k8s.start();
    fillCluster(k8s, {
      nodes: [{ name: 'web-01', systemUUID: UUID, ip: '10.1.0.10' }],
      namespaces: ['shop'],
      deploymentsPerNamespace: 1,
      replicas: 1,
    });
    const create = async (json: Record<string, unknown>) => {
      const res = await http(`${t.api}/providers/`, { method: 'POST', json: { organization: 1, ...json } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const vc = await create({
      name: 'machines vcenter',
      vendor: 'vmware',
      provider_type: 'vcenter',
      infrastructure: 'private_cloud',
      endpoint: vcenter,
      connection_config: { username: vsphere.username, password: vsphere.password, allow_http: true },
    });
    const kube = await create({
      name: 'machines cluster',
      vendor: 'kubernetes',
      provider_type: 'cluster',
      infrastructure: 'container',
      endpoint: cluster,
      connection_config: { token: k8s.token, allow_http: true, cluster_name: 'shop-cluster' },
    });
    expect((await collectAndWait(t, vc)).status).toBe('completed');
    expect((await collectAndWait(t, kube)).status).toBe('completed');
    const push = await http(`${t.api}/facts/?organization=1`, {
      method: 'POST',
      json: {
        system_facts: {
          hostname: 'web-01',
          fqdn: 'web-01.shop.example.com',
          product_uuid: UUID.toUpperCase(),
          distribution: 'RedHat',
          distribution_version: '9.4',
          system: 'Linux',
          os_family: 'RedHat',
          processor_vcpus: 2,
          memtotal_mb: 3931,
          virtualization_role: 'guest',
          virtualization_type: 'VMware',
        },
      },
    });
    expect(push.status).toBe(201);
    vmId = (await http(`${t.api}/resources/?ems_ref=vm-100`)).body.results[0].id;
  });
  afterAll(async () => {
    await t.close();
    await vsphere.stop();
    await k8s.stop();
  });

  it('lists the machine once, with the three providers that see it', async () => {
    const res = await http(`${t.api}/machines/?canonical_id=${UUID}`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(1);
    const machine = res.body.results[0];
    expect(machine).toMatchObject({
      canonical_id: UUID,
      resource_type: 'virtual_machine',
      resource_count: 3,
      provider_count: 3,
      vendors: ['ansible', 'kubernetes', 'vmware'],
      removed: false,
      url: `${t.api}/machines/${UUID}/`,
    });
    expect(machine.providers.map((p: any) => p.vendor).sort()).toEqual(['ansible', 'kubernetes', 'vmware']);
    const several = await http(`${t.api}/machines/?provider_count__gte=2`);
    expect(several.body.results.map((m: any) => m.canonical_id)).toEqual([UUID]);
    // A VM seen by vCenter only is a machine of one provider; a datastore's id is no machine.
    const all = await http(`${t.api}/machines/?page_size=100`);
    expect(all.body.results.map((m: any) => m.canonical_id)).toContain(
      '4203e1b1-0000-4000-8000-000000000101',
    );
    expect(all.body.results.map((m: any) => m.canonical_id)).not.toContain('datastore-30');
  });

  it('shows every source, the freshest value of each field with its origin, and the conflicts', async () => {
    const res = await http(`${t.api}/machines/${UUID}/`);
    expect(res.status).toBe(200);
    const m = res.body;
    expect(m.resources).toHaveLength(3);
    expect(m.resources.map((r: any) => `${r.vendor}:${r.origin}:${r.vendor_type}`).sort()).toEqual([
      'ansible:push:guest',
      'kubernetes:pull:Node',
      'vmware:pull:VirtualMachine',
    ]);
    for (const r of m.resources) expect(r.url).toBe(`${t.api}/resources/${r.id}/`);
    // The push came last: its values are the freshest where it has one.
    expect(m.fields.fqdn).toMatchObject({ value: 'web-01.shop.example.com', source: { vendor: 'ansible' } });
    expect(m.fields.memory_mb).toMatchObject({ value: 3931, source: { vendor: 'ansible' } });
    expect(m.fields.memory_mb.source.seen_at).toEqual(expect.any(String));
    const memory = m.conflicts.find((c: any) => c.field === 'memory_mb');
    expect(memory.values.map((v: any) => v.value).sort((a: number, b: number) => a - b)).toEqual([
      3931, 4096, 16009,
    ]);
    expect(memory.values.find((v: any) => v.value === 4096).sources[0].vendor).toBe('vmware');
    // Case differences are no conflict (vCenter and the node agree on os_type "linux").
    expect(m.conflicts.find((c: any) => c.field === 'os_type')).toBeUndefined();
  });

  it('links a resource to its machine, and answers 404 for what is not a machine', async () => {
    const vm = await http(`${t.api}/resources/${vmId}/`);
    expect(vm.body.machine).toEqual({
      canonical_id: UUID,
      provider_count: 3,
      url: `${t.api}/machines/${UUID}/`,
    });
    const ds = (await http(`${t.api}/resources/?ems_ref=datastore-30`)).body.results[0];
    expect((await http(`${t.api}/resources/${ds.id}/`)).body.machine).toBeNull();
    expect((await http(`${t.api}/machines/datastore-30/`)).status).toBe(404);
    expect((await http(`${t.api}/machines/no-such-machine/`)).status).toBe(404);
    expect((await http(`${t.api}/machines/`, { method: 'POST', json: {} })).status).toBe(405);
  });

  it('shows nothing to a user without a role', async () => {
    const nobody = await t.createUser('machines-nobody');
    const list = await http(`${t.api}/machines/`, { as: nobody.bearer });
    expect(list.body.count).toBe(0);
    expect((await http(`${t.api}/machines/${UUID}/`, { as: nobody.bearer })).status).toBe(404);
  });

  it('inventory seed multivendor: the lab, an AWS account and a cluster sharing five machines', async () => {
    const db = createDataSource({ url: t.db.url, poolSize: 2 });
    await db.initialize();
    try {
      const result = await seedMultivendor(db, t.secretBox, { flush: false, progress: () => undefined });
      expect(result.shared).toHaveLength(5);
      for (const id of result.shared) {
        const machine = (await http(`${t.api}/machines/${id}/`)).body;
        expect(machine.provider_count).toBe(2);
        expect(machine.vendors).toContain('kubernetes');
      }
      const vendors = (
        await Promise.all(
          result.shared.map(async (id) => (await http(`${t.api}/machines/${id}/`)).body.vendors),
        )
      ).map((v: string[]) => v.join('+'));
      expect(vendors.filter((v) => v === 'kubernetes+vmware')).toHaveLength(3);
      expect(vendors.filter((v) => v === 'aws+kubernetes')).toHaveLength(2);
      // Run again: nothing duplicated, the same machines.
      expect(
        (await seedMultivendor(db, t.secretBox, { flush: false, progress: () => undefined })).shared,
      ).toEqual(result.shared);
      // The command's writes are in the activity stream, by the actor `cli`.
      const activity = await http(
        `${t.api}/activitystream/?actor_username=cli&object_type=provider&ordering=id`,
      );
      expect(
        activity.body.results.map((e: { operation: string; object_repr: string }) => [
          e.operation,
          e.object_repr,
        ]),
      ).toEqual([
        ['create', LAB_PROVIDER_NAME],
        ['create', AWS_PROVIDER_NAME],
        ['create', CLUSTER_PROVIDER_NAME],
        ['update', AWS_PROVIDER_NAME],
        ['update', CLUSTER_PROVIDER_NAME],
      ]);
    } finally {
      await db.destroy();
    }
  });
});
