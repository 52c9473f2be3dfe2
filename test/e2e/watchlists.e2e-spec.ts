import { JobScheduler } from '../../src/retention/job-scheduler.js';
import { http, startTestApp, type TestApp, type TestUser } from '../support/app.js';
import { createOrganization, createProvider, createResource } from '../support/factories.js';
import { seedLab } from '../support/lab.js';

interface MemberEvent {
  type: string;
  organization: number;
  provider: string;
  resource: string;
  payload: { watchlist: string; name: string; watchlist_type: string; via: string; actor: string | null };
}

/**
 * Watchlists (issue #15) on the seeded VMware lab: static (chosen resources) and dynamic
 * (a saved resources filter) lists, their members through the resources list's own
 * filters and paging, the stored membership of dynamic lists and its events (at once on
 * tag changes and saved filters, and by the periodic evaluation job for everything else),
 * and RBAC across two organizations.
 */
describe('watchlists', () => {
  let t: TestApp;
  let labOrg: number;
  let otherOrg: number;
  let otherResource: string;
  let adminA: TestUser;
  let memberA: TestUser;
  let adminB: TestUser;
  const vm: Record<string, string> = {};

  const grant = async (role: string, user: number, organization: number) => {
    const roles = await http(`${t.api}/role_definitions/?name=${encodeURIComponent(role)}`);
    const res = await http(`${t.api}/role_user_assignments/`, {
      method: 'POST',
      json: { role_definition: roles.body.results[0].id, user, object_id: String(organization) },
    });
    expect(res.status).toBe(201);
  };
  const create = (body: Record<string, unknown>, as: TestUser = adminA) =>
    http(`${t.api}/watchlists/`, { method: 'POST', json: { organization: labOrg, ...body }, as: as.bearer });
  const members = async (id: string, query = '', as: TestUser = adminA) => {
    const res = await http(`${t.api}/watchlists/${id}/resources/${query}`, { as: as.bearer });
    expect(res.status).toBe(200);
    return (res.body.results as { name: string }[]).map((r) => r.name).sort();
  };
  const stored = async (id: string) =>
    (
      await t.pool.query<{ name: string }>(
        `SELECT r.name FROM watchlist_members m JOIN resources r ON r.id = m.resource_id WHERE m.watchlist_id = $1 ORDER BY 1`,
        [id],
      )
    ).rows.map((r) => r.name);
  const memberEvents = async (watchlist: string, as?: TestUser) => {
    const res = await http(`${t.api}/events/?type=watchlist.*&limit=1000`, as ? { as: as.bearer } : {});
    return (res.body.results as MemberEvent[]).filter((e) => e.payload.watchlist === watchlist);
  };
  /** The events as `+name via` / `-name via`, sorted (one statement's events come in resource id order). */
  const summary = (events: MemberEvent[]) =>
    events
      .map((e) => `${e.type === 'watchlist.member_added' ? '+' : '-'}${nameOf(e.resource)} ${e.payload.via}`)
      .sort();
  const nameOf = (id: string) => Object.entries(vm).find(([, v]) => v === id)?.[0] ?? id;

  beforeAll(async () => {
    t = await startTestApp();
    const { providerId } = await seedLab(t);
    labOrg = (await t.pool.query(`SELECT organization_id FROM providers WHERE id = $1`, [providerId])).rows[0]
      .organization_id as number;
    const { rows } = await t.pool.query<{ id: string; name: string }>(
      `SELECT id, name FROM resources WHERE provider_id = $1`,
      [providerId],
    );
    for (const row of rows) vm[row.name] = row.id;
    otherOrg = await createOrganization(t.pool, 'Watchlists other org');
    const otherProvider = await createProvider(t.pool, { organizationId: otherOrg, name: 'other vcenter' });
    otherResource = await createResource(t.pool, {
      providerId: otherProvider,
      organizationId: otherOrg,
      type: 'virtual_machine',
      name: 'other-vm',
      providerTags: { env: 'staging' },
    });
    adminA = await t.createUser('watch-admin-a');
    memberA = await t.createUser('watch-member-a');
    adminB = await t.createUser('watch-admin-b');
    await grant('Organization Admin', adminA.id, labOrg);
    await grant('Organization Member', memberA.id, labOrg);
    await grant('Organization Admin', adminB.id, otherOrg);
    const tag = await http(`${t.api}/tags/`, {
      method: 'POST',
      json: { organization: labOrg, key: 'watch', value: 'yes' },
    });
    expect(tag.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  describe('static watchlists', () => {
    let id: string;
    it('starts with chosen resources and lists them with the resources list’s filters and paging', async () => {
      const res = await create({
        name: 'Web tier',
        watchlist_type: 'static',
        description: 'Front ends',
        resource_ids: [vm['rhel9-web-01'], vm['rhel9-web-02'], vm['staging-db-01']],
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        organization: labOrg,
        name: 'Web tier',
        watchlist_type: 'static',
        filter_query: null,
        created_by: adminA.id,
        resource_count: 3,
      });
      id = res.body.id;
      expect(await members(id)).toEqual(['rhel9-web-01', 'rhel9-web-02', 'staging-db-01']);
      expect(await members(id, '?state=stopped')).toEqual(['staging-db-01']);
      expect(await members(id, '?tag=app=web-frontend&search=web-0')).toEqual([
        'rhel9-web-01',
        'rhel9-web-02',
      ]);
      const page = await http(`${t.api}/watchlists/${id}/resources/?page_size=2&ordering=-name`);
      expect(page.body.count).toBe(3);
      expect(page.body.results.map((r: any) => r.name)).toEqual(['staging-db-01', 'rhel9-web-02']);
      expect(page.body.next).toContain('page=2');
      expect(page.body.results[0].tags).toBeDefined();
      const bad = await http(`${t.api}/watchlists/${id}/resources/?state=sleeping`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.state).toBeDefined();
      // Members are not events when a list is created.
      expect(await memberEvents(id)).toEqual([]);
    });

    it('adds and removes resources by hand, with one event per member that changed', async () => {
      const add = await http(`${t.api}/watchlists/${id}/resources/add/`, {
        method: 'POST',
        json: { resource_ids: [vm['rhel9-db-01'], vm['rhel9-web-01']] },
        as: adminA.bearer,
      });
      expect(add.status).toBe(200);
      expect(add.body).toEqual({ detail: 'Added 1 resource.', changed: 1, resource_count: 4 });
      const remove = await http(`${t.api}/watchlists/${id}/resources/remove/`, {
        method: 'POST',
        json: { resource_ids: [vm['staging-db-01'], vm['dev-rhel9-01']] },
        as: adminA.bearer,
      });
      expect(remove.body).toEqual({ detail: 'Removed 1 resource.', changed: 1, resource_count: 3 });
      const events = await memberEvents(id);
      expect(summary(events)).toEqual(['+rhel9-db-01 chosen', '-staging-db-01 chosen']);
      expect(events[0]).toMatchObject({
        organization: labOrg,
        payload: { name: 'Web tier', watchlist_type: 'static', actor: adminA.username },
      });
      expect(events[0].provider).toBeTruthy();
      // Resources of another organization are refused, and nothing is written.
      const foreign = await http(`${t.api}/watchlists/${id}/resources/add/`, {
        method: 'POST',
        json: { resource_ids: [vm['dev-rhel9-01'], otherResource] },
        as: adminA.bearer,
      });
      expect(foreign.status).toBe(400);
      expect(foreign.body.errors.resource_ids[0]).toContain(otherResource);
      expect(await stored(id)).toEqual(['rhel9-db-01', 'rhel9-web-01', 'rhel9-web-02']);
      const junk = await http(`${t.api}/watchlists/${id}/resources/add/`, {
        method: 'POST',
        json: { resource_ids: ['not-a-uuid'] },
        as: adminA.bearer,
      });
      expect(junk.status).toBe(400);
    });
  });

  describe('dynamic watchlists', () => {
    it('validates the saved filter and names the bad parameter', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ filter_query: 'state=sleeping' }, 'filter_query.state'],
        [{ filter_query: { colour: 'blue' } }, 'filter_query.colour'],
        [{ filter_query: 'tag=env=prod&ordering=name' }, 'filter_query.ordering'],
        [{ filter_query: { cpu_count__gte: 'many' } }, 'filter_query.cpu_count__gte'],
        [{ filter_query: [1, 2] }, 'filter_query'],
        [{}, 'filter_query'],
        [{ filter_query: 'state=running', resource_ids: [vm['rhel9-web-01']] }, 'resource_ids'],
      ];
      for (const [body, field] of cases) {
        const res = await create({ name: `bad ${field}`, watchlist_type: 'dynamic', ...body });
        expect([res.status, Object.keys(res.body.errors ?? {})]).toEqual([
          400,
          expect.arrayContaining([field]),
        ]);
      }
      const staticWithFilter = await create({
        name: 'bad static',
        watchlist_type: 'static',
        filter_query: 'a=b',
      });
      expect(staticWithFilter.status).toBe(400);
      expect((await create({ name: 'bad type', watchlist_type: 'smart' })).status).toBe(400);
      expect((await http(`${t.api}/watchlists/?name__isw=bad`)).body.count).toBe(0);
    });

    it('follows tag changes at once: member_added and member_removed events', async () => {
      const res = await create({
        name: 'Watched VMs',
        watchlist_type: 'dynamic',
        filter_query: 'resource_type=virtual_machine&tag=watch=yes',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        filter_query: { resource_type: ['virtual_machine'], tag: ['watch=yes'] },
        resource_count: 0,
      });
      expect(res.body.evaluated_at).not.toBeNull();
      const id = res.body.id as string;
      const tag = (resource: string, body: Record<string, unknown>) =>
        http(`${t.api}/resources/${resource}/tags/`, { method: 'POST', json: body, as: adminA.bearer });
      expect((await tag(vm['aap-hub-01'], { add: ['watch=yes'] })).status).toBe(200);
      expect(await stored(id)).toEqual(['aap-hub-01']);
      expect(await members(id)).toEqual(['aap-hub-01']);
      const bulk = await http(`${t.api}/resources/tags/`, {
        method: 'POST',
        json: { organization: labOrg, filter: 'tag=env=staging', add: ['watch=yes'] },
        as: adminA.bearer,
      });
      expect(bulk.body.tagged).toBe(2);
      await tag(vm['aap-hub-01'], { remove: ['watch=yes'] });
      expect(await stored(id)).toEqual(['staging-app-01', 'staging-db-01']);
      expect(summary(await memberEvents(id))).toEqual([
        '+aap-hub-01 tags_changed',
        '+staging-app-01 tags_changed',
        '+staging-db-01 tags_changed',
        '-aap-hub-01 tags_changed',
      ]);
      expect((await http(`${t.api}/watchlists/${id}/`)).body.resource_count).toBe(2);
    });

    it('follows collections and pushes through the periodic evaluation, once per cluster', async () => {
      const res = await create({
        name: 'Stopped VMs',
        watchlist_type: 'dynamic',
        filter_query: { resource_type: 'virtual_machine', state: ['stopped'] },
      });
      const id = res.body.id as string;
      expect(await stored(id)).toEqual(['staging-db-01']);
      // What a collection would write: one VM stops, the stopped one runs again.
      await t.pool.query(`UPDATE resources SET state = 'stopped' WHERE id = $1`, [vm['dev-fedora-01']]);
      await t.pool.query(`UPDATE resources SET state = 'running' WHERE id = $1`, [vm['staging-db-01']]);
      // The members listed follow at once (the filter is evaluated on read); the stored membership at the next evaluation.
      expect(await members(id)).toEqual(['dev-fedora-01']);
      expect(await stored(id)).toEqual(['staging-db-01']);
      const scheduler = t.app.get(JobScheduler);
      const job = scheduler.jobs.find((j) => j.name === 'watchlist-evaluation')!;
      expect(job.intervalMs).toBe(60_000);
      expect(await scheduler.runIfLeased(job)).toBe(true);
      // The lease: another replica's timer in the same interval does nothing.
      expect(await scheduler.runIfLeased(job)).toBe(false);
      expect(await stored(id)).toEqual(['dev-fedora-01']);
      expect(summary(await memberEvents(id))).toEqual([
        '+dev-fedora-01 evaluation',
        '-staging-db-01 evaluation',
      ]);
      const { rows } = await t.pool.query(
        `SELECT last_result FROM scheduled_jobs WHERE name = 'watchlist-evaluation'`,
      );
      expect(rows[0].last_result).toMatchObject({ members_added: 1, members_removed: 1 });
      expect(rows[0].last_result.watchlists).toBeGreaterThanOrEqual(2);
      await t.pool.query(`UPDATE resources SET state = 'stopped' WHERE id = $1`, [vm['staging-db-01']]);
      await t.pool.query(`UPDATE resources SET state = 'running' WHERE id = $1`, [vm['dev-fedora-01']]);
    });

    it('evaluates a changed filter at once, as events', async () => {
      const res = await create({
        name: 'Windows',
        watchlist_type: 'dynamic',
        filter_query: 'os_type=windows',
      });
      const id = res.body.id as string;
      expect(await stored(id)).toEqual(['template-win2022-base', 'win2022-ad-01', 'win2022-iis-01']);
      const changed = await http(`${t.api}/watchlists/${id}/`, {
        method: 'PATCH',
        json: { filter_query: 'os_type=windows&name__isw=win2022', description: 'Servers only' },
        as: adminA.bearer,
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        filter_query: { os_type: ['windows'], name__isw: ['win2022'] },
        description: 'Servers only',
        resource_count: 2,
      });
      expect(summary(await memberEvents(id))).toEqual(['-template-win2022-base saved']);
      const bad = await http(`${t.api}/watchlists/${id}/`, {
        method: 'PATCH',
        json: { filter_query: 'os_type__ic=win&removed=maybe' },
        as: adminA.bearer,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors['filter_query.removed']).toBeDefined();
      const retype = await http(`${t.api}/watchlists/${id}/`, {
        method: 'PATCH',
        json: { watchlist_type: 'static' },
        as: adminA.bearer,
      });
      expect(retype.status).toBe(400);
      const add = await http(`${t.api}/watchlists/${id}/resources/add/`, {
        method: 'POST',
        json: { resource_ids: [vm['rhel9-web-01']] },
        as: adminA.bearer,
      });
      expect(add.status).toBe(400);
      expect((await http(`${t.api}/watchlists/${id}/`)).body.filter_query).toEqual({
        os_type: ['windows'],
        name__isw: ['win2022'],
      });
    });
  });

  describe('access', () => {
    let id: string;
    beforeAll(async () => {
      id = (
        await create({ name: 'Lab databases', watchlist_type: 'dynamic', filter_query: 'tag=app=postgresql' })
      ).body.id;
    });

    it('lets members read and only admins write, in their own organization', async () => {
      expect((await http(`${t.api}/watchlists/${id}/`, { as: memberA.bearer })).status).toBe(200);
      expect(await members(id, '', memberA)).toEqual(['rhel9-db-01', 'staging-db-01']);
      expect((await create({ name: 'Mine', watchlist_type: 'static' }, memberA)).status).toBe(403);
      const patch = await http(`${t.api}/watchlists/${id}/`, {
        method: 'PATCH',
        json: { name: 'Renamed' },
        as: memberA.bearer,
      });
      expect(patch.status).toBe(403);
      expect(
        (await http(`${t.api}/watchlists/${id}/`, { method: 'DELETE', as: memberA.bearer })).status,
      ).toBe(403);
    });

    it('hides one organization’s watchlists, members and events from another', async () => {
      expect((await http(`${t.api}/watchlists/`, { as: adminB.bearer })).body.count).toBe(0);
      expect((await http(`${t.api}/watchlists/${id}/`, { as: adminB.bearer })).status).toBe(404);
      expect((await http(`${t.api}/watchlists/${id}/resources/`, { as: adminB.bearer })).status).toBe(404);
      const add = await http(`${t.api}/watchlists/${id}/resources/add/`, {
        method: 'POST',
        json: { resource_ids: [otherResource] },
        as: adminB.bearer,
      });
      expect(add.status).toBe(404);
      expect((await create({ name: 'Planted', watchlist_type: 'static' }, adminB)).status).toBe(400);
      const labEvents = await http(`${t.api}/events/?type=watchlist.*&limit=1000`, { as: adminB.bearer });
      expect(labEvents.body.results).toEqual([]);
      // Its own lists match only its own organization's resources, and cannot take the lab's.
      const mine = await http(`${t.api}/watchlists/`, {
        method: 'POST',
        json: {
          organization: otherOrg,
          name: 'Staging',
          watchlist_type: 'dynamic',
          filter_query: 'tag=env=staging',
        },
        as: adminB.bearer,
      });
      expect(mine.status).toBe(201);
      expect(mine.body.resource_count).toBe(1);
      expect(await members(mine.body.id, '', adminB)).toEqual(['other-vm']);
      const chosen = await http(`${t.api}/watchlists/`, {
        method: 'POST',
        json: {
          organization: otherOrg,
          name: 'Chosen',
          watchlist_type: 'static',
          resource_ids: [vm['rhel9-web-01']],
        },
        as: adminB.bearer,
      });
      expect(chosen.status).toBe(400);
    });

    it('lets a resource whose provider moves to another organization leave its old organization’s lists', async () => {
      const provider = await createProvider(t.pool, { organizationId: otherOrg, name: 'moving vcenter' });
      const moving = await createResource(t.pool, {
        providerId: provider,
        organizationId: otherOrg,
        type: 'virtual_machine',
        name: 'moving-vm',
      });
      const list = await http(`${t.api}/watchlists/`, {
        method: 'POST',
        json: { organization: otherOrg, name: 'Movers', watchlist_type: 'static', resource_ids: [moving] },
        as: adminB.bearer,
      });
      expect(list.body.resource_count).toBe(1);
      const move = await http(`${t.api}/providers/${provider}/`, {
        method: 'PATCH',
        json: { organization: labOrg },
      });
      expect(move.status).toBe(200);
      expect(await stored(list.body.id)).toEqual([]);
      const events = await memberEvents(list.body.id);
      expect(events.map((e) => [e.type, e.resource, e.payload.via, e.organization])).toEqual([
        ['watchlist.member_removed', moving, 'provider_moved', otherOrg],
      ]);
    });

    it('refuses duplicate names and deletes a list with its membership', async () => {
      const dup = await create({ name: 'Lab databases', watchlist_type: 'static' });
      expect(dup.status).toBe(400);
      expect(dup.body.errors.name).toBeDefined();
      expect((await http(`${t.api}/watchlists/?watchlist_type=dynamic&search=databases`)).body.count).toBe(1);
      expect(
        (await http(`${t.api}/watchlists/?resource=${vm['rhel9-db-01']}`)).body.results.map(
          (w: any) => w.name,
        ),
      ).toEqual(expect.arrayContaining(['Lab databases', 'Web tier']));
      expect((await http(`${t.api}/watchlists/${id}/`, { method: 'DELETE', as: adminA.bearer })).status).toBe(
        204,
      );
      expect(await stored(id)).toEqual([]);
      expect((await http(`${t.api}/watchlists/${id}/`)).status).toBe(404);
    });
  });
});
