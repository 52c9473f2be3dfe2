import type { EntityManager } from 'typeorm';
import { JWT_MANAGED_ROLES } from '../rbac/permissions.js';
import { UnauthorizedError } from '../common/errors.js';
import type { GatewayClaims } from './gateway-claims.js';

/** A token that would take over (or collide with) another account: refused (401), its reason logged. */
export class GatewayUserConflict extends UnauthorizedError {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Makes the database agree with a gateway token: the user (found by `sub` only), its organizations and teams (by `ansible_id`), and the JWT-managed role
 * assignments, added and removed to match exactly what the token says. Assignments
 * made locally (source 'local') are left alone. Runs in the caller's transaction.
 */
export async function syncGatewayClaims(
  manager: EntityManager,
  claims: GatewayClaims,
): Promise<{ userId: number }> {
  const u = claims.user_data;
  const isAuditor = claims.global_roles.includes('Platform Auditor');
  // The row is locked so that concurrent tokens of one user apply one after the other.
  const rows = await manager.query<{ id: number; gateway_token_iat: string | null }[]>(
    `SELECT id, gateway_token_iat FROM users WHERE ansible_id::text = $1 FOR UPDATE`,
    [claims.sub],
  );
  const iat = typeof claims.iat === 'number' ? Math.floor(claims.iat) : null;
  const lastIat = rows[0]?.gateway_token_iat == null ? null : Number(rows[0].gateway_token_iat);
  if (rows[0] && lastIat !== null && (iat === null || iat < lastIat)) {
    // An older token (or one without iat after one with it): it signs the user in, but
    // never rolls the user's fields or roles back to what it says.
    return { userId: rows[0].id };
  }
  // Users are matched by the gateway's `sub` only. A local account whose name the token
  // carries is never adopted: the gateway did not create it and no admin linked it
  // (PATCH /users/{id}/ {"ansible_id": sub}), so taking it over would hand the token's
  // holder that account's local roles and password.
  const namesake = await manager.query<{ id: number; ansible_id: string | null }[]>(
    `SELECT id, ansible_id::text FROM users WHERE username = $1 AND ansible_id IS DISTINCT FROM $2::uuid`,
    [u.username, claims.sub],
  );
  if (namesake[0]) {
    throw new GatewayUserConflict(
      `Gateway user ${claims.sub} ("${u.username}") refused: the local user ${namesake[0].id} of that name ` +
        (namesake[0].ansible_id === null
          ? 'was not created by the gateway and is not linked to it'
          : `is linked to another gateway user (${namesake[0].ansible_id})`),
      namesake[0].ansible_id === null
        ? `A local account named "${u.username}" exists and is not linked to this gateway user; an administrator can link it.`
        : `The name "${u.username}" belongs to another gateway user here.`,
    );
  }
  const fields = [
    u.username,
    u.email ?? '',
    u.first_name ?? '',
    u.last_name ?? '',
    u.is_superuser === true,
    isAuditor,
    iat,
  ];
  let userId: number;
  if (rows.length === 0) {
    const inserted = await manager.query<{ id: number }[]>(
      `INSERT INTO users (ansible_id, username, email, first_name, last_name, is_superuser, is_platform_auditor,
         gateway_token_iat, last_login)
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (ansible_id) DO UPDATE SET username = EXCLUDED.username
       RETURNING id`,
      [claims.sub, ...fields],
    );
    userId = inserted[0].id;
  } else {
    userId = rows[0].id;
    await manager.query(
      `UPDATE users SET username = $2, email = $3, first_name = $4, last_name = $5, is_superuser = $6,
         is_platform_auditor = $7, last_login = now(), modified = now()
       WHERE id = $1 AND (username, email, first_name, last_name, is_superuser, is_platform_auditor)
         IS DISTINCT FROM ($2, $3, $4, $5, $6, $7)`,
      [userId, ...fields.slice(0, 6)],
    );
    if (iat !== null && iat !== lastIat)
      await manager.query(`UPDATE users SET gateway_token_iat = $2 WHERE id = $1`, [userId, iat]);
  }

  // Organizations by ansible_id; a local organization with the same name and no ansible_id is adopted.
  const orgIds: number[] = [];
  for (const org of claims.objects.organization) {
    await manager.query(
      `UPDATE organizations SET ansible_id = $1::uuid WHERE name = $2 AND ansible_id IS NULL`,
      [org.ansible_id, org.name],
    );
    const saved = await manager.query<{ id: number }[]>(
      `INSERT INTO organizations (ansible_id, name) VALUES ($1::uuid, $2)
       ON CONFLICT (ansible_id) DO UPDATE SET name = EXCLUDED.name, modified = now()
         WHERE organizations.name IS DISTINCT FROM EXCLUDED.name
       RETURNING id`,
      [org.ansible_id, org.name],
    );
    orgIds.push(saved[0]?.id ?? (await idByAnsibleId(manager, 'organizations', org.ansible_id)));
  }
  const teamIds: number[] = [];
  for (const team of claims.objects.team) {
    const organizationId = orgIds[team.org];
    await manager.query(
      `UPDATE teams SET ansible_id = $1::uuid WHERE organization_id = $2 AND name = $3 AND ansible_id IS NULL`,
      [team.ansible_id, organizationId, team.name],
    );
    const saved = await manager.query<{ id: number }[]>(
      `INSERT INTO teams (ansible_id, name, organization_id) VALUES ($1::uuid, $2, $3)
       ON CONFLICT (ansible_id) DO UPDATE SET name = EXCLUDED.name, organization_id = EXCLUDED.organization_id, modified = now()
         WHERE (teams.name, teams.organization_id) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.organization_id)
       RETURNING id`,
      [team.ansible_id, team.name, organizationId],
    );
    teamIds.push(saved[0]?.id ?? (await idByAnsibleId(manager, 'teams', team.ansible_id)));
  }

  // What the token grants: (role, object type, object id), for the roles the gateway manages.
  const desired: { role: string; objectType: string | null; objectId: string | null }[] = [];
  for (const role of claims.global_roles) {
    if (JWT_MANAGED_ROLES.includes(role)) desired.push({ role, objectType: null, objectId: null });
  }
  for (const [role, grant] of Object.entries(claims.object_roles)) {
    if (!JWT_MANAGED_ROLES.includes(role)) continue;
    const ids =
      grant.content_type === 'organization' ? orgIds : grant.content_type === 'team' ? teamIds : null;
    if (!ids) continue;
    for (const index of grant.objects) {
      if (ids[index] !== undefined)
        desired.push({ role, objectType: grant.content_type, objectId: String(ids[index]) });
    }
  }
  const desiredJson = JSON.stringify(desired);
  await manager.query(
    `DELETE FROM role_assignments ra USING role_definitions rd
     WHERE rd.id = ra.role_definition_id AND ra.user_id = $1 AND ra.source = 'jwt'
       AND NOT EXISTS (
         SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS d(role text, "objectType" text, "objectId" text)
         WHERE d.role = rd.name AND d."objectType" IS NOT DISTINCT FROM ra.object_type AND d."objectId" IS NOT DISTINCT FROM ra.object_id)`,
    [userId, desiredJson],
  );
  await manager.query(
    `INSERT INTO role_assignments (role_definition_id, user_id, object_type, object_id, source)
     SELECT rd.id, $1, d."objectType", d."objectId", 'jwt'
     FROM jsonb_to_recordset($2::jsonb) AS d(role text, "objectType" text, "objectId" text)
     JOIN role_definitions rd ON rd.name = d.role
     ON CONFLICT DO NOTHING`,
    [userId, desiredJson],
  );
  return { userId };
}

async function idByAnsibleId(
  manager: EntityManager,
  table: 'organizations' | 'teams',
  ansibleId: string,
): Promise<number> {
  const rows = await manager.query<{ id: number }[]>(`SELECT id FROM ${table} WHERE ansible_id = $1::uuid`, [
    ansibleId,
  ]);
  return rows[0].id;
}
