import { http, startTestApp, type TestApp } from '../support/app.js';

describe('taxonomy (seeded by migration)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('has 15 categories, 85 resource types (84 of the reference, plus namespace) and the VMware mappings', async () => {
    const categories = await http(`${t.api}/resource-categories/`);
    expect(categories.status).toBe(200);
    expect(categories.body.count).toBe(15);
    const types = await http(`${t.api}/resource-types/`);
    expect(types.body.count).toBe(85);
    const vmware = await http(`${t.api}/vendor-type-mappings/?vendor=vmware&page_size=100`);
    expect(vmware.body.count).toBeGreaterThanOrEqual(20);
    const pairs = vmware.body.results.map((m: any) => `${m.vendor_resource_type}->${m.resource_type_slug}`);
    expect(pairs).toEqual(
      expect.arrayContaining([
        'vSphere VM->virtual_machine',
        'ESXi Host->hypervisor_host',
        'HostSystem->hypervisor_host',
      ]),
    );
  });

  it('maps the vendor types the built-in plugins emit', async () => {
    const expectations: [string, string, string][] = [
      ['vmware', 'VirtualMachine', 'virtual_machine'],
      ['vmware', 'Datastore', 'block_storage'],
      ['aws', 'AWS::EC2::Instance', 'virtual_machine'],
      ['aws', 'AWS::EC2::VPC', 'vpc'],
      ['kubernetes', 'Pod', 'container'],
      ['ansible', 'guest', 'virtual_machine'],
      ['ansible', 'docker', 'container'],
    ];
    for (const [vendor, vendorType, slug] of expectations) {
      const res = await http(
        `${t.api}/vendor-type-mappings/?vendor=${vendor}&vendor_resource_type=${encodeURIComponent(vendorType)}`,
      );
      expect(res.body.results).toHaveLength(1);
      expect(res.body.results[0].resource_type_slug).toBe(slug);
    }
  });

  it("maps the types of every vendor the original's taxonomy covered, from the vendors' own names", async () => {
    const all = await http(`${t.api}/vendor-type-mappings/?page_size=1000`);
    expect(all.body.count).toBe(293);
    const vendors = new Set(all.body.results.map((m: any) => m.vendor));
    for (const vendor of [
      'vmware',
      'aws',
      'azure',
      'gcp',
      'openstack',
      'kubernetes',
      'cisco',
      'meraki',
    ].concat(['arista', 'juniper', 'netapp', 'dell', 'ibm', 'ansible']))
      expect(vendors).toContain(vendor);
    const pairs = new Set(
      all.body.results.map((m: any) => `${m.vendor} ${m.vendor_resource_type} ${m.resource_type_slug}`),
    );
    for (const pair of [
      'azure Microsoft.Compute/virtualMachines virtual_machine',
      'gcp compute.googleapis.com/Instance virtual_machine',
      'openstack OS::Nova::Server virtual_machine',
      'kubernetes Namespace namespace',
      'kubernetes Route gateway',
      'meraki wireless wireless_ap',
      'netapp LUN block_storage',
    ])
      expect(pairs).toContain(pair);
  });

  it('orders categories by sort order and types within the category', async () => {
    const categories = await http(`${t.api}/resource-categories/?page_size=100`);
    expect(categories.body.results.map((c: any) => c.slug).slice(0, 3)).toEqual([
      'compute',
      'storage',
      'database',
    ]);
    const compute = categories.body.results[0];
    expect(compute.resource_type_count).toBe(9);
    const detail = await http(`${t.api}/resource-categories/${compute.id}/`);
    expect(detail.body.slug).toBe('compute');
  });

  it('filters types by category slug or id and by is_countable', async () => {
    const bySlug = await http(`${t.api}/resource-types/?category=networking&page_size=100`);
    expect(bySlug.body.count).toBe(18);
    const byId = await http(
      `${t.api}/resource-types/?category=${bySlug.body.results[0].category}&page_size=100`,
    );
    expect(byId.body.count).toBe(18);
    const notCountable = await http(`${t.api}/resource-types/?is_countable=false`);
    expect(notCountable.body.results.map((t: any) => t.slug)).toEqual(['orchestration_stack', 'namespace']);
  });

  it('searches types the way the seed document shows', async () => {
    const res = await http(`${t.api}/resource-types/?search=virtual_machine`);
    expect(res.body.results.map((r: any) => r.slug)).toContain('virtual_machine');
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const missing = await http(`${t.api}/resource-types/00000000-0000-0000-0000-000000000000/`);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toMatch(/not found/);
    const malformed = await http(`${t.api}/resource-types/not-a-uuid/`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/not a valid UUID/);
  });

  it('filters property definitions by resource type and vendor scope', async () => {
    const all = await http(`${t.api}/property-definitions/?resource_type=virtual_machine&page_size=100`);
    expect(all.body.count).toBeGreaterThan(3);
    const vmware = await http(
      `${t.api}/property-definitions/?resource_type=virtual_machine&vendor_scope=vmware&page_size=100`,
    );
    expect(vmware.body.results.every((d: any) => d.vendor_scope === 'vmware')).toBe(true);
    expect(vmware.body.count).toBeLessThan(all.body.count);
    const required = await http(`${t.api}/property-definitions/?required=true`);
    expect(required.body.results.every((d: any) => d.required)).toBe(true);
  });
});
