import { http, startTestApp, type TestApp, type TestUser } from '../support/app.js';
import { createOrganization, createProvider, createResource } from '../support/factories.js';
import { seedLab } from '../support/lab.js';

/**
 * User tags (issue #15) on the seeded VMware lab (organization "Default", whose VMs carry
 * provider tags such as env=production, app=web-frontend) and a second organization:
 * /tags/ CRUD and validation, tagging one resource (set/add/remove) and in bulk by a
 * resources filter, `?tag=` over both kinds, the events, and RBAC across organizations.
 */
describe('user tags', () => {
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
  const createTag = (body: Record<string, unknown>, as?: TestUser) =>
    http(`${t.api}/tags/`, { method: 'POST', json: body, ...(as ? { as: as.bearer } : {}) });
  const tagResource = (id: string, body: Record<string, unknown>, as?: TestUser) =>
    http(`${t.api}/resources/${id}/tags/`, { method: 'POST', json: body, ...(as ? { as: as.bearer } : {}) });
  const names = (res: { body: { results: { name: string }[] } }) =>
    res.body.results.map((r) => r.name).sort();
  const events = async (type: string, resource: string) =>
    (await http(`${t.api}/events/?type=${type}&resource=${resource}&limit=1000`)).body.results as {
      type: string;
      organization: number;
      provider: string;
      resource: string;
      payload: { tags: { id: string; key: string; value: string }[]; via: string; actor: string | null };
    }[];

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
    otherOrg = await createOrganization(t.pool, 'Tags other org');
    const otherProvider = await createProvider(t.pool, { organizationId: otherOrg, name: 'other vcenter' });
    otherResource = await createResource(t.pool, {
      providerId: otherProvider,
      organizationId: otherOrg,
      type: 'virtual_machine',
      name: 'other-vm',
      providerTags: { env: 'production' },
    });
    adminA = await t.createUser('tags-admin-a');
    memberA = await t.createUser('tags-member-a');
    adminB = await t.createUser('tags-admin-b');
    await grant('Organization Admin', adminA.id, labOrg);
    await grant('Organization Member', memberA.id, labOrg);
    await grant('Organization Admin', adminB.id, otherOrg);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  describe('/tags/', () => {
    it('creates, reads, lists, changes and refuses duplicates', async () => {
      const created = await createTag(
        { organization: labOrg, key: 'owner', value: 'alice', color: '4CAF50', description: 'Who to call' },
        adminA,
      );
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        organization: labOrg,
        key: 'owner',
        value: 'alice',
        name: 'owner=alice',
        color: '4caf50',
        description: 'Who to call',
        resource_count: 0,
      });
      const duplicate = await createTag({ organization: labOrg, key: 'owner', value: 'alice' }, adminA);
      expect(duplicate.status).toBe(400);
      expect(duplicate.body.errors.value[0]).toMatch(/already exists/);
      // The same key and value in another organization is another tag.
      expect((await createTag({ organization: otherOrg, key: 'owner', value: 'alice' }, adminB)).status).toBe(
        201,
      );

      const got = await http(`${t.api}/tags/${created.body.id}/`, { as: memberA.bearer });
      expect(got.status).toBe(200);
      expect(got.body.name).toBe('owner=alice');
      const changed = await http(`${t.api}/tags/${created.body.id}/`, {
        method: 'PATCH',
        json: { description: 'Escalation contact', color: null },
        as: adminA.bearer,
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ description: 'Escalation contact', color: null, key: 'owner' });
      const moved = await http(`${t.api}/tags/${created.body.id}/`, {
        method: 'PATCH',
        json: { organization: otherOrg },
        as: adminA.bearer,
      });
      expect(moved.status).toBe(400);
      expect(moved.body.errors.organization).toBeDefined();

      const listed = await http(`${t.api}/tags/?key=owner&organization=${labOrg}`, { as: adminA.bearer });
      expect(listed.body.count).toBe(1);
      expect((await http(`${t.api}/tags/?name=owner=alice`)).body.count).toBe(2);
      expect((await http(`${t.api}/tags/?search=escalation`)).body.count).toBe(1);
    });

    it.each([
      [{ organization: 1, key: 'a=b' }, 'key'],
      [{ organization: 1, key: ' padded' }, 'key'],
      [{ organization: 1, key: '' }, 'key'],
      [{ organization: 1, key: 'env', color: 'red' }, 'color'],
      [{ organization: 1, key: 'env', value: 'x'.repeat(256) }, 'value'],
      [{ key: 'env' }, 'organization'],
      [{ organization: 1, key: 'env', namespace: 'x' }, 'namespace'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const res = await createTag({ ...body, organization: 'organization' in body ? labOrg : undefined });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.errors)).toContain(field);
    });

    it('keeps each organization to its own tags', async () => {
      const mine = await createTag({ organization: labOrg, key: 'secret-project', value: 'x' }, adminA);
      expect(mine.status).toBe(201);
      // Members read, but do not write.
      expect((await http(`${t.api}/tags/?key=secret-project`, { as: memberA.bearer })).body.count).toBe(1);
      expect((await createTag({ organization: labOrg, key: 'nope' }, memberA)).status).toBe(403);
      const del = await http(`${t.api}/tags/${mine.body.id}/`, { method: 'DELETE', as: memberA.bearer });
      expect(del.status).toBe(403);
      // Another organization's admin neither sees nor touches them.
      expect((await http(`${t.api}/tags/?key=secret-project`, { as: adminB.bearer })).body.count).toBe(0);
      expect((await http(`${t.api}/tags/${mine.body.id}/`, { as: adminB.bearer })).status).toBe(404);
      const patch = await http(`${t.api}/tags/${mine.body.id}/`, {
        method: 'PATCH',
        json: { value: 'y' },
        as: adminB.bearer,
      });
      expect(patch.status).toBe(404);
      const foreign = await createTag({ organization: labOrg, key: 'planted' }, adminB);
      expect(foreign.status).toBe(400);
      expect(foreign.body.errors.organization).toBeDefined();
    });
  });

  describe('tagging one resource', () => {
    beforeAll(async () => {
      for (const [key, value] of [
        ['tier', 'gold'],
        ['tier', 'silver'],
        ['backup', 'daily'],
        ['patch-window', 'sun=02:00'],
      ])
        expect((await createTag({ organization: labOrg, key, value }, adminA)).status).toBe(201);
      expect((await createTag({ organization: otherOrg, key: 'tier', value: 'bronze' }, adminB)).status).toBe(
        201,
      );
    });

    it('adds, removes and sets user tags, answering both kinds', async () => {
      const id = vm['rhel9-web-01'];
      const added = await tagResource(id, { add: ['tier=gold', 'backup=daily'] }, adminA);
      expect(added.status).toBe(200);
      expect(added.body).toEqual([
        { kind: 'provider', key: 'app', value: 'web-frontend', id: null, color: null },
        { kind: 'provider', key: 'env', value: 'production', id: null, color: null },
        { kind: 'provider', key: 'team', value: 'webops', id: null, color: null },
        { kind: 'user', key: 'backup', value: 'daily', id: expect.any(String), color: null },
        { kind: 'user', key: 'tier', value: 'gold', id: expect.any(String), color: null },
      ]);
      const removed = await tagResource(id, { remove: ['backup=daily'] }, adminA);
      expect(removed.body.filter((tag: any) => tag.kind === 'user').map((tag: any) => tag.key)).toEqual([
        'tier',
      ]);
      // A value may hold "=": only the first one splits.
      const set = await tagResource(id, { set: ['tier=silver', 'patch-window=sun=02:00'] }, adminA);
      expect(set.status).toBe(200);
      const user = set.body
        .filter((tag: any) => tag.kind === 'user')
        .map((tag: any) => `${tag.key}=${tag.value}`);
      expect(user).toEqual(['patch-window=sun=02:00', 'tier=silver']);
      const listed = await http(`${t.api}/resources/${id}/tags/`, { as: memberA.bearer });
      expect(listed.body).toEqual(set.body);
      // The resource answers keep provider_tags as before and add `tags` with the kind.
      const resource = await http(`${t.api}/resources/${id}/`);
      expect(resource.body.provider_tags).toEqual({ app: 'web-frontend', env: 'production', team: 'webops' });
      expect(resource.body.tags).toEqual(set.body);
      const page = await http(`${t.api}/resources/?name=rhel9-web-01`);
      expect(page.body.results[0].tags).toEqual(set.body);
      // Clearing with an empty set.
      const cleared = await tagResource(id, { set: [] }, adminA);
      expect(cleared.body.every((tag: any) => tag.kind === 'provider')).toBe(true);
    });

    it('writes one event per change with the tags, in the resource’s organization', async () => {
      const id = vm['rhel9-web-02'];
      await tagResource(id, { add: ['tier=gold', 'backup=daily'] }, adminA);
      await tagResource(id, { add: ['tier=gold'] }, adminA); // nothing new: no event
      await tagResource(id, { set: ['backup=daily'] }, adminA);
      const tagged = await events('resource.tagged', id);
      expect(tagged).toHaveLength(1);
      expect(tagged[0]).toMatchObject({
        organization: labOrg,
        resource: id,
        payload: { via: 'resource', actor: adminA.username },
      });
      expect(tagged[0].payload.tags.map((tag) => `${tag.key}=${tag.value}`)).toEqual([
        'backup=daily',
        'tier=gold',
      ]);
      const untagged = await events('resource.untagged', id);
      expect(untagged).toHaveLength(1);
      expect(untagged[0].payload.tags.map((tag) => `${tag.key}=${tag.value}`)).toEqual(['tier=gold']);
      expect(untagged[0].provider).toBe(tagged[0].provider);
    });

    it('refuses unknown tags, mixed set with add, and writes nothing then', async () => {
      const id = vm['rhel9-db-01'];
      const unknown = await tagResource(id, { add: ['tier=gold', 'colour=blue'] }, adminA);
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.add[0]).toMatch(/"colour=blue" is not a tag/);
      // Another organization's tag is unknown here.
      const foreign = await tagResource(id, { add: ['tier=bronze'] }, t.admin);
      expect(foreign.status).toBe(400);
      expect((await tagResource(id, { set: ['tier=gold'], add: ['backup=daily'] }, adminA)).status).toBe(400);
      expect((await tagResource(id, {}, adminA)).status).toBe(400);
      expect((await tagResource(id, { add: 'tier=gold' }, adminA)).status).toBe(400);
      expect((await tagResource(id, { add: ['tier=gold'], remove: ['tier=gold'] }, adminA)).status).toBe(400);
      const { rows } = await t.pool.query(
        `SELECT count(*)::int AS n FROM resource_tags WHERE resource_id = $1`,
        [id],
      );
      expect(rows[0].n).toBe(0);
      expect(await events('resource.tagged', id)).toHaveLength(0);
    });

    it('lets only who may tag the resource change its tags', async () => {
      const id = vm['rhel9-db-01'];
      expect((await tagResource(id, { add: ['tier=gold'] }, memberA)).status).toBe(403);
      // Another organization's resource is not found at all, either way round.
      expect((await tagResource(id, { add: ['tier=bronze'] }, adminB)).status).toBe(404);
      expect((await http(`${t.api}/resources/${id}/tags/`, { as: adminB.bearer })).status).toBe(404);
      expect((await tagResource(otherResource, { add: ['tier=gold'] }, adminA)).status).toBe(404);
      expect((await tagResource(otherResource, { add: ['tier=bronze'] }, adminB)).status).toBe(200);
      const { rows } = await t.pool.query(
        `SELECT count(*)::int AS n FROM resource_tags WHERE resource_id = $1`,
        [id],
      );
      expect(rows[0].n).toBe(0);
    });
  });

  describe('?tag= on the resources list', () => {
    beforeAll(async () => {
      expect(
        (await createTag({ organization: labOrg, key: 'env', value: 'production' }, adminA)).status,
      ).toBe(201);
      expect((await createTag({ organization: labOrg, key: 'critical', value: '' }, adminA)).status).toBe(
        201,
      );
      await tagResource(vm['staging-db-01'], { add: ['env=production', 'critical'] }, adminA);
      await tagResource(vm['dev-rhel9-01'], { add: ['critical'] }, adminA);
    });

    it('matches provider tags and user tags alike, all values given', async () => {
      const prod = names(
        await http(`${t.api}/resources/?tag=env=production&provider=${await labProvider()}&page_size=100`),
      );
      // The lab's production VMs by provider tag, plus staging-db-01 by its user tag.
      expect(prod).toContain('staging-db-01');
      expect(prod).toContain('rhel9-web-01');
      expect(prod).not.toContain('staging-app-01');
      expect(names(await http(`${t.api}/resources/?tag=critical`))).toEqual([
        'dev-rhel9-01',
        'staging-db-01',
      ]);
      // Repeated: every one must match, of whichever kind.
      expect(names(await http(`${t.api}/resources/?tag=critical&tag=env=production`))).toEqual([
        'staging-db-01',
      ]);
      expect(names(await http(`${t.api}/resources/?tag=critical&tag=app=postgresql`))).toEqual([
        'staging-db-01',
      ]);
      expect((await http(`${t.api}/resources/?tag=critical&tag=env=nowhere`)).body.count).toBe(0);
      const row = (await http(`${t.api}/resources/?tag=critical&name=staging-db-01`)).body.results[0];
      expect(row.tags).toEqual(
        expect.arrayContaining([
          { kind: 'provider', key: 'env', value: 'staging', id: null, color: null },
          expect.objectContaining({ kind: 'user', key: 'env', value: 'production' }),
          expect.objectContaining({ kind: 'user', key: 'critical', value: '' }),
        ]),
      );
    });

    it('never matches another organization’s user tags for its own resources', async () => {
      // other-vm has the provider tag env=production but no lab tag; tier=bronze is only in its org.
      expect(names(await http(`${t.api}/resources/?tag=tier=bronze`))).toEqual(['other-vm']);
      expect((await http(`${t.api}/resources/?tag=tier=bronze`, { as: adminA.bearer })).body.count).toBe(0);
    });
  });

  describe('bulk tagging by a resources filter', () => {
    beforeAll(async () => {
      expect((await createTag({ organization: labOrg, key: 'review', value: 'q1' }, adminA)).status).toBe(
        201,
      );
    });
    const bulk = (body: Record<string, unknown>, as: TestUser = adminA) =>
      http(`${t.api}/resources/tags/`, { method: 'POST', json: body, as: as.bearer });

    it('tags and untags what the list filter selects, once', async () => {
      const res = await bulk({
        organization: labOrg,
        filter: 'resource_type=virtual_machine&tag=env=staging',
        add: ['review=q1'],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ matched: 2, tagged: 2, untagged: 0 });
      expect(names(await http(`${t.api}/resources/?tag=review=q1`))).toEqual([
        'staging-app-01',
        'staging-db-01',
      ]);
      // Again: nothing new, no events.
      const again = await bulk({ organization: labOrg, filter: { tag: 'env=staging' }, add: ['review=q1'] });
      expect(again.body).toEqual({ matched: 2, tagged: 0, untagged: 0 });
      const staged = await events('resource.tagged', vm['staging-app-01']);
      expect(staged.filter((e) => e.payload.via === 'bulk')).toHaveLength(1);
      // The object form, lookups and search are the list's own.
      const untag = await bulk({
        organization: labOrg,
        filter: { name__isw: ['staging-app'], search: 'staging' },
        remove: ['review=q1'],
      });
      expect(untag.body).toEqual({ matched: 1, tagged: 0, untagged: 1 });
      expect(names(await http(`${t.api}/resources/?tag=review=q1`))).toEqual(['staging-db-01']);
      const gone = await events('resource.untagged', vm['staging-app-01']);
      expect(gone.map((e) => e.payload.via)).toEqual(['bulk']);
    });

    it('touches only the given organization’s resources, and only who may tag them', async () => {
      expect(
        (await bulk({ organization: labOrg, filter: 'removed=false', add: ['review=q1'] }, memberA)).status,
      ).toBe(403);
      expect(
        (await bulk({ organization: labOrg, filter: 'removed=false', add: ['review=q1'] }, adminB)).status,
      ).toBe(403);
      // adminB in its own organization: the lab's tag is unknown there.
      const unknown = await bulk(
        { organization: otherOrg, filter: 'removed=false', add: ['review=q1'] },
        adminB,
      );
      expect(unknown.status).toBe(400);
      const own = await bulk(
        { organization: otherOrg, filter: 'removed=false', remove: ['tier=bronze'] },
        adminB,
      );
      expect(own.body).toEqual({ matched: 1, tagged: 0, untagged: 1 });
    });

    it.each([
      [{ filter: 'state=sleeping', add: ['review=q1'] }, 'filter.state'],
      [{ filter: 'colour=blue', add: ['review=q1'] }, 'filter.colour'],
      [{ filter: { state: { nested: true } }, add: ['review=q1'] }, 'filter.state'],
      [{ filter: 'page=2&state=running', add: ['review=q1'] }, 'filter.page'],
      [{ filter: 'ordering=name', add: ['review=q1'] }, 'filter.ordering'],
      [{ filter: '', add: ['review=q1'] }, 'filter'],
      [{ filter: 42, add: ['review=q1'] }, 'filter'],
      [{ filter: 'state=running' }, 'add'],
      [{ filter: 'state=running', add: ['nope=x'] }, 'add'],
      [{ add: ['review=q1'] }, 'filter'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const res = await bulk({ organization: labOrg, ...body });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.errors)).toContain(field);
    });
  });

  describe('renaming and deleting a tag', () => {
    it('retags every carrier on rename and untags them on delete, with events', async () => {
      const tag = await createTag({ organization: labOrg, key: 'legacy', value: 'yes' }, adminA);
      const carriers = [vm['win2022-ad-01'], vm['win2022-iis-01']];
      for (const id of carriers) await tagResource(id, { add: ['legacy=yes'] }, adminA);
      expect((await http(`${t.api}/tags/${tag.body.id}/`)).body.resource_count).toBe(2);
      const renamed = await http(`${t.api}/tags/${tag.body.id}/`, {
        method: 'PATCH',
        json: { key: 'eol', value: '2027' },
        as: adminA.bearer,
      });
      expect(renamed.status).toBe(200);
      expect(names(await http(`${t.api}/resources/?tag=eol=2027`))).toEqual([
        'win2022-ad-01',
        'win2022-iis-01',
      ]);
      for (const id of carriers) {
        const untagged = await events('resource.untagged', id);
        expect(untagged.map((e) => [e.payload.via, e.payload.tags[0].key])).toEqual([
          ['tag_changed', 'legacy'],
        ]);
        const tagged = await events('resource.tagged', id);
        expect(tagged.map((e) => [e.payload.via, e.payload.tags[0].key])).toEqual([
          ['resource', 'legacy'],
          ['tag_changed', 'eol'],
        ]);
      }
      expect(
        (await http(`${t.api}/tags/${tag.body.id}/`, { method: 'DELETE', as: adminA.bearer })).status,
      ).toBe(204);
      expect((await http(`${t.api}/resources/?tag=eol=2027`)).body.count).toBe(0);
      for (const id of carriers) {
        const untagged = await events('resource.untagged', id);
        expect(untagged.map((e) => e.payload.via)).toEqual(['tag_changed', 'tag_deleted']);
      }
    });
  });

  describe('tagging as the admin of one provider', () => {
    it('tags that provider’s resources (Provider Admin holds resource.tag on it), one by one and in bulk', async () => {
      const operator = await t.createUser('tags-provider-admin');
      const provider = await labProvider();
      const roles = await http(`${t.api}/role_definitions/?name=${encodeURIComponent('Provider Admin')}`);
      const granted = await http(`${t.api}/role_user_assignments/`, {
        method: 'POST',
        json: { role_definition: roles.body.results[0].id, user: operator.id, object_id: provider },
      });
      expect(granted.status).toBe(201);
      expect((await createTag({ organization: labOrg, key: 'owner', value: 'provider-admin' })).status).toBe(
        201,
      );
      expect((await tagResource(vm['aap-eda-01'], { add: ['owner=provider-admin'] }, operator)).status).toBe(
        200,
      );
      const bulk = await http(`${t.api}/resources/tags/`, {
        method: 'POST',
        json: { organization: labOrg, filter: 'name__isw=aap-', add: ['owner=provider-admin'] },
        as: operator.bearer,
      });
      expect(bulk.body).toEqual({ matched: 3, tagged: 2, untagged: 0 });
      // Not a tag writer, though: the tags themselves are the organization admin's.
      expect((await createTag({ organization: labOrg, key: 'x' }, operator)).status).toBe(400);
    });
  });

  describe('moving a provider to another organization', () => {
    it('leaves the old organization’s tags behind, with untagged events', async () => {
      const provider = await createProvider(t.pool, { organizationId: otherOrg, name: 'moving vcenter' });
      const moving = await createResource(t.pool, {
        providerId: provider,
        organizationId: otherOrg,
        type: 'virtual_machine',
        name: 'moving-vm',
      });
      expect((await tagResource(moving, { add: ['tier=bronze'] }, adminB)).status).toBe(200);
      const move = await http(`${t.api}/providers/${provider}/`, {
        method: 'PATCH',
        json: { organization: labOrg },
      });
      expect(move.status).toBe(200);
      const tags = await http(`${t.api}/resources/${moving}/tags/`);
      expect(tags.body).toEqual([]);
      const untagged = await events('resource.untagged', moving);
      expect(untagged.map((e) => [e.payload.via, e.payload.tags[0].value])).toEqual([
        ['provider_moved', 'bronze'],
      ]);
      expect(untagged[0].organization).toBe(labOrg);
    });
  });

  async function labProvider(): Promise<string> {
    const { rows } = await t.pool.query(`SELECT provider_id FROM resources WHERE id = $1`, [
      vm['rhel9-web-01'],
    ]);
    return rows[0].provider_id as string;
  }
});
