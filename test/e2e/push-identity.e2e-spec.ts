import { http, startTestApp, type TestApp } from '../support/app.js';
import { createOrganization } from '../support/factories.js';
import { clone, createSystem, loadDebianFacts } from '../support/facts.js';

/**
 * Which row a push writes is decided by who pushes, never by the identity the document
 * claims (issue #11 item 2); the collector agent's envelope and bare documents, and one
 * diff history per document kind (issue #12).
 */
describe('push identity and document kinds', () => {
  const facts = loadDebianFacts();
  let t: TestApp;
  let anonymousOrg: number;

  beforeAll(async () => {
    // Loopback is the trusted proxy here, so X-Forwarded-For plays hosts at other addresses.
    t = await startTestApp({
      FACTS_ANONYMOUS_ORGANIZATION: 'Anonymous Hosts',
      FACTS_RATE_LIMIT_MINUTES: '0',
      TRUSTED_PROXIES: '127.0.0.0/8,::1',
    });
    const { rows } = await t.pool.query<{ id: number }>(
      `SELECT id FROM organizations WHERE name = 'Anonymous Hosts'`,
    );
    anonymousOrg = rows[0].id;
  });
  afterAll(async () => {
    await t.close();
  });

  const anonymousPush = (from: string, body: unknown) =>
    fetch(`${t.root}/v1/facts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify(body),
    });
  const hostFacts = (hostname: string, productUuid: string) => {
    const f = clone(facts);
    f.system_facts.hostname = hostname;
    f.system_facts.fqdn = `${hostname}.example.com`;
    f.system_facts.product_uuid = productUuid;
    return f;
  };
  const resources = async (organization: number) =>
    (
      await t.pool.query<{ id: string; name: string; canonical_id: string | null; ems_ref: string }>(
        `SELECT id, name, canonical_id, ems_ref FROM resources WHERE organization_id = $1 ORDER BY first_discovered_at, id`,
        [organization],
      )
    ).rows;

  it('an anonymous push with another host’s product_uuid does not take that host over', async () => {
    const uuid = '4c4c4544-0042-3510-8052-b2c04f4e3132';
    expect((await anonymousPush('198.51.100.1', hostFacts('victim', uuid))).status).toBe(201);
    expect((await anonymousPush('198.51.100.2', hostFacts('attacker', uuid))).status).toBe(201);
    const rows = await resources(anonymousOrg);
    const victim = rows.find((r) => r.ems_ref === 'address:198.51.100.1');
    const attacker = rows.find((r) => r.ems_ref === 'address:198.51.100.2');
    expect(victim).toMatchObject({ name: 'victim', canonical_id: uuid });
    expect(attacker).toMatchObject({ name: 'attacker', canonical_id: uuid });
    // The claimed canonical_id is stored and searchable (the cross-provider lookup), it selects nothing.
    const found = await http(`${t.api}/resources/?canonical_id=${uuid}&organization=${anonymousOrg}`);
    expect(found.body.count).toBe(2);
  });

  it('a push with only local_facts from the same address writes the same host, keeping its facts', async () => {
    const address = '198.51.100.3';
    expect(
      (await anonymousPush(address, hostFacts('lonely', 'a1b2c3d4-0000-4000-8000-000000000003'))).status,
    ).toBe(201);
    const before = await resources(anonymousOrg);
    expect((await anonymousPush(address, { local_facts: { role: { tier: 'web' } } })).status).toBe(201);
    const after = await resources(anonymousOrg);
    expect(after).toHaveLength(before.length);
    const host = after.find((r) => r.ems_ref === `address:${address}`)!;
    expect(host.name).toBe('lonely');
    const snapshots = await t.pool.query<{ system_facts: Record<string, unknown>; local_facts: unknown }>(
      `SELECT system_facts, local_facts FROM fact_snapshots WHERE resource_id = $1 ORDER BY received_at DESC, id DESC`,
      [host.id],
    );
    expect(snapshots.rows).toHaveLength(2);
    // The parts left out carried over: the latest snapshot still has the system facts.
    expect(snapshots.rows[0].system_facts.hostname).toBe('lonely');
    expect(snapshots.rows[0].local_facts).toEqual({ role: { tier: 'web' } });
    const changes = await t.pool.query<{ field_path: string; change_type: string }>(
      `SELECT field_path, change_type FROM resource_changes WHERE resource_id = $1`,
      [host.id],
    );
    expect(changes.rows).toEqual([{ field_path: 'local_facts', change_type: 'added' }]);
  });

  it('a system writes only its own host, whatever product_uuid it claims', async () => {
    const org = await createOrganization(t.pool);
    const first = await createSystem(t, org, 'first');
    const second = await createSystem(t, org, 'second');
    const uuid = 'a1b2c3d4-0000-4000-8000-0000000000aa';
    const push = (system: { basic: string }, body: unknown) =>
      http(`${t.api}/facts/`, { method: 'POST', json: body, as: system.basic });
    expect((await push(first, hostFacts('first-host', uuid))).status).toBe(201);
    expect((await push(second, hostFacts('impostor', uuid))).status).toBe(201);
    const rows = await resources(org);
    expect(rows.map((r) => [r.ems_ref, r.name])).toEqual([
      [`system:${first.id}`, 'first-host'],
      [`system:${second.id}`, 'impostor'],
    ]);
    const systems = await t.pool.query<{ id: string; resource_id: string }>(
      `SELECT id, resource_id FROM systems WHERE organization_id = $1 ORDER BY name`,
      [org],
    );
    expect(systems.rows.map((s) => s.resource_id)).toEqual(rows.map((r) => r.id));
  });

  it('a user’s push names its host by FQDN; a claimed product_uuid selects nothing', async () => {
    const org = await createOrganization(t.pool);
    const uuid = 'a1b2c3d4-0000-4000-8000-0000000000bb';
    const push = (body: unknown) =>
      http(`${t.api}/facts/?organization=${org}`, { method: 'POST', json: body, as: t.admin.basic });
    expect((await push(hostFacts('one', uuid))).status).toBe(201);
    expect((await push(hostFacts('two', uuid))).status).toBe(201);
    // Local facts alone from the same client: the host last pushed from this address.
    expect((await push({ local_facts: { owner: 'ops' } })).status).toBe(201);
    const rows = await resources(org);
    expect(rows.map((r) => [r.ems_ref, r.name])).toEqual([
      ['host:one.example.com', 'one'],
      ['host:two.example.com', 'two'],
    ]);
  });

  describe('the collector agent (POST /api/systems/inventory)', () => {
    let org: number;
    let system: { id: string; basic: string };
    const agentPush = (body: unknown) =>
      fetch(`${t.root}/api/systems/inventory`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: system.basic },
        body: JSON.stringify(body),
      });

    beforeAll(async () => {
      org = await createOrganization(t.pool);
      system = await createSystem(t, org, 'agent-host');
    });

    it('stores the envelope’s data as the document and keeps what the host’s Ansible facts said', async () => {
      const uuid = 'a1b2c3d4-0000-4000-8000-0000000000cc';
      const ansible = hostFacts('enrolled', uuid);
      expect(
        (await http(`${t.api}/facts/`, { method: 'POST', json: ansible, as: system.basic })).status,
      ).toBe(201);
      // The seed document's example, verbatim.
      const response = await agentPush({
        system_id: 'test',
        timestamp: '2025-07-13T10:00:00Z',
        data: { os: { name: 'TestOS' } },
      });
      expect(response.status).toBe(202);
      const [host] = await resources(org);
      // Not renamed to the client address, canonical_id not wiped.
      expect(host).toMatchObject({ name: 'enrolled', canonical_id: uuid, ems_ref: `system:${system.id}` });
      const snapshots = await t.pool.query<{ kind: string; system_facts: unknown }>(
        `SELECT kind, system_facts FROM fact_snapshots WHERE resource_id = $1 ORDER BY received_at, id`,
        [host.id],
      );
      expect(snapshots.rows.map((s) => s.kind)).toEqual(['ansible', 'agent']);
      // The envelope's keys are not facts.
      expect(snapshots.rows[1].system_facts).toEqual({ os: { name: 'TestOS' } });
      const latestAgent = await http(`${t.api}/resources/${host.id}/facts/latest/?kind=agent`);
      expect(latestAgent.body).toMatchObject({ kind: 'agent', system_facts: { os: { name: 'TestOS' } } });
      const listed = await http(`${t.api}/resources/${host.id}/facts/?kind=ansible`);
      expect(listed.body.results.map((r: { kind: string }) => r.kind)).toEqual(['ansible']);
      expect((await http(`${t.api}/resources/${host.id}/facts/latest/?kind=nope`)).status).toBe(400);

      // Switching kinds does not diff one against the other: no "product_uuid removed".
      expect(
        (await http(`${t.api}/facts/`, { method: 'POST', json: ansible, as: system.basic })).status,
      ).toBe(201);
      expect((await agentPush({ os: { name: 'TestOS' } })).status).toBe(202);
      const switched = await t.pool.query(
        `SELECT source, field_path, change_type FROM resource_changes WHERE resource_id = $1 AND source = 'fact_snapshot'`,
        [host.id],
      );
      expect(switched.rows).toEqual([]);

      // A bare document is the other form agents send; it is diffed against the previous agent document.
      expect((await agentPush({ os: { name: 'TestOS 2' } })).status).toBe(202);
      const changes = await t.pool.query<{
        field_path: string;
        previous_value: unknown;
        current_value: unknown;
      }>(
        `SELECT field_path, previous_value, current_value FROM resource_changes WHERE resource_id = $1 AND source = 'fact_snapshot'`,
        [host.id],
      );
      expect(changes.rows).toEqual([
        { field_path: 'os.name', previous_value: 'TestOS', current_value: 'TestOS 2' },
      ]);
      expect((await resources(org)).length).toBe(1);
    });

    it('answers 400 for bodies that are not an inventory', async () => {
      for (const body of [[], 'text', { system_id: 'x', data: {} }, { system_id: 'x', data: 'nope' }, {}]) {
        const response = await agentPush(body);
        expect(response.status).toBe(400);
        expect(((await response.json()) as { detail: unknown }).detail).toEqual(expect.any(String));
      }
    });
  });
});
