import { Logger } from '@nestjs/common';
import { HeartbeatsService } from '../../src/facts/heartbeats.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { createOrganization } from '../support/factories.js';
import { createSystem, loadDebianFacts } from '../support/facts.js';

/** Raw fetch: these protocols are compared byte for byte. */
async function raw(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}
const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});

describe('fact_inventory compatibility (POST /v1/facts, /fact_inventory/v1/facts)', () => {
  const facts = loadDebianFacts();

  it('refuses anonymous pushes (401) when FACTS_ANONYMOUS_ORGANIZATION is unset', async () => {
    const t = await startTestApp();
    try {
      const res = await raw(`${t.root}/v1/facts`, json(facts));
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text).detail).toMatch(/FACTS_ANONYMOUS_ORGANIZATION/);
    } finally {
      await t.close();
    }
  });

  describe('with an anonymous organization', () => {
    let t: TestApp;
    let org: number;
    // What the services log at info while the app starts (the creation is said there).
    const logged: string[] = [];
    const original = Object.getOwnPropertyDescriptor(Logger.prototype, 'log')!;
    beforeAll(async () => {
      const log = original.value as (this: Logger, message: unknown, ...rest: unknown[]) => void;
      Logger.prototype.log = function (this: Logger, message: unknown, ...rest: unknown[]) {
        logged.push(String(message));
        return log.call(this, message, ...rest);
      };
      try {
        t = await startTestApp({
          FACTS_ANONYMOUS_ORGANIZATION: 'Anonymous Hosts',
          FACTS_RATE_LIMIT_MINUTES: '30',
        });
      } finally {
        Object.defineProperty(Logger.prototype, 'log', original);
      }
      // Created at start, since it did not exist.
      const { rows } = await t.pool.query<{ id: number }>(
        `SELECT id FROM organizations WHERE name = 'Anonymous Hosts'`,
      );
      org = rows[0].id;
    });
    afterAll(async () => {
      await t.close();
    });

    it('created the organization FACTS_ANONYMOUS_ORGANIZATION names at start, recorded as done by the service', async () => {
      const entries = await http(`${t.api}/activitystream/?object_type=organization&object_id=${org}`);
      expect(entries.body.results).toMatchObject([
        { operation: 'create', actor: null, actor_username: 'system', object_repr: 'Anonymous Hosts' },
      ]);
      expect(logged).toContain(
        `Created organization "Anonymous Hosts" (id ${org}) for anonymous pushes (FACTS_ANONYMOUS_ORGANIZATION)`,
      );
    });

    it('accepts one submission per client address per window: 201 with an empty body, then 429 as text', async () => {
      const first = await raw(`${t.root}/v1/facts`, json(facts));
      expect(first.status).toBe(201);
      expect(first.text).toBe('');
      const second = await raw(`${t.root}/fact_inventory/v1/facts/`, json(facts));
      expect(second.status).toBe(429);
      expect(second.text).toBe('Rate limit exceeded. Wait 30 minutes.');
      expect(second.headers.get('content-type')).toMatch(/^text\/plain/);
      const retryAfter = Number(second.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(1790);
      expect(retryAfter).toBeLessThanOrEqual(1800);
      // A spoofed forwarding header from an untrusted peer does not open a new bucket.
      const spoofed = await raw(
        `${t.root}/v1/facts/`,
        json(facts, { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.10' }),
      );
      expect(spoofed.status).toBe(429);

      const hosts = await http(`${t.api}/resources/?organization=${org}`);
      expect(hosts.body.count).toBe(1);
      const snapshots = await t.pool.query(
        `SELECT client_address FROM fact_snapshots WHERE organization_id = $1`,
        [org],
      );
      expect(snapshots.rows).toEqual([{ client_address: '127.0.0.1' }]);
    });

    it('shares the limit between replicas: its state is one PostgreSQL row per address', async () => {
      const rows = await t.pool.query(`SELECT bucket FROM push_rate_limits`);
      expect(rows.rows).toEqual([{ bucket: '127.0.0.1' }]);
      // A second app (another replica) on the same database refuses the same address.
      const replica = await startTestApp({
        DATABASE_URL: t.db.url,
        FACTS_ANONYMOUS_ORGANIZATION: 'Anonymous Hosts',
      });
      try {
        expect((await raw(`${replica.root}/v1/facts`, json(facts))).status).toBe(429);
      } finally {
        await replica.app.close();
        await replica.pool.end();
      }
      // When the window has passed, the next submission is accepted.
      await t.pool.query(`UPDATE push_rate_limits SET last_accepted_at = now() - interval '31 minutes'`);
      expect((await raw(`${t.root}/v1/facts`, json(facts))).status).toBe(201);
      expect((await raw(`${t.root}/v1/facts`, json(facts))).status).toBe(429);
    });

    it('lets exactly one of many concurrent submissions of one address through', async () => {
      await t.pool.query(`UPDATE push_rate_limits SET last_accepted_at = now() - interval '31 minutes'`);
      const statuses = await Promise.all(
        Array.from({ length: 8 }, () => raw(`${t.root}/v1/facts`, json(facts)).then((r) => r.status)),
      );
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    });

    it('answers 400 for bad bodies, like the native endpoint', async () => {
      // Inside its window an address gets 429 before its body is read: open the window first.
      await t.pool.query(`UPDATE push_rate_limits SET last_accepted_at = now() - interval '31 minutes'`);
      expect((await raw(`${t.root}/v1/facts`, json({ system_facts: {}, package_facts: {} }))).status).toBe(
        400,
      );
      expect((await raw(`${t.root}/v1/facts`, json({ nope: {} }))).status).toBe(400);
    });
  });

  it('believes X-Forwarded-For / X-Real-IP only from TRUSTED_PROXIES', async () => {
    const t = await startTestApp({ FACTS_ANONYMOUS_ORGANIZATION: '1', TRUSTED_PROXIES: '127.0.0.0/8, ::1' });
    try {
      const a = await raw(
        `${t.root}/v1/facts`,
        json(facts, { 'x-forwarded-for': '198.51.100.7, 127.0.0.1' }),
      );
      expect(a.status).toBe(201);
      const b = await raw(`${t.root}/v1/facts`, json(facts, { 'x-real-ip': '198.51.100.8' }));
      expect(b.status).toBe(201);
      expect(
        (await raw(`${t.root}/v1/facts`, json(facts, { 'x-forwarded-for': '198.51.100.7' }))).status,
      ).toBe(429);
      const addresses = await t.pool.query(`SELECT bucket FROM push_rate_limits ORDER BY bucket`);
      expect(addresses.rows.map((r) => r.bucket)).toEqual(['198.51.100.7', '198.51.100.8']);
      expect((await raw(`${t.root}/v1/facts`, json(facts, { 'x-forwarded-for': 'garbage' }))).status).toBe(
        400,
      );
    } finally {
      await t.close();
    }
  });
});

describe('collector-agent compatibility (/api/systems/inventory, /api/systems/heartbeat)', () => {
  let t: TestApp;
  let org: number;
  beforeAll(async () => {
    t = await startTestApp();
    org = await createOrganization(t.pool, 'Agents');
  });
  afterAll(async () => {
    await t.close();
  });
  const basic = (key: string, secret: string) =>
    `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

  it('takes an inventory (202) and a heartbeat (200) in the agent’s envelope', async () => {
    const s = await createSystem(t, org, 'agent-host');
    const body = {
      system_id: 'test',
      timestamp: '2025-07-13T10:00:00Z',
      data: {
        os: { name: 'Rocky', release: { full: '9.4' }, family: 'RedHat' },
        networking: { hostname: 'agent-host', fqdn: 'agent-host.example.com', ip: '10.1.2.3' },
        dmi: { product: { uuid: 'A1B2C3D4-0000-4000-8000-000000000001' } },
        processors: { count: 8 },
        memory: { system: { total_bytes: 17179869184 } },
        kernel: 'Linux',
        is_virtual: true,
        virtual: 'kvm',
      },
    };
    const text = JSON.stringify(body);
    const res = await raw(`${t.root}/api/systems/inventory`, {
      method: 'POST',
      body: text,
      headers: { 'content-type': 'application/json', authorization: s.basic },
    });
    expect(res.status).toBe(202);
    const answer = JSON.parse(res.text);
    expect(Object.keys(answer)).toEqual(['code', 'message', 'data']);
    expect(Object.keys(answer.data)).toEqual(['system_id', 'timestamp', 'data_size', 'queue_status']);
    expect(answer).toMatchObject({
      code: 202,
      message: 'Inventory received and queued for processing',
      data: { system_id: s.id, data_size: Buffer.byteLength(text), queue_status: 'queued' },
    });
    expect(res.text).toBe(JSON.stringify(answer));
    const resource = (await http(`${t.api}/resources/?canonical_id=a1b2c3d4-0000-4000-8000-000000000001`))
      .body.results[0];
    expect(resource).toMatchObject({
      name: 'agent-host',
      fqdn: 'agent-host.example.com',
      os_name: 'Rocky 9.4',
      os_type: 'linux',
      cpu_count: 8,
      memory_mb: 16384,
      resource_type_slug: 'virtual_machine',
    });

    const beat = await raw(`${t.root}/api/systems/heartbeat`, {
      method: 'POST',
      headers: { authorization: s.basic },
    });
    expect(beat.status).toBe(200);
    const ack = JSON.parse(beat.text);
    expect(ack).toEqual({
      code: 200,
      message: 'heartbeat acknowledged',
      data: { system_key: s.system_key, acknowledged: true, last_heartbeat: expect.any(String) },
    });
    expect(beat.text).toBe(
      `{"code":200,"message":"heartbeat acknowledged","data":{"system_key":"${s.system_key}","acknowledged":true,"last_heartbeat":"${ack.data.last_heartbeat}"}}`,
    );
    const system = (await http(`${t.api}/systems/${s.id}/`)).body;
    expect(system).toMatchObject({ status: 'active', last_heartbeat_at: ack.data.last_heartbeat });
  });

  it('refuses unknown systems (401) and suspended ones (403)', async () => {
    const s = await createSystem(t, org, 'suspended-agent');
    for (const path of ['/api/systems/heartbeat', '/api/systems/inventory']) {
      const init = { method: 'POST', body: '{"data":{}}', headers: { 'content-type': 'application/json' } };
      expect((await raw(`${t.root}${path}`, init)).status).toBe(401);
      expect(
        (
          await raw(`${t.root}${path}`, {
            ...init,
            headers: { ...init.headers, authorization: basic('SYS-NONE-NONE-NONE-NONE', 'x') },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await raw(`${t.root}${path}`, {
            ...init,
            headers: { ...init.headers, authorization: basic(s.system_key, 'wrong') },
          })
        ).status,
      ).toBe(401);
    }
    await http(`${t.api}/systems/${s.id}/suspend/`, { method: 'POST' });
    expect(
      (await raw(`${t.root}/api/systems/heartbeat/`, { method: 'POST', headers: { authorization: s.basic } }))
        .status,
    ).toBe(403);
  });

  it('moves systems unknown → active → inactive → active, each transition a change of the host', async () => {
    const s = await createSystem(t, org, 'state-machine');
    expect((await http(`${t.api}/systems/${s.id}/`)).body.status).toBe('unknown');
    const heartbeat = () =>
      raw(`${t.root}/api/systems/heartbeat`, { method: 'POST', headers: { authorization: s.basic } });
    expect((await heartbeat()).status).toBe(200);
    expect((await http(`${t.api}/systems/${s.id}/`)).body.status).toBe('active');
    // Link a host so transitions are recorded against it.
    const push = await http(`${t.api}/facts/`, {
      method: 'POST',
      json: { system_facts: { hostname: 'state-machine' } },
      as: s.basic,
    });
    expect(push.status).toBe(201);
    const heartbeats = t.app.get(HeartbeatsService);
    expect(await heartbeats.markSilentSystemsInactive()).toBe(0);
    await t.pool.query(`UPDATE systems SET last_heartbeat_at = now() - interval '21 minutes' WHERE id = $1`, [
      s.id,
    ]);
    expect(await heartbeats.markSilentSystemsInactive()).toBe(1);
    expect((await http(`${t.api}/systems/${s.id}/`)).body.status).toBe('inactive');
    expect(await heartbeats.markSilentSystemsInactive()).toBe(0);
    expect((await heartbeat()).status).toBe(200);
    expect((await http(`${t.api}/systems/${s.id}/`)).body.status).toBe('active');
    const changes = await http(
      `${t.api}/resources/${push.body.resource}/changes/?source=heartbeat&ordering=detected_at`,
    );
    expect(
      changes.body.results.map((c: any) => [c.previous_value, c.current_value, c.category, c.severity]),
    ).toEqual([
      ['active', 'inactive', 'availability', 'high'],
      ['inactive', 'active', 'availability', 'info'],
    ]);
    const stale = await http(`${t.api}/systems/?status=inactive`);
    expect(stale.body.results.map((x: any) => x.id)).not.toContain(s.id);
  });
});
