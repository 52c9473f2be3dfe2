import { http, startTestApp, type TestApp } from '../support/app.js';
import { createOrganization, createProvider, createResource } from '../support/factories.js';
import { clone, createSystem, loadDebianFacts, type TestSystem } from '../support/facts.js';

describe('systems and the native push (POST /facts/)', () => {
  let t: TestApp;
  let org: number;
  let system: TestSystem;
  const facts = loadDebianFacts();

  beforeAll(async () => {
    t = await startTestApp();
    org = await createOrganization(t.pool, 'Push Org');
    system = await createSystem(t, org, 'debian-host');
  });
  afterAll(async () => {
    await t.close();
  });

  const push = (body: unknown, as: string = system.basic) =>
    http(`${t.api}/facts/`, { method: 'POST', json: body, as });

  describe('systems', () => {
    it('shows the secret once, stores only a salted hash, never lists it', async () => {
      const created = await http(`${t.api}/systems/`, {
        method: 'POST',
        json: { name: 'agent-1', organization: org, description: 'rack 4' },
      });
      expect(created.status).toBe(201);
      expect(created.body.system_key).toMatch(/^SYS-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      expect(created.body).toMatchObject({
        name: 'agent-1',
        status: 'unknown',
        suspended: false,
        resource: null,
      });
      expect(typeof created.body.secret).toBe('string');
      const stored = await t.pool.query(`SELECT secret_hash FROM systems WHERE id = $1`, [created.body.id]);
      expect(stored.rows[0].secret_hash).toMatch(/^sha256\$/);
      expect(stored.rows[0].secret_hash).not.toContain(created.body.secret);

      const detail = await http(`${t.api}/systems/${created.body.id}/`);
      expect(detail.status).toBe(200);
      expect(detail.body.secret).toBeUndefined();
      const list = await http(`${t.api}/systems/?organization=${org}`);
      expect(list.body.results.map((s: any) => s.name)).toEqual(['agent-1', 'debian-host']);
      expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
      const activity = await http(`${t.api}/activitystream/?object_type=system&object_id=${created.body.id}`);
      expect(activity.body.results.map((a: any) => a.operation)).toEqual(['create']);
      expect(JSON.stringify(activity.body)).not.toContain(created.body.secret);
    });

    it('rejects a duplicate name (400) and an unknown organization (400)', async () => {
      expect(
        (await http(`${t.api}/systems/`, { method: 'POST', json: { name: 'agent-1', organization: org } }))
          .status,
      ).toBe(400);
      expect(
        (await http(`${t.api}/systems/`, { method: 'POST', json: { name: 'x', organization: 999999 } }))
          .status,
      ).toBe(400);
      expect((await http(`${t.api}/systems/`, { method: 'POST', json: { name: 'x' } })).status).toBe(400);
    });

    it('regenerates the secret (the old one stops at once), suspends, resumes and deletes, each recorded', async () => {
      const s = await createSystem(t, org, 'agent-2');
      const body = { local_facts: { role: 'web' } };
      expect((await push(body, s.basic)).status).toBe(201);
      const regenerated = await http(`${t.api}/systems/${s.id}/regenerate-secret/`, { method: 'POST' });
      expect(regenerated.status).toBe(200);
      expect(regenerated.body.secret).not.toBe(s.secret);
      expect((await push(body, s.basic)).status).toBe(401);
      const fresh = `Basic ${Buffer.from(`${s.system_key}:${regenerated.body.secret}`).toString('base64')}`;
      expect((await push(body, fresh)).status).toBe(201);

      const suspended = await http(`${t.api}/systems/${s.id}/suspend/`, { method: 'POST' });
      expect(suspended.body).toMatchObject({ suspended: true });
      expect((await push(body, fresh)).status).toBe(403);
      const resumed = await http(`${t.api}/systems/${s.id}/resume/`, { method: 'POST' });
      expect(resumed.body).toMatchObject({ suspended: false, suspended_at: null });
      expect((await push(body, fresh)).status).toBe(201);

      expect((await http(`${t.api}/systems/${s.id}/`, { method: 'DELETE' })).status).toBe(204);
      expect((await http(`${t.api}/systems/${s.id}/`)).status).toBe(404);
      expect((await push(body, fresh)).status).toBe(401);
      const activity = await http(
        `${t.api}/activitystream/?object_type=system&object_id=${s.id}&ordering=timestamp`,
      );
      expect(activity.body.results.map((a: any) => a.operation)).toEqual([
        'create',
        'regenerate_secret',
        'suspend',
        'resume',
        'delete',
      ]);
      expect(JSON.stringify(activity.body)).not.toContain(regenerated.body.secret);
    });

    it('is scoped by organization: members read, only admins write; other organizations see a 404', async () => {
      const other = await createOrganization(t.pool, 'Other Push Org');
      const member = await t.createUser('push-member');
      const admin = await t.createUser('push-admin');
      const roles = await http(`${t.api}/role_definitions/?page_size=100`);
      const role = (name: string) => roles.body.results.find((r: any) => r.name === name);
      expect(role('Organization Admin').permissions).toEqual(
        expect.arrayContaining(['system.view', 'system.add', 'system.change']),
      );
      expect(role('Organization Member').permissions).toContain('system.view');
      expect(role('Platform Auditor').permissions).toContain('system.view');
      for (const [user, name] of [
        [member, 'Organization Member'],
        [admin, 'Organization Admin'],
      ] as const) {
        const res = await http(`${t.api}/role_user_assignments/`, {
          method: 'POST',
          json: { role_definition: role(name).id, user: user.id, object_id: String(org) },
        });
        expect(res.status).toBe(201);
      }
      const foreign = await createSystem(t, other, 'foreign');
      const memberList = await http(`${t.api}/systems/`, { as: member.bearer });
      expect(memberList.body.results.every((s: any) => s.organization === org)).toBe(true);
      expect((await http(`${t.api}/systems/${foreign.id}/`, { as: member.bearer })).status).toBe(404);
      expect(
        (
          await http(`${t.api}/systems/`, {
            method: 'POST',
            json: { name: 'm', organization: org },
            as: member.bearer,
          })
        ).status,
      ).toBe(403);
      expect(
        (await http(`${t.api}/systems/${system.id}/suspend/`, { method: 'POST', as: member.bearer })).status,
      ).toBe(403);
      const byAdmin = await http(`${t.api}/systems/`, {
        method: 'POST',
        json: { name: 'a', organization: org },
        as: admin.bearer,
      });
      expect(byAdmin.status).toBe(201);
      expect(
        (
          await http(`${t.api}/systems/`, {
            method: 'POST',
            json: { name: 'a', organization: other },
            as: admin.bearer,
          })
        ).status,
      ).toBe(400);

      // A user pushes with system.add on the organization named in ?organization=.
      const userPush = (as: string, query = `?organization=${org}`) =>
        http(`${t.api}/facts/${query}`, { method: 'POST', json: { local_facts: { by: 'user' } }, as });
      expect((await userPush(admin.bearer)).status).toBe(201);
      expect((await userPush(member.bearer)).status).toBe(403);
      expect((await userPush(admin.bearer, '')).status).toBe(400);
    });
  });

  describe('POST /facts/', () => {
    let resourceId: string;

    it('refuses missing or wrong credentials (401)', async () => {
      expect((await http(`${t.api}/facts/`, { method: 'POST', json: facts, anonymous: true })).status).toBe(
        401,
      );
      const wrong = `Basic ${Buffer.from(`${system.system_key}:nope`).toString('base64')}`;
      expect((await push(facts, wrong)).status).toBe(401);
      const unknown = `Basic ${Buffer.from('SYS-AAAA-AAAA-AAAA-AAAA:nope').toString('base64')}`;
      expect((await push(facts, unknown)).status).toBe(401);
    });

    it('stores real Ansible facts as a host resource of the push provider, normalized', async () => {
      const res = await push(facts);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ created: true, changed: true, changes: 0 });
      resourceId = res.body.resource;
      const resource = (await http(`${t.api}/resources/${resourceId}/`)).body;
      expect(resource).toMatchObject({
        name: facts.system_facts.hostname,
        canonical_id: facts.system_facts.machine_id, // product_uuid is "NA" in a container
        vendor_type: 'docker',
        resource_type_slug: 'container',
        os_type: 'linux',
        os_name: `Debian ${facts.system_facts.distribution_version}`,
        cpu_count: facts.system_facts.processor_vcpus,
        memory_mb: facts.system_facts.memtotal_mb,
        organization: org,
        state: 'running',
        seen_count: 1,
        provider_vendor: 'ansible',
      });
      expect(resource.ip_addresses).toEqual(expect.arrayContaining(facts.system_facts.all_ipv4_addresses));
      expect(resource.disk_gb).toBeGreaterThan(0);
      const provider = (await http(`${t.api}/providers/${resource.provider}/`)).body;
      expect(provider).toMatchObject({
        vendor: 'ansible',
        provider_type: 'facts',
        infrastructure: 'bare_metal',
      });
      const sys = (await http(`${t.api}/systems/${system.id}/`)).body;
      expect(sys).toMatchObject({ resource: resourceId, status: 'active' });
      expect(sys.last_heartbeat_at).not.toBeNull();
    });

    it('deduplicates an identical payload (and one differing only in volatile facts): only last_seen and seen_count move', async () => {
      const again = await push(facts);
      expect(again.body).toMatchObject({ resource: resourceId, created: false, changed: false, changes: 0 });
      const volatile = clone(facts);
      volatile.system_facts.uptime_seconds += 600;
      volatile.system_facts.date_time = { epoch: '1' };
      volatile.system_facts.memfree_mb = 1;
      for (const mount of volatile.system_facts.mounts) mount.size_available = 1;
      const third = await push(volatile);
      expect(third.body).toMatchObject({ resource: resourceId, changed: false });
      const snapshots = await http(`${t.api}/resources/${resourceId}/facts/`);
      expect(snapshots.body.count).toBe(1);
      expect(snapshots.body.results[0].system_facts).toBeUndefined();
      const withPayload = await http(`${t.api}/resources/${resourceId}/facts/?include=payload`);
      expect(withPayload.body.results[0].system_facts.hostname).toBe(facts.system_facts.hostname);
      expect((await http(`${t.api}/resources/${resourceId}/facts/?include=everything`)).status).toBe(400);
      const sightings = await http(`${t.api}/resources/${resourceId}/sightings/`);
      expect(sightings.body.count).toBe(3);
      const resource = (await http(`${t.api}/resources/${resourceId}/`)).body;
      expect(resource.seen_count).toBe(3);
      expect((await http(`${t.api}/resources/${resourceId}/changes/?source=fact_snapshot`)).body.count).toBe(
        0,
      );
      // The system's first push moved it unknown → active: an availability change of its host.
      const availability = await http(`${t.api}/resources/${resourceId}/changes/?source=heartbeat`);
      expect(availability.body.results).toEqual([
        expect.objectContaining({
          field_path: 'system.status',
          previous_value: 'unknown',
          current_value: 'active',
          category: 'availability',
        }),
      ]);
    });

    it('diffs a changed payload into categorized, severity-ranked changes with readable paths', async () => {
      const changed = clone(facts);
      const pkgs = changed.package_facts.packages;
      const [name] = Object.keys(pkgs).filter((n) => n.startsWith('openssl'));
      pkgs[name][0].version = '9.9.9-1';
      pkgs.nginx = [
        {
          name: 'nginx',
          version: '1.22.1-9',
          arch: 'amd64',
          source: 'apt',
          origin: 'Debian',
          category: 'httpd',
        },
      ];
      const removed = Object.keys(pkgs).find((n) => n.startsWith('adduser'))!;
      delete pkgs[removed];
      changed.system_facts.memtotal_mb += 2048;
      changed.system_facts.distribution_version = '12.12';
      changed.system_facts.kernel = '6.1.0-99-amd64';
      changed.system_facts.uptime_seconds = 1; // volatile: never a change
      const res = await push(changed);
      expect(res.body).toMatchObject({ resource: resourceId, changed: true });
      const all = (await http(`${t.api}/resources/${resourceId}/changes/?page_size=100&source=fact_snapshot`))
        .body.results;
      const byPath = Object.fromEntries(all.map((c: any) => [c.field_path, c]));
      expect(byPath[`packages.${name}.version`]).toMatchObject({
        change_type: 'modified',
        current_value: '9.9.9-1',
        category: 'security',
        severity: 'medium',
        source: 'fact_snapshot',
      });
      expect(byPath['packages.nginx']).toMatchObject({
        change_type: 'added',
        category: 'software',
        severity: 'low',
      });
      expect(byPath['packages.nginx'].current_value).toMatchObject({ version: '1.22.1-9' });
      expect(byPath[`packages.${removed}`]).toMatchObject({ change_type: 'removed', category: 'software' });
      expect(byPath.memtotal_mb).toMatchObject({ category: 'hardware', severity: 'high' });
      expect(byPath.distribution_version).toMatchObject({
        category: 'os',
        severity: 'medium',
        previous_value: facts.system_facts.distribution_version,
      });
      expect(byPath.kernel).toMatchObject({ category: 'os', severity: 'medium' });
      expect(all.some((c: any) => /uptime|date_time|memfree/.test(c.field_path))).toBe(false);
      expect(res.body.changes).toBe(all.length);
      const resource = (await http(`${t.api}/resources/${resourceId}/`)).body;
      expect(resource.memory_mb).toBe(facts.system_facts.memtotal_mb + 2048);
      expect(resource.os_name).toBe('Debian 12.12');
      const latest = await http(`${t.api}/resources/${resourceId}/facts/latest/`);
      expect(latest.body.system_facts.distribution_version).toBe('12.12');
      expect((await http(`${t.api}/resources/${resourceId}/facts/`)).body.count).toBe(2);

      const filtered = await http(
        `${t.api}/resource-changes/?resource=${resourceId}&category=os&severity=medium`,
      );
      expect(filtered.body.results.map((c: any) => c.field_path).sort()).toEqual([
        'distribution_version',
        'kernel',
      ]);
      const searched = await http(`${t.api}/resource-changes/?search=nginx`);
      expect(searched.body.results.map((c: any) => c.field_path)).toEqual(['packages.nginx']);
      const timeline = await http(`${t.api}/resources/${resourceId}/timeline/`);
      expect(timeline.body.count).toBe(1);
      expect(timeline.body.results[0]).toMatchObject({
        date: new Date().toISOString().slice(0, 10),
        changes: all.length + 1,
        highest_severity: 'high',
      });
      expect(timeline.body.results[0].severities.high).toBeGreaterThanOrEqual(1);
      expect(timeline.body.results[0].categories.software).toBeGreaterThanOrEqual(2);
    });

    it('an unchanged push of an inactive system still moves it back to active, with its availability change', async () => {
      await t.pool.query(`UPDATE systems SET status = 'inactive' WHERE id = $1`, [system.id]);
      const latest = (await http(`${t.api}/resources/${resourceId}/facts/latest/`)).body;
      const res = await push({ system_facts: latest.system_facts, package_facts: latest.package_facts });
      expect(res.body).toMatchObject({ resource: resourceId, changed: false });
      expect((await http(`${t.api}/systems/${system.id}/`)).body.status).toBe('active');
      const back = await http(
        `${t.api}/resources/${resourceId}/changes/?source=heartbeat&ordering=-detected_at`,
      );
      expect(back.body.results[0]).toMatchObject({ previous_value: 'inactive', current_value: 'active' });
    });

    it('accepts values as Ansible sends them (the omit placeholder) and missing parts', async () => {
      const s = await createSystem(t, org, 'omit-host');
      const res = await push(
        {
          system_facts: { hostname: 'omit-host' },
          package_facts: { packages: '__omit_place_holder__0123456789abcdef' },
        },
        s.basic,
      );
      expect(res.status).toBe(201);
      expect((await push({ system_facts: { hostname: 'omit-host' } }, s.basic)).status).toBe(201);
    });

    it('answers 400 naming the problem for unknown fields, non-objects, malformed JSON and empty documents', async () => {
      const unknown = await push({ system_facts: { a: 1 }, extra: {} });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.extra).toBeDefined();
      const notObject = await push({ system_facts: [1, 2] });
      expect(notObject.status).toBe(400);
      expect(notObject.body.errors.system_facts).toBeDefined();
      const nullPart = await push({ package_facts: null, system_facts: { a: 1 } });
      expect(nullPart.status).toBe(400);
      const empty = await push({ system_facts: {}, package_facts: {} });
      expect(empty.status).toBe(400);
      expect(empty.body.detail).toMatch(/non-empty/);
      const malformed = await http(`${t.api}/facts/`, {
        method: 'POST',
        body: '{"system_facts": {},}',
        headers: { 'content-type': 'application/json' },
        as: system.basic,
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.detail).toMatch(/JSON|Malformed/i);
      const array = await push([1]);
      expect(array.status).toBe(400);
    });

    it('finds a pushed host and the same VM collected from vCenter together by canonical_id', async () => {
      const uuid = '4211b0c2-5e7d-9a3f-1c2d-3e4f5a6b7c8d';
      const vcenter = await createProvider(t.pool, { organizationId: org, name: 'vc' });
      await createResource(t.pool, {
        providerId: vcenter,
        organizationId: org,
        type: 'virtual_machine',
        name: 'web01',
        canonicalId: uuid,
        vendorType: 'VirtualMachine',
      });
      const s = await createSystem(t, org, 'web01');
      const vm = clone(facts);
      vm.system_facts.product_uuid = uuid.toUpperCase();
      vm.system_facts.virtualization_type = 'VMware';
      vm.system_facts.virtualization_role = 'guest';
      vm.system_facts.hostname = 'web01';
      const res = await push(vm, s.basic);
      expect(res.status).toBe(201);
      const both = await http(`${t.api}/resources/?canonical_id=${uuid}`);
      expect(both.body.count).toBe(2);
      expect(both.body.results.map((r: any) => r.resource_type_slug).sort()).toEqual([
        'virtual_machine',
        'virtual_machine',
      ]);
      // The system's own host is found again even when its identity facts go missing.
      const noId = clone(vm);
      delete noId.system_facts.product_uuid;
      delete noId.system_facts.machine_id;
      expect((await push(noId, s.basic)).body.resource).toBe(res.body.resource);
    });
  });
});

describe('push body limits', () => {
  let t: TestApp;
  let system: TestSystem;
  beforeAll(async () => {
    t = await startTestApp({
      FACTS_MAX_BODY_MB: '2',
      FACTS_MAX_FIELD_MB: '1',
      FACTS_ANONYMOUS_ORGANIZATION: '1',
    });
    system = await createSystem(t, 1, 'big');
  });
  afterAll(async () => {
    await t.close();
  });
  const blob = (mb: number) => ({ blob: 'x'.repeat(Math.round(mb * 1024 * 1024)) });

  it('answers 413 for a field over FACTS_MAX_FIELD_MB', async () => {
    const res = await http(`${t.api}/facts/`, {
      method: 'POST',
      json: { system_facts: { hostname: 'big' }, local_facts: blob(1.2) },
      as: system.basic,
    });
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/local_facts/);
  });

  it('answers 413 for a body over FACTS_MAX_BODY_MB, on every push route, without reading it all', async () => {
    const body = JSON.stringify({
      system_facts: blob(0.9),
      package_facts: blob(0.9),
      local_facts: blob(0.9),
    });
    for (const url of [`${t.api}/facts/`, `${t.root}/v1/facts`, `${t.root}/api/systems/inventory`]) {
      const res = await http(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        as: system.basic,
      });
      expect({ url, status: res.status }).toEqual({ url, status: 413 });
    }
    // Under both limits: accepted.
    const ok = await http(`${t.api}/facts/`, {
      method: 'POST',
      json: { system_facts: blob(0.9), package_facts: blob(0.9) },
      as: system.basic,
    });
    expect(ok.status).toBe(201);
  });
});
