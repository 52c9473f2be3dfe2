import { http, startTestApp, type TestApp } from '../support/app.js';
import { createOrganization, createProvider } from '../support/factories.js';

describe('platform endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ INVENTORY_FEATURE_NEW_TIMELINE: 'true' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('manages organizations: create, read, update, replace, delete (refused while providers remain)', async () => {
    const created = await http(`${t.api}/organizations/`, {
      method: 'POST',
      json: { name: 'Acme Ops', description: 'Operations' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Acme Ops', description: 'Operations', ansible_id: null });
    const id = created.body.id;
    expect(
      (await http(`${t.api}/organizations/`, { method: 'POST', json: { name: 'Acme Ops' } })).body.errors
        .name,
    ).toBeDefined();
    expect(
      (await http(`${t.api}/organizations/${id}/`, { method: 'PATCH', json: { description: 'Ops team' } }))
        .body.description,
    ).toBe('Ops team');
    expect(
      (await http(`${t.api}/organizations/${id}/`, { method: 'PUT', json: { name: 'Acme Operations' } }))
        .body,
    ).toMatchObject({
      name: 'Acme Operations',
      description: '',
    });
    const provider = await createProvider(t.pool, { organizationId: id });
    const refused = await http(`${t.api}/organizations/${id}/`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/provider/);
    await http(`${t.api}/providers/${provider}/`, { method: 'DELETE' });
    expect((await http(`${t.api}/organizations/${id}/`, { method: 'DELETE' })).status).toBe(204);
    expect((await http(`${t.api}/organizations/${id}/`)).status).toBe(404);
    expect((await http(`${t.api}/organizations/abc/`)).status).toBe(400);
  });

  it('manages teams and their members', async () => {
    const org = await createOrganization(t.pool);
    const team = await http(`${t.api}/teams/`, { method: 'POST', json: { name: 'SRE', organization: org } });
    expect(team.status).toBe(201);
    expect(
      (await http(`${t.api}/teams/`, { method: 'POST', json: { name: 'SRE', organization: org } })).status,
    ).toBe(400);
    expect(
      (await http(`${t.api}/teams/`, { method: 'POST', json: { name: 'X', organization: 999999 } })).body
        .errors.organization,
    ).toBeDefined();
    const alice = await t.createUser('alice');
    expect(
      (
        await http(`${t.api}/teams/${team.body.id}/members/`, {
          method: 'POST',
          json: { user: alice.id, admin: true },
        })
      ).status,
    ).toBe(204);
    const members = await http(`${t.api}/teams/${team.body.id}/members/`);
    expect(members.body.results.map((u: any) => u.username)).toEqual(['alice']);
    const orgUsers = await http(`${t.api}/organizations/${org}/users/`);
    expect(orgUsers.body.results.map((u: any) => u.username)).toEqual(['alice']);
    const orgTeams = await http(`${t.api}/organizations/${org}/teams/`);
    expect(orgTeams.body.results.map((x: any) => x.name)).toEqual(['SRE']);
    // A Team Admin manages the team's members.
    const bob = await t.createUser('bob');
    expect(
      (
        await http(`${t.api}/teams/${team.body.id}/members/`, {
          method: 'POST',
          json: { user: bob.id },
          as: alice.bearer,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await http(`${t.api}/teams/${team.body.id}/members/${bob.id}/`, {
          method: 'DELETE',
          as: alice.bearer,
        })
      ).status,
    ).toBe(204);
    expect(
      (await http(`${t.api}/teams/${team.body.id}/members/${bob.id}/`, { method: 'DELETE' })).status,
    ).toBe(404);
    expect(
      (await http(`${t.api}/teams/${team.body.id}/members/`, { method: 'POST', json: { user: 999999 } }))
        .status,
    ).toBe(400);
    expect((await http(`${t.api}/teams/${team.body.id}/`, { method: 'DELETE' })).status).toBe(204);
    expect((await http(`${t.api}/teams/${team.body.id}/`)).status).toBe(404);
  });

  it('manages users; nobody sees a password hash; people change their own password', async () => {
    const created = await http(`${t.api}/users/`, {
      method: 'POST',
      json: {
        username: 'carol',
        password: 'carol-password',
        email: 'carol@example.com',
        first_name: 'Carol',
      },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toMatch(/password|scrypt/);
    const id = created.body.id;
    const invalid = await http(`${t.api}/users/`, {
      method: 'POST',
      json: { username: 'bad name!', password: 'short', email: 'nope' },
    });
    expect(Object.keys(invalid.body.errors).sort()).toEqual(['email', 'password', 'username']);
    expect(
      (
        await http(`${t.api}/users/`, {
          method: 'POST',
          json: { username: 'carol', password: 'another-password' },
        })
      ).status,
    ).toBe(400);

    const carol = `Basic ${Buffer.from('carol:carol-password').toString('base64')}`;
    expect(
      (await http(`${t.api}/users/${id}/`, { method: 'PATCH', json: { is_superuser: true }, as: carol }))
        .status,
    ).toBe(403);
    expect(
      (
        await http(`${t.api}/users/${t.admin.id}/`, {
          method: 'PATCH',
          json: { email: 'x@example.com' },
          as: carol,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await http(`${t.api}/users/${id}/`, {
          method: 'PATCH',
          json: { password: 'carol-new-password' },
          as: carol,
        })
      ).status,
    ).toBe(200);
    expect((await http(`${t.api}/users/me/`, { as: carol })).status).toBe(401);
    expect(
      (
        await http(`${t.api}/users/me/`, {
          as: `Basic ${Buffer.from('carol:carol-new-password').toString('base64')}`,
        })
      ).status,
    ).toBe(200);

    expect((await http(`${t.api}/users/${t.admin.id}/`, { method: 'DELETE' })).status).toBe(409);
    expect((await http(`${t.api}/users/${id}/`, { method: 'DELETE' })).status).toBe(204);
    expect((await http(`${t.api}/users/${id}/`)).status).toBe(404);
  });

  it('manages custom role definitions and assignments', async () => {
    const role = await http(`${t.api}/role_definitions/`, {
      method: 'POST',
      json: {
        name: 'Collector',
        permissions: ['provider.view', 'provider.collect'],
        content_type: 'provider',
      },
    });
    expect(role.status).toBe(201);
    expect(role.body).toMatchObject({ managed: false, content_type: 'provider' });
    const patched = await http(`${t.api}/role_definitions/${role.body.id}/`, {
      method: 'PATCH',
      json: { permissions: ['provider.view'] },
    });
    expect(patched.body.permissions).toEqual(['provider.view']);

    const org = await createOrganization(t.pool);
    const provider = await createProvider(t.pool, { organizationId: org });
    const dave = await t.createUser('dave');
    const assign = (json: unknown) => http(`${t.api}/role_user_assignments/`, { method: 'POST', json });
    expect(
      (await assign({ role_definition: role.body.id, user: dave.id })).body.errors.object_id,
    ).toBeDefined();
    expect(
      (
        await assign({
          role_definition: role.body.id,
          user: dave.id,
          object_id: '6f1c2b1e-0000-4000-8000-000000000000',
        })
      ).status,
    ).toBe(400);
    expect(
      (await assign({ role_definition: 99999, user: dave.id, object_id: provider })).body.errors
        .role_definition,
    ).toBeDefined();
    const given = await assign({ role_definition: role.body.id, user: dave.id, object_id: provider });
    expect(given.status).toBe(201);
    expect(given.body).toMatchObject({
      role_name: 'Collector',
      user: dave.id,
      username: 'dave',
      content_type: 'provider',
      object_id: provider,
      source: 'local',
      created_by: t.admin.id,
    });
    expect((await assign({ role_definition: role.body.id, user: dave.id, object_id: provider })).status).toBe(
      409,
    );
    expect((await http(`${t.api}/providers/${provider}/`, { as: dave.bearer })).status).toBe(200);
    expect(
      (await http(`${t.api}/role_user_assignments/${given.body.id}/`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await http(`${t.api}/providers/${provider}/`, { as: dave.bearer })).status).toBe(404);

    const auditorRole = (await http(`${t.api}/role_definitions/?name=Platform%20Auditor`)).body.results[0];
    expect(
      (await assign({ role_definition: auditorRole.id, user: dave.id, object_id: '1' })).body.errors
        .object_id,
    ).toBeDefined();
    expect((await assign({ role_definition: auditorRole.id, user: dave.id })).status).toBe(201);
    expect((await http(`${t.api}/providers/${provider}/`, { as: dave.bearer })).status).toBe(200);
    expect((await http(`${t.api}/users/me/`, { as: dave.bearer })).body.is_platform_auditor).toBe(false);

    expect((await http(`${t.api}/role_definitions/${role.body.id}/`, { method: 'DELETE' })).status).toBe(204);
    expect((await http(`${t.api}/role_definitions/${auditorRole.id}/`, { method: 'DELETE' })).status).toBe(
      409,
    );
  });

  it('records every write in the activity stream, with secrets masked, scoped by organization', async () => {
    const org = await createOrganization(t.pool, 'Audited Org');
    const other = await createOrganization(t.pool, 'Other Org');
    const created = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: 'Audited',
        vendor: 'vmware',
        provider_type: 'vcenter',
        infrastructure: 'private_cloud',
        organization: org,
        endpoint: 'vcsa.example.com',
        connection_config: { username: 'u', password: 'hunter2-secret' },
      },
    });
    const id = created.body.id;
    await http(`${t.api}/providers/${id}/`, {
      method: 'PATCH',
      json: { enabled: false, connection_config: { username: 'u', password: 'rotated-secret' } },
    });
    await http(`${t.api}/providers/${id}/`, { method: 'DELETE' });
    await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: 'Elsewhere',
        vendor: 'vmware',
        provider_type: 'vcenter-lab',
        infrastructure: 'private_cloud',
        organization: other,
      },
    });

    const entries = await http(
      `${t.api}/activitystream/?object_type=provider&object_id=${id}&ordering=timestamp`,
    );
    expect(entries.body.results.map((e: any) => e.operation)).toEqual(['create', 'update', 'delete']);
    const [create, update] = entries.body.results;
    expect(create).toMatchObject({
      actor: t.admin.id,
      actor_username: t.admin.username,
      object_repr: 'Audited',
      organization: org,
    });
    expect(create.changes.connection_config[1]).toEqual({ username: 'u', password: '$encrypted$' });
    expect(update.changes.enabled).toEqual([true, false]);
    expect(update.changes.connection_config).toBeDefined();
    const everything = await http(`${t.api}/activitystream/?page_size=1000`);
    expect(JSON.stringify(everything.body)).not.toMatch(/hunter2|rotated-secret/);

    const member = await t.createUser('auditee');
    const memberRole = (await http(`${t.api}/role_definitions/?name=Organization%20Member`)).body.results[0]
      .id;
    await http(`${t.api}/role_user_assignments/`, {
      method: 'POST',
      json: { role_definition: memberRole, user: member.id, object_id: String(org) },
    });
    const seen = await http(`${t.api}/activitystream/?object_type=provider&page_size=1000`, {
      as: member.bearer,
    });
    expect(new Set(seen.body.results.map((e: any) => e.organization))).toEqual(new Set([org]));
    const entry = await http(`${t.api}/activitystream/${create.id}/`, { as: member.bearer });
    expect(entry.status).toBe(200);
    const hidden = everything.body.results.find((e: any) => e.object_repr === 'Elsewhere');
    expect((await http(`${t.api}/activitystream/${hidden.id}/`, { as: member.bearer })).status).toBe(404);
  });

  it('lists feature flags from configuration and describes the service', async () => {
    const flags = await http(`${t.api}/feature_flags/`);
    expect(flags.body.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'gateway_auth', enabled: false }),
        expect.objectContaining({ name: 'local_accounts', enabled: true }),
        expect.objectContaining({ name: 'new_timeline', enabled: true }),
      ]),
    );
    const index = await http(`${t.api}/service-index/`);
    expect(index.body).toMatchObject({
      service: 'inventory',
      gateway_slug: 'inventory',
      api_prefix: '/api/inventory/v1/',
    });
  });
});
