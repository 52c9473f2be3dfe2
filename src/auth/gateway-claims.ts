import type { JWTPayload } from 'jose';
import { UnauthorizedError } from '../common/errors.js';
import { UUID_PATTERN } from '../common/http/uuid-param.pipe.js';
import { JWT_ROLE_CONTENT_TYPES } from '../rbac/permissions.js';

/** The claims the Ansible Automation Platform gateway puts in X-DAB-JW-TOKEN. */
export interface GatewayClaims {
  sub: string;
  exp: number;
  /** Issued at (seconds); tokens older than the last one applied change nothing. */
  iat?: number;
  version: unknown;
  user_data: {
    username: string;
    first_name: string;
    last_name: string;
    email: string;
    /** Only JSON `true` makes a superuser ("true", 1 do not). */
    is_superuser: unknown;
  };
  objects: {
    organization: { ansible_id: string; name: string }[];
    team: { ansible_id: string; name: string; org: number }[];
  };
  object_roles: Record<string, { content_type: string; objects: number[] }>;
  global_roles: string[];
}

const REQUIRED = ['sub', 'user_data', 'exp', 'objects', 'object_roles', 'global_roles', 'version'] as const;
const USER_FIELDS = ['username', 'first_name', 'last_name', 'email', 'is_superuser'] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a verified payload has every claim the contract requires; 401 naming the first missing or malformed one. */
export function validateGatewayClaims(payload: JWTPayload): GatewayClaims {
  for (const claim of REQUIRED) {
    if (payload[claim] === undefined || payload[claim] === null)
      throw new UnauthorizedError(`Token is missing the "${claim}" claim.`);
  }
  if (typeof payload.sub !== 'string' || !UUID_PATTERN.test(payload.sub)) {
    throw new UnauthorizedError('Token claim "sub" must be the user\'s ansible_id (a UUID).');
  }
  const user = payload.user_data;
  if (!isObject(user)) throw new UnauthorizedError('Token claim "user_data" must be an object.');
  for (const field of USER_FIELDS) {
    if (user[field] === undefined || user[field] === null)
      throw new UnauthorizedError(`Token is missing "user_data.${field}".`);
  }
  if (typeof user.username !== 'string' || user.username === '') {
    throw new UnauthorizedError('Token claim "user_data.username" must be a non-empty string.');
  }
  const objects = payload.objects;
  if (!isObject(objects)) throw new UnauthorizedError('Token claim "objects" must be an object.');
  const organizations = objects.organization ?? [];
  const teams = objects.team ?? [];
  if (!Array.isArray(organizations) || !Array.isArray(teams)) {
    throw new UnauthorizedError('Token claim "objects" must hold "organization" and "team" lists.');
  }
  for (const org of organizations as unknown[]) {
    if (
      !isObject(org) ||
      typeof org.ansible_id !== 'string' ||
      !UUID_PATTERN.test(org.ansible_id) ||
      typeof org.name !== 'string'
    ) {
      throw new UnauthorizedError('Each "objects.organization" entry needs "ansible_id" and "name".');
    }
  }
  for (const team of teams as unknown[]) {
    if (
      !isObject(team) ||
      typeof team.ansible_id !== 'string' ||
      !UUID_PATTERN.test(team.ansible_id) ||
      typeof team.name !== 'string' ||
      typeof team.org !== 'number' ||
      !isObject(organizations[team.org])
    ) {
      throw new UnauthorizedError(
        'Each "objects.team" entry needs "ansible_id", "name" and "org" (an index into objects.organization).',
      );
    }
  }
  if (!isObject(payload.object_roles))
    throw new UnauthorizedError('Token claim "object_roles" must be an object.');
  for (const [name, role] of Object.entries(payload.object_roles)) {
    if (!isObject(role) || typeof role.content_type !== 'string' || !Array.isArray(role.objects)) {
      throw new UnauthorizedError(`Token claim "object_roles.${name}" needs "content_type" and "objects".`);
    }
  }
  if (!Array.isArray(payload.global_roles) || payload.global_roles.some((r) => typeof r !== 'string')) {
    throw new UnauthorizedError('Token claim "global_roles" must be a list of role names.');
  }
  // A role in the wrong place is a forged or broken token, not something to guess about.
  for (const role of payload.global_roles as string[]) {
    if (JWT_ROLE_CONTENT_TYPES[role] !== undefined && JWT_ROLE_CONTENT_TYPES[role] !== null)
      throw new UnauthorizedError(
        `Token claim "global_roles" names "${role}", a role given on a ${JWT_ROLE_CONTENT_TYPES[role]}.`,
      );
  }
  for (const [name, role] of Object.entries(
    payload.object_roles as Record<string, { content_type: string }>,
  )) {
    const expected = JWT_ROLE_CONTENT_TYPES[name];
    if (expected === null)
      throw new UnauthorizedError(`Token claim "object_roles" names "${name}", a global role.`);
    if (expected !== undefined && role.content_type !== expected)
      throw new UnauthorizedError(
        `Token claim "object_roles.${name}" is given on a ${expected}, not a ${role.content_type}.`,
      );
  }
  if (payload.iat !== undefined && (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)))
    throw new UnauthorizedError('Token claim "iat" must be a number.');
  return {
    ...(payload as unknown as GatewayClaims),
    objects: {
      organization: organizations as GatewayClaims['objects']['organization'],
      team: teams as GatewayClaims['objects']['team'],
    },
  };
}
