import { connect } from 'node:net';
import { JobScheduler } from '../../src/retention/job-scheduler.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { createOrganization } from '../support/factories.js';
import { createSystem, loadDebianFacts } from '../support/facts.js';

const BODY_BYTES = 8 * 1024 * 1024;

/**
 * Sends a request head announcing an 8 MB JSON body and only its first bytes, then
 * waits for the answer. A server that reads the body before deciding never answers
 * (the body never completes); one that checks credentials and the rate limit first
 * answers at once. Resolves with the status code and the raw answer.
 */
function headOnly(
  root: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(root);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${path} within 10 s: the body was awaited`));
    }, 10_000);
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      const end = answer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /content-length:\s*(\d+)/i.exec(answer.slice(0, end));
      if (length && Buffer.byteLength(answer.slice(end + 4)) < Number(length[1])) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(answer.split(' ')[1]), text: answer.slice(end + 4) });
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const head = [
      `POST ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Content-Type: application/json',
      `Content-Length: ${BODY_BYTES}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      '',
      '',
    ].join('\r\n');
    socket.write(head + '{"system_facts": {"hostname": "');
  });
}

/** Credentials and the rate limit are checked before a push body is read (issue #11 items 3 and 5). */
describe('the push gate', () => {
  const facts = loadDebianFacts();
  let t: TestApp;
  let org: number;

  beforeAll(async () => {
    t = await startTestApp({
      FACTS_ANONYMOUS_ORGANIZATION: 'Gate Hosts',
      FACTS_RATE_LIMIT_MINUTES: '30',
      TRUSTED_PROXIES: '127.0.0.0/8,::1',
    });
    org = await createOrganization(t.pool);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a push without valid credentials before reading its body', async () => {
    const missing = await headOnly(t.root, '/api/inventory/v1/facts/');
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.text).detail).toEqual(expect.any(String));
    const wrongSystem = `Basic ${Buffer.from('SYS-AAAA-BBBB-CCCC-DDDD:wrong').toString('base64')}`;
    expect((await headOnly(t.root, '/api/inventory/v1/facts/', { Authorization: wrongSystem })).status).toBe(
      401,
    );
    expect((await headOnly(t.root, '/api/systems/inventory', { Authorization: wrongSystem })).status).toBe(
      401,
    );
    expect((await headOnly(t.root, '/api/systems/inventory', { Authorization: t.admin.basic })).status).toBe(
      401,
    );
  });

  it('checks a user’s organization and system.add before reading the body', async () => {
    expect(
      (await headOnly(t.root, '/api/inventory/v1/facts/', { Authorization: t.admin.basic })).status,
    ).toBe(400);
    const member = await t.createUser('gate-member');
    expect(
      (
        await headOnly(t.root, `/api/inventory/v1/facts/?organization=${org}`, {
          Authorization: member.basic,
        })
      ).status,
    ).toBe(403);
  });

  it('answers an anonymous push inside its window with 429 before reading its body', async () => {
    const from = { 'X-Forwarded-For': '198.51.100.20' };
    const first = await fetch(`${t.root}/v1/facts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.20' },
      body: JSON.stringify(facts),
    });
    expect(first.status).toBe(201);
    const second = await headOnly(t.root, '/v1/facts', from);
    expect(second.status).toBe(429);
    expect(second.text).toBe('Rate limit exceeded. Wait 30 minutes.');
  });

  it('gives IPv6 clients one bucket per /64', async () => {
    const push = (from: string) =>
      fetch(`${t.root}/fact_inventory/v1/facts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify(facts),
      }).then((r) => r.status);
    expect(await push('2001:db8:aa:1::10')).toBe(201);
    expect(await push('2001:db8:aa:1:ffff:1234:5678:9')).toBe(429);
    expect(await push('2001:db8:aa:2::10')).toBe(201);
    const buckets = await t.pool.query<{ bucket: string }>(
      `SELECT bucket FROM push_rate_limits WHERE bucket LIKE '2001:db8:aa:%' ORDER BY bucket`,
    );
    expect(buckets.rows.map((r) => r.bucket)).toEqual([
      '2001:db8:aa:1:0:0:0:0/64',
      '2001:db8:aa:2:0:0:0:0/64',
    ]);
  });

  it('still stores pushes with valid credentials, and a system’s agent inventory', async () => {
    const system = await createSystem(t, org, 'gated');
    const pushed = await http(`${t.api}/facts/`, { method: 'POST', json: facts, as: system.basic });
    expect(pushed.status).toBe(201);
    const agent = await fetch(`${t.root}/api/systems/inventory`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: system.basic },
      body: JSON.stringify({
        system_id: system.id,
        timestamp: new Date().toISOString(),
        data: { os: { name: 'X' } },
      }),
    });
    expect(agent.status).toBe(202);
    const user = await http(`${t.api}/facts/?organization=${org}`, {
      method: 'POST',
      json: facts,
      as: t.admin.basic,
    });
    expect(user.status).toBe(201);
  });

  it('prunes rate-limit rows whose window has passed (push-rate-limit-pruning)', async () => {
    await t.pool.query(
      `INSERT INTO push_rate_limits (bucket, last_accepted_at) VALUES
         ('203.0.113.1', now() - interval '2 hours'), ('203.0.113.2', now() - interval '31 minutes'),
         ('203.0.113.3', now())`,
    );
    const job = t.app.get(JobScheduler).jobs.find((j) => j.name === 'push-rate-limit-pruning')!;
    const result = (await job.run()) as { rate_limits_deleted: number };
    expect(result.rate_limits_deleted).toBeGreaterThanOrEqual(2);
    const left = await t.pool.query<{ bucket: string }>(
      `SELECT bucket FROM push_rate_limits WHERE bucket LIKE '203.0.113.%'`,
    );
    expect(left.rows).toEqual([{ bucket: '203.0.113.3' }]);
  });
});
