import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import {
  createCollectionRun,
  createOrganization,
  createResource,
  createSightings,
} from '../support/factories.js';

describe('providers CRUD', () => {
  let t: TestApp;
  let org: number;
  beforeAll(async () => {
    t = await startTestApp();
    org = await createOrganization(t.pool, 'Providers Test Org');
  });
  afterAll(async () => {
    await t.close();
  });

  const body = (overrides: Record<string, unknown> = {}) => ({
    name: 'Home Lab vCenter',
    vendor: 'vmware',
    provider_type: 'vcenter',
    infrastructure: 'private_cloud',
    organization: org,
    endpoint: '192.168.0.195',
    connection_config: {
      username: 'administrator@vsphere.local',
      password: 'secret',
      port: 443,
      verify_ssl: false,
    },
    ...overrides,
  });

  it('creates a provider (the seed quick-start body), masks secrets and encrypts them at rest', async () => {
    const res = await http(`${t.api}/providers/`, { method: 'POST', json: body() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Home Lab vCenter',
      organization: org,
      organization_name: 'Providers Test Org',
      plugin: 'vmware:vcenter',
      enabled: true,
      last_collection_at: null,
      connection_config: {
        username: 'administrator@vsphere.local',
        password: '$encrypted$',
        port: 443,
        verify_ssl: false,
      },
    });
    expect(JSON.stringify(res.body)).not.toContain('"secret"');
    const stored = await t.pool.query(`SELECT connection_config FROM providers WHERE id = $1`, [res.body.id]);
    const password = stored.rows[0].connection_config.password;
    expect(SecretBox.isSealed(password)).toBe(true);
    expect(t.secretBox.open(password, `provider:${res.body.id}:connection_config.password`)).toBe('secret');

    const detail = await http(`${t.api}/providers/${res.body.id}/`);
    expect(detail.body.connection_config.password).toBe('$encrypted$');
    const list = await http(`${t.api}/providers/?organization=${org}`);
    expect(list.body.results[0].connection_config.password).toBe('$encrypted$');
  });

  it('rejects a duplicate name in the same organization with a field message, but allows it in another', async () => {
    const dup = await http(`${t.api}/providers/`, { method: 'POST', json: body() });
    expect(dup.status).toBe(400);
    expect(dup.body.errors.name[0]).toMatch(/already exists/);
    const other = await createOrganization(t.pool);
    const ok = await http(`${t.api}/providers/`, { method: 'POST', json: body({ organization: other }) });
    expect(ok.status).toBe(201);
  });

  it('validates required fields, enums, types and unknown fields, writing nothing', async () => {
    const before = (await t.pool.query(`SELECT count(*)::int AS n FROM providers`)).rows[0].n;
    const cases: [Record<string, unknown>, string][] = [
      [{ name: undefined }, 'name'],
      [{ name: '' }, 'name'],
      [{ infrastructure: 'moon_base' }, 'infrastructure'],
      [{ organization: 'one' }, 'organization'],
      [{ organization: 999999 }, 'organization'],
      [{ vendor: 'VMware Inc' }, 'vendor'],
      [{ connection_config: ['a'] }, 'connection_config'],
      [{ connection_config: 'password=x' }, 'connection_config'],
      [{ enabled: 'yes' }, 'enabled'],
      [{ surprise: true }, 'surprise'],
      [{ connection_config: { username: 'u', password: '$encrypted$' } }, 'connection_config.password'],
      [{ connection_config: { username: 'u' } }, 'connection_config.password'],
      [{ connection_config: { username: 'u', password: 'p', port: 'https' } }, 'connection_config.port'],
      [{ endpoint: '' }, 'endpoint'],
      [{ provider_type: 'nosuchplugin' }, 'provider_type'],
      [{ schedule: 'every tuesday' }, 'schedule'],
      [{ schedule: '30' }, 'schedule'],
    ];
    for (const [overrides, field] of cases) {
      const res = await http(`${t.api}/providers/`, {
        method: 'POST',
        json: body({ name: `v-${field}`, ...overrides }),
      });
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect({ field, named: Object.keys(res.body.errors ?? {}) }).toEqual({
        field,
        named: expect.arrayContaining([field]),
      });
      expect(typeof res.body.detail).toBe('string');
    }
    const after = (await t.pool.query(`SELECT count(*)::int AS n FROM providers`)).rows[0].n;
    expect(after).toBe(before);
  });

  it('says "is required" for missing required fields', async () => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: { vendor: 'vmware', provider_type: 'vcenter-lab', organization: org },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toMatchObject({
      name: ['name is required.'],
      infrastructure: ['infrastructure is required.'],
    });
  });

  it('takes the organization by name, and defaults it when the caller belongs to exactly one', async () => {
    const byName = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: body({ name: 'by-org-name', organization: 'Providers Test Org' }),
    });
    expect(byName.status).toBe(201);
    expect(byName.body).toMatchObject({ organization: org, organization_name: 'Providers Test Org' });
    const unknown = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: body({ name: 'by-bad-name', organization: 'No Such Org' }),
    });
    expect(unknown.body.errors).toEqual({ organization: ['No organization is named "No Such Org".'] });

    // The superuser sees several organizations here: it must say which.
    const ambiguous = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: body({ name: 'no-org', organization: undefined }),
    });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.errors.organization[0]).toMatch(/^organization is required/);

    // An organization admin of exactly one organization gets it by default.
    const admin = await t.createUser('only-one-org-admin');
    const { rows } = await t.pool.query<{ id: number }>(
      `SELECT id FROM role_definitions WHERE name = 'Organization Admin'`,
    );
    await t.pool.query(
      `INSERT INTO role_assignments (role_definition_id, user_id, object_type, object_id) VALUES ($1, $2, 'organization', $3)`,
      [rows[0].id, admin.id, String(org)],
    );
    const defaulted = await http(`${t.api}/providers/`, {
      method: 'POST',
      as: admin.bearer,
      json: body({ name: 'defaulted-org', organization: undefined }),
    });
    expect(defaulted.status).toBe(201);
    expect(defaulted.body.organization).toBe(org);

    // /users/me/ says which roles the caller holds (and a user without any sees that it has none).
    const me = await http(`${t.api}/users/me/`, { as: admin.bearer });
    expect(me.body.roles).toEqual([
      {
        role: 'Organization Admin',
        role_definition: rows[0].id,
        object_type: 'organization',
        object_id: String(org),
        object_name: 'Providers Test Org',
        via_team: null,
      },
    ]);
    const nobody = await t.createUser('no-roles-yet');
    expect((await http(`${t.api}/users/me/`, { as: nobody.bearer })).body.roles).toEqual([]);
  });

  it('answers 400 to malformed JSON and to a body that is not an object', async () => {
    const malformed = await http(`${t.api}/providers/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toBeDefined();
    const array = await http(`${t.api}/providers/`, { method: 'POST', json: [body()] });
    expect(array.status).toBe(400);
  });

  it('patches some fields, keeps secrets when the mask is sent back, and replaces them when a value is sent', async () => {
    const created = await http(`${t.api}/providers/`, { method: 'POST', json: body({ name: 'Patch me' }) });
    const id = created.body.id;
    const patched = await http(`${t.api}/providers/${id}/`, {
      method: 'PATCH',
      json: { enabled: false, connection_config: { ...created.body.connection_config, port: 8443 } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      enabled: false,
      name: 'Patch me',
      connection_config: { port: 8443, password: '$encrypted$' },
    });
    let stored = (await t.pool.query(`SELECT connection_config FROM providers WHERE id = $1`, [id])).rows[0]
      .connection_config;
    expect(t.secretBox.open(stored.password, `provider:${id}:connection_config.password`)).toBe('secret');

    await http(`${t.api}/providers/${id}/`, {
      method: 'PATCH',
      json: { connection_config: { username: 'administrator@vsphere.local', password: 'rotated' } },
    });
    stored = (await t.pool.query(`SELECT connection_config FROM providers WHERE id = $1`, [id])).rows[0]
      .connection_config;
    expect(t.secretBox.open(stored.password, `provider:${id}:connection_config.password`)).toBe('rotated');

    const nulled = await http(`${t.api}/providers/${id}/`, { method: 'PATCH', json: { name: null } });
    expect(nulled.status).toBe(400);
    expect(nulled.body.errors.name).toBeDefined();
    expect(new Date(patched.body.modified).getTime()).toBeGreaterThanOrEqual(
      new Date(created.body.modified).getTime(),
    );
  });

  it('takes a schedule as a number of seconds too, stored as its text and validated the same way', async () => {
    const created = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: body({ name: 'Numeric schedule', schedule: 7200 }),
    });
    expect(created.status).toBe(201);
    expect(created.body.schedule).toBe('7200');
    const id = created.body.id;
    const before = Date.now();
    const patched = await http(`${t.api}/providers/${id}/`, { method: 'PATCH', json: { schedule: 3600 } });
    expect(patched.status).toBe(200);
    expect(patched.body.schedule).toBe('3600');
    // The next run is one interval after the change (the clock only moves forward meanwhile).
    expect(new Date(patched.body.next_collection_at).getTime()).toBeGreaterThanOrEqual(before + 3600_000);
    const stored = await t.pool.query(`SELECT schedule FROM providers WHERE id = $1`, [id]);
    expect(stored.rows[0].schedule).toBe('3600');

    for (const schedule of [30, -3600, 3600.5, 1e300, true, { seconds: 3600 }, [3600]]) {
      const res = await http(`${t.api}/providers/${id}/`, { method: 'PATCH', json: { schedule } });
      expect({ schedule, status: res.status, named: Object.keys(res.body.errors ?? {}) }).toEqual({
        schedule,
        status: 400,
        named: ['schedule'],
      });
    }
    expect((await http(`${t.api}/providers/${id}/`)).body.schedule).toBe('3600');
  });

  it('replaces every field with PUT (omitted optional fields return to defaults)', async () => {
    const created = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: body({ name: 'Put me', description: 'old', enabled: false }),
    });
    const put = await http(`${t.api}/providers/${created.body.id}/`, {
      method: 'PUT',
      json: {
        name: 'Put me too',
        vendor: 'vmware',
        provider_type: 'vcenter-lab',
        infrastructure: 'private_cloud',
        organization: org,
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      name: 'Put me too',
      plugin: 'vmware:vcenter-lab',
      description: '',
      enabled: true,
      connection_config: {},
    });
    const incomplete = await http(`${t.api}/providers/${created.body.id}/`, {
      method: 'PUT',
      json: { name: 'x' },
    });
    expect(incomplete.status).toBe(400);
  });

  it('moves resources with the provider when its organization changes', async () => {
    const created = await http(`${t.api}/providers/`, { method: 'POST', json: body({ name: 'Mover' }) });
    const resource = await createResource(t.pool, {
      providerId: created.body.id,
      organizationId: org,
      type: 'virtual_machine',
      name: 'vm-move',
    });
    await createSightings(t.pool, [{ resourceId: resource, seenAt: new Date() }]);
    const target = await createOrganization(t.pool);
    const res = await http(`${t.api}/providers/${created.body.id}/`, {
      method: 'PATCH',
      json: { organization: target },
    });
    expect(res.status).toBe(200);
    const moved = await http(`${t.api}/resources/?organization=${target}`);
    expect(moved.body.results.map((r: any) => r.id)).toEqual([resource]);
    const sightings = await http(`${t.api}/resource-sightings/?organization=${target}`);
    expect(sightings.body.count).toBe(1);
  });

  it('deletes a provider with what was collected from it, but not while a run is active', async () => {
    const created = await http(`${t.api}/providers/`, { method: 'POST', json: body({ name: 'Doomed' }) });
    const id = created.body.id;
    const resource = await createResource(t.pool, {
      providerId: id,
      organizationId: org,
      type: 'virtual_machine',
      name: 'vm-doomed',
    });
    await createSightings(t.pool, [{ resourceId: resource, seenAt: new Date() }]);
    const run = await createCollectionRun(t.pool, {
      providerId: id,
      status: 'running',
      startedAt: new Date(),
    });
    const blocked = await http(`${t.api}/providers/${id}/`, { method: 'DELETE' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.collection_run).toBe(run);
    await t.pool.query(`UPDATE collection_runs SET status = 'canceled' WHERE id = $1`, [run]);
    const deleted = await http(`${t.api}/providers/${id}/`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await http(`${t.api}/providers/${id}/`)).status).toBe(404);
    expect((await http(`${t.api}/resources/${resource}/`)).status).toBe(404);
    const left = await t.pool.query(
      `SELECT count(*)::int AS n FROM resource_sightings WHERE resource_id = $1`,
      [resource],
    );
    expect(left.rows[0].n).toBe(0);
  });

  it('answers 404 for unknown ids and 400 for malformed ones, on every method', async () => {
    const unknown = '6f1c2b1e-0000-4000-8000-000000000000';
    for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) {
      const json = method === 'PUT' ? body({ name: 'ghost' }) : method === 'PATCH' ? {} : undefined;
      const missing = await http(`${t.api}/providers/${unknown}/`, { method, json });
      expect({ method, status: missing.status }).toEqual({ method, status: 404 });
      const malformed = await http(`${t.api}/providers/xyz/`, { method, json });
      expect({ method, status: malformed.status }).toEqual({ method, status: 400 });
    }
  });
});
