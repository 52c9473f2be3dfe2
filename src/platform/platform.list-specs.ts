import { defineListSpec, filter } from '../common/list/list-spec.js';
import { CONTENT_TYPES } from '../rbac/permissions.js';

export const ORGANIZATION_LIST = defineListSpec({
  filters: {
    name: filter.string('o.name', 'Exact name (repeatable).'),
    id: filter.int('o.id', 'Organization id (repeatable).'),
  },
  search: {
    fields: ['o.name', 'o.description'],
    description: 'Case-insensitive substring of name or description.',
  },
  ordering: { name: 'o.name', id: 'o.id', created: 'o.created', modified: 'o.modified' },
  defaultOrdering: ['name'],
  tieBreaker: 'o.id',
});

export const TEAM_LIST = defineListSpec({
  filters: {
    organization: filter.int('t.organization_id', 'Organization id (repeatable).'),
    name: filter.string('t.name', 'Exact name (repeatable).'),
  },
  search: {
    fields: ['t.name', 't.description'],
    description: 'Case-insensitive substring of name or description.',
  },
  ordering: { name: 't.name', id: 't.id', created: 't.created' },
  defaultOrdering: ['name'],
  tieBreaker: 't.id',
});

export const USER_LIST = defineListSpec({
  filters: {
    username: filter.string('u.username', 'Exact username (repeatable).'),
    is_superuser: filter.bool('u.is_superuser', 'Superusers only (true) or others (false).'),
    is_active: filter.bool('u.is_active', 'Active accounts only (true) or disabled ones (false).'),
  },
  search: {
    fields: ['u.username', 'u.email', 'u.first_name', 'u.last_name'],
    description: 'Case-insensitive substring of username, email, first or last name.',
  },
  ordering: { username: 'u.username', id: 'u.id', last_login: 'u.last_login', created: 'u.created' },
  defaultOrdering: ['username'],
  tieBreaker: 'u.id',
});

export const ROLE_DEFINITION_LIST = defineListSpec({
  filters: {
    content_type: filter.custom({
      type: 'enum',
      enumValues: [...CONTENT_TYPES, 'global'],
      description: 'What the role is assigned on; "global" for global roles.',
      build: (values, params) =>
        values[0] === 'global' ? 'rd.content_type IS NULL' : `rd.content_type = ${params.add(values[0])}`,
    }),
    managed: filter.bool('rd.managed', 'Seeded (true) or custom (false) roles.'),
    name: filter.string('rd.name', 'Exact name (repeatable).'),
  },
  search: {
    fields: ['rd.name', 'rd.description'],
    description: 'Case-insensitive substring of name or description.',
  },
  ordering: { name: 'rd.name', id: 'rd.id' },
  defaultOrdering: ['name'],
  tieBreaker: 'rd.id',
});

const assignmentFilters = {
  role_definition: filter.int('ra.role_definition_id', 'Role definition id (repeatable).'),
  content_type: filter.enumOf(CONTENT_TYPES, 'ra.object_type', 'Kind of object (repeatable).'),
  object_id: filter.string('ra.object_id', 'Object id (repeatable).', { lookups: false }),
  source: filter.enumOf(['local', 'jwt'], 'ra.source', 'local, or jwt (synchronized from gateway tokens).'),
};

export const ROLE_USER_ASSIGNMENT_LIST = defineListSpec({
  filters: { ...assignmentFilters, user: filter.int('ra.user_id', 'User id (repeatable).') },
  ordering: { id: 'ra.id', created: 'ra.created' },
  defaultOrdering: ['id'],
  tieBreaker: 'ra.id',
});

export const ROLE_TEAM_ASSIGNMENT_LIST = defineListSpec({
  filters: { ...assignmentFilters, team: filter.int('ra.team_id', 'Team id (repeatable).') },
  ordering: { id: 'ra.id', created: 'ra.created' },
  defaultOrdering: ['id'],
  tieBreaker: 'ra.id',
});

export const ACTIVITY_LIST = defineListSpec({
  filters: {
    object_type: filter.string(
      'a.object_type',
      'Kind of object, e.g. provider, organization, team (repeatable).',
    ),
    object_id: filter.string('a.object_id', 'Object id (repeatable).', { lookups: false }),
    actor: filter.int('a.actor_id', 'User id of who did it (repeatable).'),
    actor_username: filter.string(
      'a.actor_username',
      'Username of who did it: `cli` for the command line, `system` for the service itself (repeatable).',
    ),
    operation: filter.string('a.operation', 'create, update, delete or an action name (repeatable).'),
    organization: filter.int('a.organization_id', 'Organization id (repeatable).'),
    timestamp_after: filter.after('a.created', 'At or after this time (ISO 8601).'),
    timestamp_before: filter.before('a.created', 'At or before this time (ISO 8601).'),
  },
  search: {
    fields: ['a.object_repr', 'a.actor_username'],
    description: 'Case-insensitive substring of the object name or actor.',
  },
  ordering: { timestamp: 'a.created', id: 'a.id' },
  defaultOrdering: ['-timestamp'],
  tieBreaker: 'a.id',
});
