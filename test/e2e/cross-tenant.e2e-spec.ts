import { randomUUID } from 'node:crypto';
import { http, startTestApp, type TestApp, type TestUser } from '../support/app.js';
import { createOrganization, createProvider } from '../support/factories.js';
import { FakeGateway } from '../support/gateway-tokens.js';

/**
 * Issue #11 item 4: what a tenant can do to another tenant. Moving a provider needs rights
 * on both organizations; a gateway token never adopts a local account it did not create
 * (only an explicit admin link); nobody grants a role carrying permissions they do not hold.
 */
describe('cross-tenant moves and takeovers', () => {
  let t: TestApp;
  const gateway = new FakeGateway();
  let orgA: number;
  let orgB: number;

  const roleId = async (name: string) =>
    (await http(`${t.api}/role_definitions/?name=${encodeURIComponent(name)}`)).body.results[0].id as number;
  const grant = async (
    role: string,
    subject: { user?: number; team?: number },
    objectId: string,
    as?: string,
  ) =>
    http(`${t.api}/${subject.team ? 'role_team_assignments' : 'role_user_assignments'}/`, {
      method: 'POST',
      json: { role_definition: await roleId(role), ...subject, object_id: objectId },
      ...(as ? { as } : {}),
    });
  const asGateway = (token: string) => ({ headers: { 'x-dab-jw-token': token }, anonymous: true });

  beforeAll(async () => {
    t = await startTestApp({ GATEWAY_JWT_PUBLIC_KEY: gateway.publicKeyPem });
    orgA = await createOrganization(t.pool, 'Tenant A');
    orgB = await createOrganization(t.pool, 'Tenant B');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('moving a provider to another organization', () => {
    let mallory: TestUser;
    let victim: string;
    beforeAll(async () => {
      // Mallory administers org A and, on org B, only one provider (Provider Admin).
      mallory = await t.createUser('mallory-mover');
      victim = await createProvider(t.pool, { name: 'B vCenter', organizationId: orgB });
      expect((await grant('Organization Admin', { user: mallory.id }, String(orgA))).status).toBe(201);
      expect((await grant('Provider Admin', { user: mallory.id }, victim)).status).toBe(201);
    });

    it('refuses a move by someone with rights on the provider and the target but not on its organization', async () => {
      // She may edit the provider where it is...
      const edit = await http(`${t.api}/providers/${victim}/`, {
        method: 'PATCH',
        json: { description: 'edited in place' },
        as: mallory.bearer,
      });
      expect(edit.status).toBe(200);
      // ...but not take it out of org B into her own org.
      const move = await http(`${t.api}/providers/${victim}/`, {
        method: 'PATCH',
        json: { organization: orgA },
        as: mallory.bearer,
      });
      expect(move.status).toBe(403);
      expect(move.body.detail).toMatch(/both its current and its new organization/);
      const { rows } = await t.pool.query(`SELECT organization_id FROM providers WHERE id = $1`, [victim]);
      expect(rows[0].organization_id).toBe(orgB);
    });

    it('refuses a move into an organization where the caller cannot change providers', async () => {
      const ownProvider = await createProvider(t.pool, { name: 'A vCenter', organizationId: orgA });
      const move = await http(`${t.api}/providers/${ownProvider}/`, {
        method: 'PATCH',
        json: { organization: orgB },
        as: mallory.bearer,
      });
      expect([400, 403]).toContain(move.status);
      const { rows } = await t.pool.query(`SELECT organization_id FROM providers WHERE id = $1`, [
        ownProvider,
      ]);
      expect(rows[0].organization_id).toBe(orgA);
    });

    it('lets an admin of both organizations move it', async () => {
      const both = await t.createUser('admin-of-both');
      expect((await grant('Organization Admin', { user: both.id }, String(orgA))).status).toBe(201);
      expect((await grant('Organization Admin', { user: both.id }, String(orgB))).status).toBe(201);
      const provider = await createProvider(t.pool, { name: 'Movable', organizationId: orgB });
      const move = await http(`${t.api}/providers/${provider}/`, {
        method: 'PATCH',
        json: { organization: orgA },
        as: both.bearer,
      });
      expect(move.status).toBe(200);
      expect(move.body.organization).toBe(orgA);
    });
  });

  describe('gateway users are matched by sub, never by username alone', () => {
    it('refuses a token naming an existing local account the gateway did not create, and logs why', async () => {
      const local = await t.createUser('local-root', { superuser: true });
      const warnings: string[] = [];
      const { Logger } = await import('@nestjs/common');
      // eslint-disable-next-line @typescript-eslint/unbound-method -- restored as it was
      const original = Logger.prototype.warn;
      Logger.prototype.warn = function (message: unknown) {
        warnings.push(String(message));
      };
      try {
        const sub = randomUUID();
        const token = await gateway.token(
          gateway.claims({
            sub,
            user_data: {
              username: 'local-root',
              first_name: '',
              last_name: '',
              email: '',
              is_superuser: false,
            },
          }),
        );
        const res = await http(`${t.api}/users/me/`, asGateway(token));
        expect(res.status).toBe(401);
        expect(res.body.detail).toMatch(/not linked/);
        expect(warnings.join('\n')).toMatch(new RegExp(`${sub}.*local-root.*not linked`));
        expect(warnings.join('\n')).not.toMatch(/eyJ/); // no token in the log
      } finally {
        Logger.prototype.warn = original;
      }
      // The local account is untouched: not linked, still a superuser, its password still works.
      const { rows } = await t.pool.query(`SELECT ansible_id, is_superuser FROM users WHERE id = $1`, [
        local.id,
      ]);
      expect(rows[0]).toEqual({ ansible_id: null, is_superuser: true });
      expect((await http(`${t.api}/users/me/`, { as: local.basic })).status).toBe(200);
    });

    it('lets a superuser link a local account explicitly (PATCH /users/{id}/ ansible_id), then signs it in', async () => {
      const local = await t.createUser('linked-ops');
      const sub = randomUUID();
      const claims = gateway.claims({
        sub,
        user_data: {
          username: 'linked-ops',
          first_name: 'Linked',
          last_name: 'Ops',
          email: 'ops@example.com',
          is_superuser: false,
        },
      });
      expect((await http(`${t.api}/users/me/`, asGateway(await gateway.token(claims)))).status).toBe(401);
      // Only superusers link.
      const self = await http(`${t.api}/users/${local.id}/`, {
        method: 'PATCH',
        json: { ansible_id: sub },
        as: local.bearer,
      });
      expect(self.status).toBe(403);
      const bad = await http(`${t.api}/users/${local.id}/`, {
        method: 'PATCH',
        json: { ansible_id: 'nope' },
      });
      expect(bad.status).toBe(400);
      const linked = await http(`${t.api}/users/${local.id}/`, {
        method: 'PATCH',
        json: { ansible_id: sub },
      });
      expect(linked.status).toBe(200);
      expect(linked.body).toMatchObject({ ansible_id: sub, managed_by_gateway: true });
      const me = await http(`${t.api}/users/me/`, asGateway(await gateway.token(claims)));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: local.id, username: 'linked-ops', email: 'ops@example.com' });
      // Another account cannot be linked to the same gateway user.
      const other = await t.createUser('second-link');
      const twice = await http(`${t.api}/users/${other.id}/`, { method: 'PATCH', json: { ansible_id: sub } });
      expect(twice.status).toBe(400);
      expect(twice.body.errors.ansible_id).toBeDefined();
    });

    it('refuses a token whose username belongs to another gateway user', async () => {
      const first = gateway.claims();
      expect((await http(`${t.api}/users/me/`, asGateway(await gateway.token(first)))).status).toBe(200);
      const impostor = gateway.claims({ user_data: (first as any).user_data });
      const res = await http(`${t.api}/users/me/`, asGateway(await gateway.token(impostor)));
      expect(res.status).toBe(401);
    });

    it('still creates new gateway users and signs known ones in by sub after a rename', async () => {
      const claims = gateway.claims();
      const first = await http(`${t.api}/users/me/`, asGateway(await gateway.token(claims)));
      expect(first.status).toBe(200);
      const renamed = {
        ...claims,
        user_data: { ...(claims as any).user_data, username: `renamed-${randomUUID().slice(0, 6)}` },
      };
      const again = await http(`${t.api}/users/me/`, asGateway(await gateway.token(renamed)));
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      expect(again.body.username).toBe(renamed.user_data.username);
    });
  });

  describe('nobody grants more than they hold', () => {
    let teamAdmin: TestUser;
    let orgAdmin: TestUser;
    let team: number;
    let teamB: number;
    beforeAll(async () => {
      team = (await http(`${t.api}/teams/`, { method: 'POST', json: { name: 'Grants', organization: orgA } }))
        .body.id;
      teamB = (
        await http(`${t.api}/teams/`, { method: 'POST', json: { name: 'B admins', organization: orgB } })
      ).body.id;
      teamAdmin = await t.createUser('grant-team-admin');
      orgAdmin = await t.createUser('grant-org-admin');
      expect(
        (
          await http(`${t.api}/teams/${team}/members/`, {
            method: 'POST',
            json: { user: teamAdmin.id, admin: true },
          })
        ).status,
      ).toBe(204);
      expect((await grant('Organization Admin', { user: orgAdmin.id }, String(orgA))).status).toBe(201);
    });

    it('refuses a team admin a custom team role with a permission the admin does not hold', async () => {
      const role = await http(`${t.api}/role_definitions/`, {
        method: 'POST',
        json: {
          name: `Team deleter ${randomUUID().slice(0, 6)}`,
          permissions: ['team.view', 'team.delete'],
          content_type: 'team',
        },
      });
      expect(role.status).toBe(201);
      const victim = await t.createUser('grant-victim');
      const res = await grant(role.body.name, { user: victim.id }, String(team), teamAdmin.bearer);
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/team\.delete/);
      // What the team admin holds, it may grant.
      expect((await grant('Team Member', { user: victim.id }, String(team), teamAdmin.bearer)).status).toBe(
        201,
      );
    });

    it('refuses an organization admin membership of a team that carries roles in another organization', async () => {
      // A superuser made team "Grants" (org A) admins of org B.
      expect((await grant('Organization Admin', { team }, String(orgB))).status).toBe(201);
      const self = await http(`${t.api}/teams/${team}/members/`, {
        method: 'POST',
        json: { user: orgAdmin.id },
        as: orgAdmin.bearer,
      });
      expect(self.status).toBe(403);
      expect(self.body.detail).toMatch(/Organization Admin/);
      const viaAssignment = await grant('Team Member', { user: orgAdmin.id }, String(team), orgAdmin.bearer);
      expect(viaAssignment.status).toBe(403);
      const { rows } = await t.pool.query(
        `SELECT count(*)::int AS n FROM role_assignments WHERE user_id = $1 AND object_type = 'team'`,
        [orgAdmin.id],
      );
      expect(rows[0].n).toBe(0);
      // Without the other organization's role on it, the same organization admin manages the team.
      const plain = (
        await http(`${t.api}/teams/`, { method: 'POST', json: { name: 'Plain', organization: orgA } })
      ).body.id;
      const member = await t.createUser('plain-member');
      expect(
        (
          await http(`${t.api}/teams/${plain}/members/`, {
            method: 'POST',
            json: { user: member.id },
            as: orgAdmin.bearer,
          })
        ).status,
      ).toBe(204);
    });

    it('refuses an organization admin roles on a team of another organization or a global role', async () => {
      const victim = await t.createUser('grant-victim-2');
      expect((await grant('Team Admin', { user: victim.id }, String(teamB), orgAdmin.bearer)).status).toBe(
        403,
      );
      const global = await http(`${t.api}/role_user_assignments/`, {
        method: 'POST',
        json: { role_definition: await roleId('Platform Auditor'), user: victim.id },
        as: orgAdmin.bearer,
      });
      expect(global.status).toBe(403);
    });

    it('refuses to give a team a role carrying permissions the granter lacks', async () => {
      const custom = await http(`${t.api}/role_definitions/`, {
        method: 'POST',
        json: {
          name: `Webhook admin ${randomUUID().slice(0, 6)}`,
          permissions: ['webhook.view', 'webhook.change', 'organization.view'],
          content_type: 'organization',
        },
      });
      expect(custom.status).toBe(201);
      // A team admin of "Plain"-like teams holds nothing on org A: refused.
      const res = await grant(custom.body.name, { team }, String(orgA), teamAdmin.bearer);
      expect(res.status).toBe(403);
    });
  });
});
