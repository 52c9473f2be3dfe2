import { http, startTestApp, type TestApp, type TestUser } from '../support/app.js';
import { createOrganization, createProvider, createResource, daysAgo } from '../support/factories.js';

/**
 * Automation correlation (issue #15): POST /automation-records/ matched by the ordered
 * identity rules, the review queue, idempotent re-posts, the limits, who may do what,
 * /resources/{id}/automations/ and the resources filters automated / last_automated_*.
 */
describe('automation records', () => {
  let t: TestApp;
  let org: number;
  let otherOrg: number;
  let provider: string;
  const vm: Record<string, string> = {};
  let recorder: TestUser;
  let member: TestUser;
  let outsider: TestUser;

  const roleId = async (name: string) =>
    (await http(`${t.api}/role_definitions/?name=${encodeURIComponent(name)}`)).body.results[0].id as number;
  const grant = async (role: string, user: number, organization: number) => {
    const res = await http(`${t.api}/role_user_assignments/`, {
      method: 'POST',
      json: { role_definition: await roleId(role), user, object_id: String(organization) },
    });
    expect(res.status).toBe(201);
  };
  const post = (records: unknown[], as?: string, organization: number | null = org) =>
    http(`${t.api}/automation-records/`, {
      method: 'POST',
      json: organization === null ? { records } : { organization, records },
      as,
    });
  const record = (host: string, identity: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    job_id: '100',
    job_name: 'Patch web servers',
    job_template: 'patch-webservers',
    playbook: 'patch.yml',
    started_at: '2026-12-01T10:00:00Z',
    finished_at: '2026-12-01T10:05:00Z',
    status: 'changed',
    host_name: host,
    identity,
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp();
    org = await createOrganization(t.pool, 'Automation Org');
    otherOrg = await createOrganization(t.pool, 'Automation Other');
    provider = await createProvider(t.pool, { organizationId: org });
    const other = await createProvider(t.pool, { organizationId: otherOrg });
    const make = (name: string, extra: Record<string, unknown> = {}) =>
      createResource(t.pool, {
        providerId: provider,
        organizationId: org,
        type: 'virtual_machine',
        name,
        ...extra,
      });
    vm.serial = await make('esx-serial', { vendorIdentifiers: { serial_number: 'DELLR750-001' } });
    vm.bios = await make('vm-bios', { canonicalId: '502E71FA-1001-4A8E-B123-AABBCCDDEEF1' });
    vm.mac = await make('vm-mac', { properties: { mac_addresses: ['00:50:56:AA:00:01'] } });
    vm.ip = await make('vm-ip', { ipAddresses: ['10.9.0.5'] });
    vm.fqdn = await make('vm-fqdn', { fqdn: 'app01.example.com' });
    vm.host = await make('db07');
    vm.cloneA = await make('clone-a', { canonicalId: '11111111-2222-3333-4444-555555555555' });
    vm.cloneB = await make('clone-b', { canonicalId: '11111111-2222-3333-4444-555555555555' });
    vm.never = await make('never-touched');
    vm.removed = await make('gone', { ipAddresses: ['10.9.0.99'], removedAt: daysAgo(1) });
    // The same serial in another organization is never a candidate.
    await createResource(t.pool, {
      providerId: other,
      organizationId: otherOrg,
      type: 'virtual_machine',
      name: 'elsewhere',
      vendorIdentifiers: { serial_number: 'DELLR750-001' },
    });
    recorder = await t.createUser('recorder');
    member = await t.createUser('member');
    outsider = await t.createUser('outsider');
    await grant('Automation Recorder', recorder.id, org);
    await grant('Organization Member', member.id, org);
    await grant('Organization Admin', outsider.id, otherOrg);
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('matches each record by the first rule that finds a candidate and stores rule and confidence', async () => {
    const res = await post(
      [
        // Serial outranks the BIOS UUID, which points elsewhere.
        record('esx-serial', {
          smbios_serial: ' DELLR750-001 ',
          bios_uuid: '502e71fa-1001-4a8e-b123-aabbccddeef1',
        }),
        record('vm-bios', { bios_uuid: '502e71fa-1001-4a8e-b123-aabbccddeef1' }),
        record('vm-mac', { mac_addresses: ['00-50-56-aa-00-01'], ip_addresses: ['127.0.0.1'] }),
        record('10.9.0.5', {}),
        record('app01', { fqdn: 'APP01.example.com.' }),
        record('db07.example.com', {}),
        record('clone', { bios_uuid: '11111111-2222-3333-4444-555555555555' }),
        record('nobody', { ip_addresses: ['10.9.0.99'], hostname: 'localhost' }),
      ],
      recorder.bearer,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ organization: org, created: 8, updated: 0 });
    const by = Object.fromEntries(res.body.records.map((r: any) => [r.host_name, r]));
    expect(by['esx-serial']).toMatchObject({
      match_status: 'matched',
      resource: vm.serial,
      match_rule: 'smbios_serial',
      match_confidence: 1,
    });
    expect(by['vm-bios']).toMatchObject({
      match_status: 'matched',
      resource: vm.bios,
      match_rule: 'bios_uuid',
      match_confidence: 0.95,
    });
    expect(by['vm-mac']).toMatchObject({
      match_status: 'matched',
      resource: vm.mac,
      match_rule: 'mac_address',
      match_confidence: 0.85,
    });
    expect(by['10.9.0.5']).toMatchObject({
      match_status: 'matched',
      resource: vm.ip,
      match_rule: 'ip_address',
      match_confidence: 0.75,
    });
    expect(by.app01).toMatchObject({
      match_status: 'matched',
      resource: vm.fqdn,
      match_rule: 'fqdn',
      match_confidence: 0.5,
    });
    // Below 0.5: proposed, not matched.
    expect(by['db07.example.com']).toMatchObject({
      match_status: 'pending',
      resource: null,
      match_rule: 'hostname',
      match_confidence: 0.3,
    });
    // Two resources share the BIOS UUID (cloned VMs): ambiguous, both proposed.
    expect(by.clone).toMatchObject({ match_status: 'pending', match_rule: 'bios_uuid' });
    // A removed resource and localhost identify nothing.
    expect(by.nobody).toMatchObject({ match_status: 'unmatched', resource: null, match_rule: null });
    expect(res.body.match_summary).toEqual({ matched: 5, pending: 2, unmatched: 1 });

    const stored = await http(`${t.api}/automation-records/?host_name=vm-mac`, { as: member.bearer });
    expect(stored.status).toBe(200);
    expect(stored.body.results[0]).toMatchObject({
      job_id: '100',
      job_template: 'patch-webservers',
      status: 'changed',
      automated_at: '2026-12-01T10:05:00.000Z',
      identity: { mac_addresses: ['00:50:56:aa:00:01'], ip_addresses: [] },
      resource: vm.mac,
      resource_name: 'vm-mac',
    });
  });

  it('queues low and ambiguous matches; confirm and reject are remembered for the host name', async () => {
    const queue = await http(`${t.api}/pending-matches/?status=pending&ordering=resource_name`, {
      as: member.bearer,
    });
    expect(queue.status).toBe(200);
    expect(
      queue.body.results.map((p: any) => [p.host_name, p.resource_name, p.match_rule, p.candidate_count]),
    ).toEqual([
      ['clone', 'clone-a', 'bios_uuid', 2],
      ['clone', 'clone-b', 'bios_uuid', 2],
      ['db07.example.com', 'db07', 'hostname', 1],
    ]);
    const [cloneA, cloneB, db07] = queue.body.results;
    // A member may read the queue but not decide it; another organization's admin does not see it.
    const denied = await http(`${t.api}/pending-matches/${db07.id}/resolve/`, {
      method: 'POST',
      json: { action: 'confirm' },
      as: member.bearer,
    });
    expect(denied.status).toBe(403);
    const hidden = await http(`${t.api}/pending-matches/${db07.id}/resolve/`, {
      method: 'POST',
      json: { action: 'confirm' },
      as: outsider.bearer,
    });
    expect(hidden.status).toBe(404);
    expect((await http(`${t.api}/pending-matches/`, { as: outsider.bearer })).body.count).toBe(0);
    const bad = await http(`${t.api}/pending-matches/${db07.id}/resolve/`, {
      method: 'POST',
      json: { action: 'maybe' },
    });
    expect(bad.status).toBe(400);

    const confirmed = await http(`${t.api}/pending-matches/${db07.id}/resolve/`, {
      method: 'POST',
      json: { action: 'confirm' },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', resolved_by: t.admin.id });
    const again = await http(`${t.api}/pending-matches/${db07.id}/resolve/`, {
      method: 'POST',
      json: { action: 'reject' },
    });
    expect(again.status).toBe(409);

    // Bulk, all or nothing: one unknown id changes nothing.
    const unknown = await http(`${t.api}/pending-matches/resolve/`, {
      method: 'POST',
      json: {
        actions: [
          { pending_match_id: cloneA.id, action: 'confirm' },
          { pending_match_id: '00000000-0000-4000-8000-000000000000', action: 'reject' },
        ],
      },
    });
    expect(unknown.status).toBe(404);
    expect((await http(`${t.api}/pending-matches/${cloneA.id}/`)).body.status).toBe('pending');
    const bulk = await http(`${t.api}/pending-matches/resolve/`, {
      method: 'POST',
      json: {
        actions: [
          { pending_match_id: cloneB.id, action: 'reject' },
          { pending_match_id: cloneA.id, action: 'confirm' },
        ],
      },
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.results.map((p: any) => p.status)).toEqual(['rejected', 'confirmed']);

    const records = await http(
      `${t.api}/automation-records/?job=100&match_status=confirmed&ordering=host_name`,
    );
    expect(records.body.results.map((r: any) => [r.host_name, r.resource, r.match_rule])).toEqual([
      ['clone', vm.cloneA, 'bios_uuid'],
      ['db07.example.com', vm.host, 'hostname'],
    ]);
    const activity = await http(`${t.api}/activitystream/?object_type=pending_match`);
    expect(activity.body.count).toBe(3);

    // The next job of those hosts: the confirmed pairs match first (rule confirmed), the
    // rejected pair is never proposed again.
    const next = await post([
      record('db07.example.com', {}, { job_id: '101' }),
      record('clone', { bios_uuid: '11111111-2222-3333-4444-555555555555' }, { job_id: '101' }),
    ]);
    expect(
      next.body.records.map((r: any) => [
        r.host_name,
        r.match_status,
        r.resource,
        r.match_rule,
        r.match_confidence,
      ]),
    ).toEqual([
      ['db07.example.com', 'matched', vm.host, 'confirmed', 1],
      ['clone', 'matched', vm.cloneA, 'confirmed', 1],
    ]);
  });

  it('a re-post of the same (job_id, host_name) updates its record and keeps a confirmed match', async () => {
    const before = await http(`${t.api}/automation-records/?job=100`);
    const res = await post([
      record(
        'vm-bios',
        { bios_uuid: '502e71fa-1001-4a8e-b123-aabbccddeef1' },
        { status: 'failed', job_id: 100 },
      ),
      record('db07.example.com', { ip_addresses: ['10.9.0.5'] }, { status: 'ok' }),
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 0, updated: 2 });
    expect(res.body.records[1]).toMatchObject({ match_status: 'confirmed', resource: vm.host });
    const after = await http(`${t.api}/automation-records/?job=100`);
    expect(after.body.count).toBe(before.body.count);
    expect(
      (await http(`${t.api}/automation-records/?job=100&host_name=vm-bios`)).body.results[0].status,
    ).toBe('failed');
  });

  it('refuses bad records by index, more than 10,000 records, and writes nothing then', async () => {
    const count = async () => (await http(`${t.api}/automation-records/`)).body.count;
    const before = await count();
    const bad = await post([
      record('fine', {}, { job_id: '200' }),
      record('bad-status', {}, { job_id: '200', status: 'exploded' }),
      record('bad-ip', { ip_addresses: ['10.0.0.300'], mac_addresses: ['nope'] }, { job_id: '200' }),
      record('backwards', {}, { job_id: '200', finished_at: '2026-11-30T00:00:00Z' }),
      record('fine', {}, { job_id: '200' }),
    ]);
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(['records.1.status']);
    const semantic = await post([
      record('bad-ip', { ip_addresses: ['10.0.0.300'], mac_addresses: ['nope'] }, { job_id: '200' }),
      record('backwards', {}, { job_id: '200', finished_at: '2026-11-30T00:00:00Z' }),
      record('fine', {}, { job_id: '200' }),
      record('fine', {}, { job_id: '200' }),
    ]);
    expect(semantic.status).toBe(400);
    expect(Object.keys(semantic.body.errors).sort()).toEqual([
      'records.0.identity.ip_addresses',
      'records.0.identity.mac_addresses',
      'records.1.finished_at',
      'records.3.host_name',
    ]);
    // Not objects (the fuzz test's `{"records": [[]]}` was a 500).
    for (const junk of [[[]], [null], [1], ['x']]) {
      const res = await post(junk);
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.errors)).toContain('records');
    }
    const tooMany = await post(
      Array.from({ length: 10_001 }, (_, i) => record(`h${i}`, {}, { job_id: '300' })),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.detail).toContain('At most 10000 records per request');
    expect(await count()).toBe(before);
  });

  it('takes 10,000 records in one request', async () => {
    const records = Array.from({ length: 10_000 }, (_, i) =>
      record(`bulk-${i}`, { ip_addresses: [`10.50.${Math.floor(i / 250)}.${i % 250}`] }, { job_id: '400' }),
    );
    const res = await post(records);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 10_000, match_summary: { unmatched: 10_000 } });
  }, 120_000);

  it('takes the same records from concurrent posts, in any order, once', async () => {
    const records = Array.from({ length: 200 }, (_, i) =>
      record(`concurrent-${i}`, { hostname: i % 2 ? 'db07' : `concurrent-${i}` }, { job_id: '450' }),
    );
    const answers = await Promise.all([
      post(records),
      post([...records].reverse()),
      post([...records.slice(100), ...records.slice(0, 100)]),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.reduce((sum, a) => sum + a.body.created, 0)).toBe(200);
    expect((await http(`${t.api}/automation-records/?job=450`)).body.count).toBe(200);
    // db07 was confirmed for the host name db07.example.com, not for these hosts: proposals.
    const queue = await http(`${t.api}/pending-matches/?job=450&status=pending`);
    expect(queue.body.count).toBe(100);
    const resolved = await Promise.all(
      queue.body.results
        .slice(0, 10)
        .map((p: any) =>
          http(`${t.api}/pending-matches/${p.id}/resolve/`, { method: 'POST', json: { action: 'reject' } }),
        ),
    );
    expect(resolved.map((r) => r.status)).toEqual(Array(10).fill(200));
  }, 60_000);

  it('checks who may post: automation_record.add on the organization', async () => {
    expect((await post([record('x', {})], member.bearer)).status).toBe(403);
    expect((await post([record('x', {})], outsider.bearer)).status).toBe(403);
    expect((await post([record('x', {})], undefined, null)).status).toBe(400);
    // Without an organization: the only one the caller may add to.
    const implicit = await post([record('implicit', {}, { job_id: '500' })], recorder.bearer, null);
    expect(implicit.status).toBe(200);
    expect(implicit.body.organization).toBe(org);
    expect((await http(`${t.api}/automation-records/`, { as: outsider.bearer })).body.count).toBe(0);
    expect((await http(`${t.api}/automation-records/`, { anonymous: true })).status).toBe(401);
  });

  it('answers /resources/{id}/automations/ and the resources filters automated, last_automated_*', async () => {
    const history = await http(`${t.api}/resources/${vm.host}/automations/?ordering=job_id`);
    expect(history.status).toBe(200);
    expect(history.body.results.map((r: any) => r.job_id)).toEqual(['100', '101']);
    expect((await http(`${t.api}/resources/${vm.host}/automations/`, { as: outsider.bearer })).status).toBe(
      404,
    );
    const names = async (qs: string) =>
      (await http(`${t.api}/resources/?organization=${org}&${qs}&page_size=100`)).body.results
        .map((r: any) => r.name)
        .sort();
    // "Which of my VMs has automation never touched?"
    expect(await names('resource_type=virtual_machine&removed=false&automated=false')).toEqual([
      'clone-b',
      'never-touched',
    ]);
    expect(await names('automated=true')).toEqual(
      ['clone-a', 'db07', 'esx-serial', 'vm-bios', 'vm-fqdn', 'vm-ip', 'vm-mac'].sort(),
    );
    expect(
      await names('last_automated_after=2026-12-01T10:05:00Z&last_automated_before=2026-12-01T10:05:00Z'),
    ).toHaveLength(7);
    expect(await names('last_automated_before=2026-11-01T00:00:00Z')).toEqual([]);
    expect((await http(`${t.api}/resources/?automated=perhaps`)).status).toBe(400);
  });
});
