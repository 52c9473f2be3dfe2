import { http, startTestApp, type TestApp } from '../support/app.js';
import { createOrganization, createProvider, createResource } from '../support/factories.js';
import { seedLab } from '../support/lab.js';
import { safeGroupName } from '../../src/resources/ansible-inventory.query.js';

interface Inventory {
  _meta: { hostvars: Record<string, Record<string, unknown>> };
  [group: string]: any;
}

/**
 * GET /ansible-inventory/ on the seeded VMware lab (14 VMs, 4 ESXi hosts, 2 clusters and
 * 3 pools in the compute category; 4 datastores that are not) plus an organization of
 * its own for the edge cases: RBAC, removed resources, duplicate names, odd group names.
 */
describe('GET /ansible-inventory/', () => {
  let t: TestApp;
  let otherOrg: number;
  /** The Windows "odd-host" and the other resource of that name, as the inventory names them. */
  let odd: string;
  let oddSecond: string;
  const inv = async (query = '', as?: string) => {
    const res = await http<Inventory>(`${t.api}/ansible-inventory/${query}`, as ? { as } : {});
    return res;
  };
  beforeAll(async () => {
    t = await startTestApp();
    await seedLab(t);
    otherOrg = await createOrganization(t.pool, 'Ansible inventory other org');
    const provider = await createProvider(t.pool, { organizationId: otherOrg, name: 'other provider' });
    const base = { providerId: provider, organizationId: otherOrg, type: 'virtual_machine' };
    const windowsId = await createResource(t.pool, {
      ...base,
      name: 'odd-host',
      region: 'eu-west 1',
      ipAddresses: [],
      fqdn: 'odd-host.example.com',
      osType: 'windows',
      providerTags: { env: 'qa' },
    });
    const secondId = await createResource(t.pool, {
      ...base,
      name: 'odd-host',
      emsRef: 'second',
      ipAddresses: ['10.9.9.9'],
    });
    // Hosts come in (name, id) order: the later id of the two gets the suffix.
    [odd, oddSecond] =
      windowsId < secondId
        ? ['odd-host', `odd-host_${secondId.slice(0, 8)}`]
        : [`odd-host_${windowsId.slice(0, 8)}`, 'odd-host'];
    await createResource(t.pool, { ...base, name: 'gone-host', removedAt: new Date() });
    await createResource(t.pool, { ...base, name: 'bucket-1', type: 'object_storage' });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('lists the compute resources still present as ungrouped hosts with their variables', async () => {
    const res = await inv();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const hosts = Object.keys(res.body._meta.hostvars);
    // 23 compute resources of the lab, two "odd-host" (the second renamed), no removed one, no bucket.
    expect(hosts).toHaveLength(25);
    expect(hosts).toEqual(expect.arrayContaining(['rhel9-web-01', 'esxi01.lab.local', 'Prod-Cluster-01']));
    expect(hosts).not.toContain('gone-host');
    expect(hosts).not.toContain('bucket-1');
    expect(hosts.filter((h) => h.startsWith('odd-host')).sort()).toEqual([
      'odd-host',
      expect.stringMatching(/^odd-host_[0-9a-f]{8}$/),
    ]);
    expect(res.body.all).toEqual({ hosts: [], vars: {}, children: ['ungrouped'] });
    expect(res.body.ungrouped.hosts).toEqual(hosts);

    const web = res.body._meta.hostvars['rhel9-web-01'];
    expect(web).toMatchObject({
      ansible_host: '10.0.20.20',
      ansible_connection: 'ssh',
      inventory_name: 'rhel9-web-01',
      inventory_provider: 'Lab vCenter - vcsa01.lab.local',
      inventory_provider_vendor: 'vmware',
      inventory_organization_name: 'Default',
      inventory_resource_type: 'virtual_machine',
      inventory_category: 'compute',
      inventory_state: 'running',
      inventory_region: 'Lab-DC1',
      inventory_availability_zone: 'Prod-Cluster-01',
      inventory_cluster: 'Prod-Cluster-01',
      inventory_os_type: 'linux',
      inventory_ip_addresses: ['10.0.20.20', '10.0.30.20'],
      inventory_tags: { env: 'production', app: 'web-frontend', team: 'webops' },
      inventory_properties: expect.objectContaining({ inventory_group: 'webservers' }),
      inventory_facts: null,
      inventory_removed_at: null,
    });
    expect(typeof web.inventory_id).toBe('string');
    expect(Date.parse(web.inventory_last_seen_at as string)).not.toBeNaN();
    // A host's cluster is what it is part of.
    expect(res.body._meta.hostvars['esxi01.lab.local'].inventory_cluster).toBe('Prod-Cluster-01');
    // ansible_host falls back to the FQDN; Windows means winrm.
    expect(res.body._meta.hostvars[odd]).toMatchObject({
      ansible_host: 'odd-host.example.com',
      ansible_connection: 'winrm',
    });
    const second = oddSecond;
    expect(res.body._meta.hostvars[second].ansible_host).toBe('10.9.9.9');
    expect(res.body._meta.hostvars[second].ansible_connection).toBeUndefined();
  });

  it('builds groups by every key, with names sanitized as Ansible does', async () => {
    const res = await inv(
      '?group_by=provider&group_by=resource_type&group_by=cluster&group_by=tag:env&group_by=inventory_group' +
        '&group_by=state,os_type,region,availability_zone,organization',
    );
    expect(res.status).toBe(200);
    const b = res.body;
    expect(b.resource_type_virtual_machine.hosts).toHaveLength(16);
    expect(b.resource_type_hypervisor_host.hosts).toHaveLength(4);
    expect(b.provider_Lab_vCenter___vcsa01_lab_local.hosts).toHaveLength(23);
    expect(b.cluster_Prod_Cluster_01.hosts).toEqual(
      expect.arrayContaining(['rhel9-web-01', 'esxi01.lab.local']),
    );
    expect(b.cluster_Dev_Cluster_01.hosts).toContain('dev-rhel9-01');
    expect(b.tag_env_production.hosts).toEqual(expect.arrayContaining(['rhel9-web-01', 'win2022-ad-01']));
    expect(b.tag_env_qa.hosts).toEqual([odd]);
    expect(b.webservers.hosts).toEqual(['rhel9-web-01', 'rhel9-web-02']);
    expect(b.windows_domain_controllers.hosts).toEqual(['win2022-ad-01']);
    expect(b.state_stopped.hosts).toContain('staging-db-01');
    expect(b.os_type_windows.hosts).toEqual(expect.arrayContaining(['win2022-ad-01', 'win2022-iis-01', odd]));
    expect(b.region_eu_west_1.hosts).toEqual([odd]);
    expect(b.availability_zone_Prod_Cluster_01.hosts.length).toBeGreaterThan(5);
    expect(b.organization_Default.hosts).toHaveLength(23);
    expect(b.organization_Ansible_inventory_other_org.hosts).toHaveLength(2);
    expect(b.webservers).toEqual({ hosts: ['rhel9-web-01', 'rhel9-web-02'], vars: {}, children: [] });
    const groups = Object.keys(b).filter((k) => k !== '_meta');
    for (const g of groups) expect(g).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(b.all.children).toEqual([
      'ungrouped',
      ...groups.filter((g) => g !== 'all' && g !== 'ungrouped').sort(),
    ]);
    // Every host is in some group here (organization covers all).
    expect(b.ungrouped.hosts).toEqual([]);
  });

  it('takes the resources filters, the removed filter and another prefix', async () => {
    const running = await inv('?state=running&os_type=linux&hostvars_prefix=ip_');
    expect(running.status).toBe(200);
    const vars = Object.values(running.body._meta.hostvars);
    expect(vars.length).toBeGreaterThan(3);
    for (const v of vars) expect(v).toMatchObject({ ip_state: 'running', ip_os_type: 'linux' });
    expect(Object.keys(vars[0]).some((k) => k.startsWith('inventory_'))).toBe(false);

    const gone = await inv('?removed=true');
    expect(Object.keys(gone.body._meta.hostvars)).toEqual(['gone-host']);
    const storage = await inv('?category=storage');
    expect(Object.keys(storage.body._meta.hostvars)).toEqual(
      expect.arrayContaining(['bucket-1', 'vsanDatastore-Prod']),
    );
    const search = await inv('?search=aap-&name__n=aap-hub-01');
    expect(Object.keys(search.body._meta.hostvars).sort()).toEqual(['aap-controller-01', 'aap-eda-01']);
    const byFqdn = await inv('?hostname=fqdn&name=rhel9-web-01');
    expect(Object.keys(byFqdn.body._meta.hostvars)).toEqual(['rhel9-web-01.lab.local']);
    const empty = await inv('?name=nothing-is-called-this&group_by=provider');
    expect(empty.body).toEqual({
      _meta: { hostvars: {} },
      ungrouped: { hosts: [], vars: {}, children: [] },
      all: { hosts: [], vars: {}, children: ['ungrouped'] },
    });
  });

  it('shows only what the caller may see', async () => {
    const member = await t.createUser('ansible-inv-member');
    const role = await t.pool.query(`SELECT id FROM role_definitions WHERE name = 'Organization Member'`);
    const assigned = await http(`${t.api}/role_user_assignments/`, {
      method: 'POST',
      json: { role_definition: role.rows[0].id, user: member.id, object_id: String(otherOrg) },
    });
    expect(assigned.status).toBe(201);
    const res = await inv('', member.bearer);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body._meta.hostvars).map((h) => h.slice(0, 8))).toEqual(['odd-host', 'odd-host']);
    const nobody = await t.createUser('ansible-inv-nobody');
    expect(Object.keys((await inv('', nobody.bearer)).body._meta.hostvars)).toEqual([]);
    expect((await http(`${t.api}/ansible-inventory/`, { anonymous: true })).status).toBe(401);
  });

  it('answers 400 for bad parameters, naming them', async () => {
    for (const [query, parameter] of [
      ['?group_by=colour', 'group_by'],
      ['?group_by=tag:', 'group_by'],
      ['?hostvars_prefix=in-valid', 'hostvars_prefix'],
      ['?hostname=serial', 'hostname'],
      ['?page=2', 'page'],
      ['?ordering=name', 'ordering'],
      ['?state=shiny', 'state'],
      ['?colour=red', 'colour'],
      ['?hostname=id&hostname=name', 'hostname'],
    ]) {
      const res = await inv(query);
      expect({ query, status: res.status, errors: Object.keys(res.body.errors ?? {}) }).toEqual({
        query,
        status: 400,
        errors: [parameter],
      });
    }
  });

  it("carries a summary of a pushed host's latest facts", async () => {
    const org = await createOrganization(t.pool, 'Ansible inventory pushed');
    const push = await http(`${t.api}/facts/?organization=${org}`, {
      method: 'POST',
      json: {
        system_facts: {
          hostname: 'pushed-01',
          fqdn: 'pushed-01.example.com',
          product_uuid: '4203e1b1-0000-4000-8000-00000000a001',
          distribution: 'RedHat',
          distribution_version: '9.4',
          kernel: '5.14.0-427.el9.x86_64',
          architecture: 'x86_64',
          system: 'Linux',
          os_family: 'RedHat',
          default_ipv4: { address: '10.7.0.5' },
          all_ipv4_addresses: ['10.7.0.5'],
          virtualization_role: 'guest',
          virtualization_type: 'VMware',
        },
      },
    });
    expect(push.status).toBe(201);
    const res = await inv(`?organization=${org}&group_by=provider`);
    expect(res.status).toBe(200);
    const [name] = Object.keys(res.body._meta.hostvars);
    const vars = res.body._meta.hostvars[name];
    expect(vars).toMatchObject({
      ansible_host: '10.7.0.5',
      inventory_provider_vendor: 'ansible',
      inventory_facts: {
        distribution: 'RedHat',
        distribution_version: '9.4',
        kernel: '5.14.0-427.el9.x86_64',
        architecture: 'x86_64',
        fqdn: 'pushed-01.example.com',
        default_ipv4: '10.7.0.5',
        virtualization_type: 'VMware',
      },
    });
    expect(Date.parse((vars.inventory_facts as { received_at: string }).received_at)).not.toBeNaN();
  });

  it('sanitizes group names the way Ansible does', () => {
    expect(safeGroupName('provider_Lab vCenter - vcsa01.lab.local')).toBe(
      'provider_Lab_vCenter___vcsa01_lab_local',
    );
    expect(safeGroupName('9lives')).toBe('_lives');
    expect(safeGroupName('tag_owner_zoë')).toBe('tag_owner_zoë');
    expect(safeGroupName('a/b:c')).toBe('a_b_c');
  });
});
