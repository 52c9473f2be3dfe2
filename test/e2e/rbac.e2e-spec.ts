import { randomUUID } from 'node:crypto';
import { http, startTestApp, type TestApp, type TestUser } from '../support/app.js';
import {
  createCollectionRun,
  createOrganization,
  createProvider,
  createResource,
  createSightings,
} from '../support/factories.js';

type Role =
  'superuser' | 'auditor' | 'orgAdmin' | 'orgMember' | 'teamMember' | 'operator' | 'outsider' | 'anonymous';
const ROLES: Role[] = [
  'superuser',
  'auditor',
  'orgAdmin',
  'orgMember',
  'teamMember',
  'operator',
  'outsider',
  'anonymous',
];

/**
 * Who may do what. Org A holds providers A1 and A2 and team TA (which holds the
 * Organization Member role on org A); org B holds provider B. The actors:
 * superuser; Platform Auditor (global); Organization Admin of A; Organization Member
 * of A; a member of team TA (so a member of A through the team); Provider Operator on
 * A1; a user with no roles; nobody.
 */
describe('RBAC', () => {
  let t: TestApp;
  const users = {} as Record<Exclude<Role, 'anonymous' | 'superuser'>, TestUser>;
  let orgA: number;
  let orgB: number;
  let teamA: number;
  let a1: string;
  let a2: string;
  let b: string;
  let resourceA1: string;
  let resourceA2: string;
  let resourceB: string;
  let runA1: string;
  let runB: string;

  const roleId = async (name: string) =>
    (await http(`${t.api}/role_definitions/?name=${encodeURIComponent(name)}`)).body.results[0].id as number;
  const grant = async (role: string, user: number | null, objectId: string | null, team?: number) => {
    const res = await http(`${t.api}/${team ? 'role_team_assignments' : 'role_user_assignments'}/`, {
      method: 'POST',
      json: {
        role_definition: await roleId(role),
        ...(team ? { team } : { user }),
        ...(objectId ? { object_id: objectId } : {}),
      },
    });
    expect(res.status).toBe(201);
  };
  const as = (role: Role) =>
    role === 'superuser'
      ? { as: t.admin.bearer }
      : role === 'anonymous'
        ? { anonymous: true }
        : { as: users[role].bearer };

  beforeAll(async () => {
    t = await startTestApp();
    orgA = await createOrganization(t.pool, 'RBAC Org A');
    orgB = await createOrganization(t.pool, 'RBAC Org B');
    a1 = await createProvider(t.pool, { name: 'A1', organizationId: orgA });
    a2 = await createProvider(t.pool, { name: 'A2', organizationId: orgA });
    b = await createProvider(t.pool, { name: 'B', organizationId: orgB });
    resourceA1 = await createResource(t.pool, {
      providerId: a1,
      organizationId: orgA,
      type: 'virtual_machine',
      name: 'vm-a1',
    });
    resourceA2 = await createResource(t.pool, {
      providerId: a2,
      organizationId: orgA,
      type: 'virtual_machine',
      name: 'vm-a2',
    });
    resourceB = await createResource(t.pool, {
      providerId: b,
      organizationId: orgB,
      type: 'virtual_machine',
      name: 'vm-b',
    });
    await createSightings(
      t.pool,
      [resourceA1, resourceA2, resourceB].map((resourceId) => ({ resourceId, seenAt: new Date() })),
    );
    runA1 = await createCollectionRun(t.pool, { providerId: a1, status: 'completed' });
    runB = await createCollectionRun(t.pool, { providerId: b, status: 'completed' });
    for (const role of ['auditor', 'orgAdmin', 'orgMember', 'teamMember', 'operator', 'outsider'] as const) {
      users[role] = await t.createUser(`rbac-${role}`);
    }
    const team = await http(`${t.api}/teams/`, { method: 'POST', json: { name: 'TA', organization: orgA } });
    teamA = team.body.id;
    await grant('Platform Auditor', users.auditor.id, null);
    await grant('Organization Admin', users.orgAdmin.id, String(orgA));
    await grant('Organization Member', users.orgMember.id, String(orgA));
    await grant('Organization Member', null, String(orgA), teamA);
    expect(
      (
        await http(`${t.api}/teams/${teamA}/members/`, {
          method: 'POST',
          json: { user: users.teamMember.id },
        })
      ).status,
    ).toBe(204);
    await grant('Provider Operator', users.operator.id, a1);
  });
  afterAll(async () => {
    await t.close();
  });

  interface Row {
    name: string;
    method?: string;
    path: () => string | Promise<string>;
    body?: () => unknown;
    expect: Record<Role, number>;
  }
  const seeA1 = {
    superuser: 200,
    auditor: 200,
    orgAdmin: 200,
    orgMember: 200,
    teamMember: 200,
    operator: 200,
    outsider: 404,
    anonymous: 401,
  };
  const seeA2 = { ...seeA1, operator: 404 };
  const seeB = {
    superuser: 200,
    auditor: 200,
    orgAdmin: 404,
    orgMember: 404,
    teamMember: 404,
    operator: 404,
    outsider: 404,
    anonymous: 401,
  };
  const anyone = {
    superuser: 200,
    auditor: 200,
    orgAdmin: 200,
    orgMember: 200,
    teamMember: 200,
    operator: 200,
    outsider: 200,
    anonymous: 401,
  };
  const superOnly = (ok: number) => ({
    superuser: ok,
    auditor: 403,
    orgAdmin: 403,
    orgMember: 403,
    teamMember: 403,
    operator: 403,
    outsider: 403,
    anonymous: 401,
  });
  const fresh = () => `x-${randomUUID().slice(0, 8)}`;
  const newProviderInA = async () => createProvider(t.pool, { name: fresh(), organizationId: orgA });

  const ROWS: Row[] = [
    { name: 'list providers', path: () => '/providers/', expect: anyone },
    { name: 'read provider A1', path: () => `/providers/${a1}/`, expect: seeA1 },
    { name: 'read provider A2', path: () => `/providers/${a2}/`, expect: seeA2 },
    { name: 'read provider B', path: () => `/providers/${b}/`, expect: seeB },
    { name: 'read a resource of A1', path: () => `/resources/${resourceA1}/`, expect: seeA1 },
    {
      name: 'read history of a resource of A1',
      path: () => `/resources/${resourceA1}/history/`,
      expect: seeA1,
    },
    {
      name: 'read sightings of a resource of A2',
      path: () => `/resources/${resourceA2}/sightings/`,
      expect: seeA2,
    },
    { name: 'read a resource of B', path: () => `/resources/${resourceB}/`, expect: seeB },
    { name: 'read a run of A1', path: () => `/collection-runs/${runA1}/`, expect: seeA1 },
    { name: 'read a run of B', path: () => `/collection-runs/${runB}/`, expect: seeB },
    {
      name: 'list resources, sightings, relationships, runs',
      path: () => '/resource-sightings/',
      expect: anyone,
    },
    { name: 'read the taxonomy', path: () => '/resource-types/', expect: anyone },
    { name: 'read property definitions', path: () => '/property-definitions/', expect: anyone },
    { name: 'API index', path: () => '/', expect: anyone },
    { name: 'read org A', path: () => `/organizations/${orgA}/`, expect: { ...seeA1, operator: 404 } },
    { name: 'read org B', path: () => `/organizations/${orgB}/`, expect: seeB },
    {
      name: "list org A's teams",
      path: () => `/organizations/${orgA}/teams/`,
      expect: { ...seeA1, operator: 404 },
    },
    {
      name: "list org A's users",
      path: () => `/organizations/${orgA}/users/`,
      expect: { ...seeA1, operator: 404 },
    },
    { name: 'read team TA', path: () => `/teams/${teamA}/`, expect: { ...seeA1, operator: 404 } },
    {
      name: "list team TA's members",
      path: () => `/teams/${teamA}/members/`,
      expect: { ...seeA1, operator: 404 },
    },
    { name: 'who am I', path: () => '/users/me/', expect: anyone },
    { name: 'list users', path: () => '/users/', expect: anyone },
    { name: 'list role definitions', path: () => '/role_definitions/', expect: anyone },
    { name: 'list user role assignments', path: () => '/role_user_assignments/', expect: anyone },
    { name: 'list team role assignments', path: () => '/role_team_assignments/', expect: anyone },
    { name: 'activity stream', path: () => '/activitystream/', expect: anyone },
    { name: 'feature flags', path: () => '/feature_flags/', expect: anyone },
    { name: 'service index', path: () => '/service-index/', expect: anyone },
    {
      name: 'create a provider in org A',
      method: 'POST',
      path: () => '/providers/',
      body: () => ({
        name: fresh(),
        vendor: 'vmware',
        provider_type: 'vcenter-lab',
        infrastructure: 'private_cloud',
        organization: orgA,
      }),
      expect: {
        superuser: 201,
        auditor: 403,
        orgAdmin: 201,
        orgMember: 403,
        teamMember: 403,
        operator: 400,
        outsider: 400,
        anonymous: 401,
      },
    },
    {
      name: 'create a provider in org B',
      method: 'POST',
      path: () => '/providers/',
      body: () => ({
        name: fresh(),
        vendor: 'vmware',
        provider_type: 'vcenter-lab',
        infrastructure: 'private_cloud',
        organization: orgB,
      }),
      expect: {
        superuser: 201,
        auditor: 403,
        orgAdmin: 400,
        orgMember: 400,
        teamMember: 400,
        operator: 400,
        outsider: 400,
        anonymous: 401,
      },
    },
    {
      name: 'change provider A1',
      method: 'PATCH',
      path: () => `/providers/${a1}/`,
      body: () => ({ description: fresh() }),
      expect: {
        superuser: 200,
        auditor: 403,
        orgAdmin: 200,
        orgMember: 403,
        teamMember: 403,
        operator: 403,
        outsider: 404,
        anonymous: 401,
      },
    },
    {
      name: 'change provider B',
      method: 'PATCH',
      path: () => `/providers/${b}/`,
      body: () => ({ description: fresh() }),
      expect: {
        superuser: 200,
        auditor: 403,
        orgAdmin: 404,
        orgMember: 404,
        teamMember: 404,
        operator: 404,
        outsider: 404,
        anonymous: 401,
      },
    },
    {
      name: 'delete a provider in org A',
      method: 'DELETE',
      path: async () => `/providers/${await newProviderInA()}/`,
      expect: {
        superuser: 204,
        auditor: 403,
        orgAdmin: 204,
        orgMember: 403,
        teamMember: 403,
        operator: 404,
        outsider: 404,
        anonymous: 401,
      },
    },
    {
      name: 'create an organization',
      method: 'POST',
      path: () => '/organizations/',
      body: () => ({ name: fresh() }),
      expect: superOnly(201),
    },
    {
      name: 'change org A',
      method: 'PATCH',
      path: () => `/organizations/${orgA}/`,
      body: () => ({ description: fresh() }),
      expect: {
        superuser: 200,
        auditor: 403,
        orgAdmin: 200,
        orgMember: 403,
        teamMember: 403,
        operator: 404,
        outsider: 404,
        anonymous: 401,
      },
    },
    {
      name: 'delete an empty organization',
      method: 'DELETE',
      path: async () => `/organizations/${await createOrganization(t.pool)}/`,
      expect: {
        superuser: 204,
        auditor: 403,
        orgAdmin: 404,
        orgMember: 404,
        teamMember: 404,
        operator: 404,
        outsider: 404,
        anonymous: 401,
      },
    },
    {
      name: 'create a team in org A',
      method: 'POST',
      path: () => '/teams/',
      body: () => ({ name: fresh(), organization: orgA }),
      expect: {
        superuser: 201,
        auditor: 403,
        orgAdmin: 201,
        orgMember: 403,
        teamMember: 403,
        operator: 400,
        outsider: 400,
        anonymous: 401,
      },
    },
    {
      name: 'change team TA',
      method: 'PATCH',
      path: () => `/teams/${teamA}/`,
      body: () => ({ description: fresh() }),
      expect: {
        superuser: 200,
        auditor: 403,
        orgAdmin: 200,
        orgMember: 403,
        teamMember: 403,
        operator: 404,
        outsider: 404,
        anonymous: 401,
      },
    },
    {
      name: 'add a member to team TA',
      method: 'POST',
      path: () => `/teams/${teamA}/members/`,
      body: async () => ({ user: (await t.createUser(fresh())).id }),
      expect: {
        superuser: 204,
        auditor: 403,
        orgAdmin: 204,
        orgMember: 403,
        teamMember: 403,
        operator: 404,
        outsider: 404,
        anonymous: 401,
      },
    },
    {
      name: 'create a user',
      method: 'POST',
      path: () => '/users/',
      body: () => ({ username: fresh(), password: 'long-enough-password' }),
      expect: superOnly(201),
    },
    {
      name: 'create a provider role definition',
      method: 'POST',
      path: () => '/role_definitions/',
      body: () => ({
        name: fresh(),
        permissions: ['provider.view', 'provider.collect'],
        content_type: 'provider',
      }),
      expect: { ...superOnly(201), orgAdmin: 201 },
    },
    {
      name: 'give someone a role on org A',
      method: 'POST',
      path: () => '/role_user_assignments/',
      body: async () => ({
        role_definition: await roleId('Organization Member'),
        user: (await t.createUser(fresh())).id,
        object_id: String(orgA),
      }),
      expect: {
        superuser: 201,
        auditor: 403,
        orgAdmin: 201,
        orgMember: 403,
        teamMember: 403,
        operator: 403,
        outsider: 403,
        anonymous: 401,
      },
    },
    {
      name: 'give someone a global role',
      method: 'POST',
      path: () => '/role_user_assignments/',
      body: async () => ({
        role_definition: await roleId('Platform Auditor'),
        user: (await t.createUser(fresh())).id,
      }),
      expect: superOnly(201),
    },
  ];

  for (const row of ROWS) {
    it(`${row.method ?? 'GET'} ${row.name}`, async () => {
      const outcome: Partial<Record<Role, number>> = {};
      for (const role of ROLES) {
        const body = row.body ? await row.body() : undefined;
        const res = await http(`${t.api}${await row.path()}`, {
          method: row.method ?? 'GET',
          json: body,
          ...as(role),
        });
        outcome[role] = res.status;
      }
      expect(outcome).toEqual(row.expect);
    });
  }

  it('filters every inventory list to what the caller may see', async () => {
    const names = async (role: Role, path: string) =>
      ((await http(`${t.api}${path}?page_size=1000`, as(role))).body.results as any[])
        .map((r) => r.name ?? r.resource_name ?? r.provider_name)
        .sort();
    expect(await names('orgMember', '/resources/')).toEqual(['vm-a1', 'vm-a2']);
    expect(await names('operator', '/resources/')).toEqual(['vm-a1']);
    expect(await names('outsider', '/resources/')).toEqual([]);
    expect(await names('auditor', '/resources/')).toEqual(expect.arrayContaining(['vm-a1', 'vm-a2', 'vm-b']));
    expect(await names('operator', '/resource-sightings/')).toEqual(['vm-a1']);
    expect(await names('teamMember', '/resource-sightings/')).toEqual(['vm-a1', 'vm-a2']);
    expect(await names('orgAdmin', '/collection-runs/')).toEqual(['A1']);
    expect((await names('orgMember', '/providers/')).filter((n) => ['A1', 'A2', 'B'].includes(n))).toEqual([
      'A1',
      'A2',
    ]);
    const count = await http(`${t.api}/resources/?page_size=1`, as('orgMember'));
    expect(count.body.count).toBe(2);
    const orgs = await http(`${t.api}/organizations/`, as('teamMember'));
    expect(orgs.body.results.map((o: any) => o.name)).toEqual(['RBAC Org A']);
    // Filters cannot widen the scope.
    expect((await http(`${t.api}/resources/?organization=${orgB}`, as('orgMember'))).body.count).toBe(0);
  });

  it('lets team members inherit the team roles, and loses them when removed', async () => {
    const user = await t.createUser(fresh());
    expect((await http(`${t.api}/providers/${a2}/`, { as: user.bearer })).status).toBe(404);
    await http(`${t.api}/teams/${teamA}/members/`, { method: 'POST', json: { user: user.id } });
    expect((await http(`${t.api}/providers/${a2}/`, { as: user.bearer })).status).toBe(200);
    expect((await http(`${t.api}/teams/${teamA}/members/${user.id}/`, { method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await http(`${t.api}/providers/${a2}/`, { as: user.bearer })).status).toBe(404);
  });

  it('refuses to change managed roles and checks custom role permissions', async () => {
    const managed = await roleId('Organization Admin');
    expect(
      (await http(`${t.api}/role_definitions/${managed}/`, { method: 'PATCH', json: { description: 'x' } }))
        .status,
    ).toBe(409);
    const bad = await http(`${t.api}/role_definitions/`, {
      method: 'POST',
      json: { name: fresh(), permissions: ['organization.change'], content_type: 'provider' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.permissions).toBeDefined();
    const unknown = await http(`${t.api}/role_definitions/`, {
      method: 'POST',
      json: { name: fresh(), permissions: ['launch.missiles'], content_type: null },
    });
    expect(unknown.status).toBe(400);
  });
});
