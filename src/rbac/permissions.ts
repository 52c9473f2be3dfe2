/**
 * Permission codenames. A role definition is a set of these; a role assignment gives
 * them to a user or team on one object (or globally). Object-level permissions given
 * on an organization also apply to the teams and providers inside it.
 */
export const PERMISSIONS = {
  'organization.view': 'See the organization and its members',
  'organization.change': 'Edit the organization and manage role assignments on it and on what is inside it',
  'team.view': 'See the team and its members',
  'team.add': 'Create teams in the organization',
  'team.change': 'Edit the team and manage its members',
  'team.delete': 'Delete the team',
  'team.member': 'Belong to the team (and so hold the roles given to it)',
  'provider.view':
    'See the provider and everything collected from it (resources, sightings, relationships, runs)',
  'provider.add': 'Create providers in the organization',
  'provider.change': 'Edit the provider',
  'provider.delete': 'Delete the provider and what was collected from it',
  'provider.collect': 'Trigger and cancel collection runs of the provider',
  'system.view': 'See the push clients (systems) of the organization',
  'system.add': 'Enroll systems in the organization, and push facts into it with your own credentials',
  'system.change': 'Regenerate secrets of, suspend, resume and delete the systems of the organization',
  'alert.view': "See the organization's alerts",
  'alert.change': "Acknowledge and resolve the organization's alerts",
  'webhook.view': "See the organization's webhooks and their deliveries",
  'webhook.add': 'Create webhooks in the organization',
  'webhook.change': 'Edit, test and redeliver the webhooks of the organization',
  'webhook.delete': 'Delete the webhooks of the organization',
  'alert_rule.view': "See the organization's alert rules",
  'alert_rule.add': 'Create alert rules in the organization',
  'alert_rule.change':
    "Edit (and enable or disable) the organization's alert rules, the built-in ones included",
  'alert_rule.delete': "Delete the organization's own alert rules",
  'tag.view': "See the organization's user tags",
  'tag.add': 'Create user tags in the organization',
  'tag.change': "Edit the organization's user tags",
  'tag.delete': "Delete the organization's user tags (and take them off every resource)",
  'resource.tag':
    'Put user tags on and take them off the resources (of the organization, or of one provider)',
  'automation_record.view': "See the organization's automation records and pending matches",
  'automation_record.add': 'Post automation records (job results per host) into the organization',
  'automation_record.change': "Confirm or reject the organization's pending matches",
  'watchlist.view': "See the organization's watchlists and their members",
  'watchlist.add': 'Create watchlists in the organization',
  'watchlist.change': "Edit the organization's watchlists and choose their resources",
  'watchlist.delete': "Delete the organization's watchlists",
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export type ContentType = 'organization' | 'team' | 'provider';
export const CONTENT_TYPES: readonly ContentType[] = ['organization', 'team', 'provider'];

/** The permissions that make sense on each kind of object (what a custom role may hold). */
export const PERMISSIONS_BY_CONTENT_TYPE: Record<ContentType, Permission[]> = {
  organization: PERMISSION_NAMES,
  team: ['team.view', 'team.change', 'team.delete', 'team.member'],
  provider: ['provider.view', 'provider.change', 'provider.delete', 'provider.collect', 'resource.tag'],
};

/** Roles whose assignments gateway tokens manage (added and removed to match the claims). */
export const JWT_MANAGED_ROLES = [
  'Organization Admin',
  'Organization Member',
  'Team Admin',
  'Team Member',
  'Platform Auditor',
];

/** What each gateway-managed role is given on: null for a global role. */
export const JWT_ROLE_CONTENT_TYPES: Record<string, ContentType | null> = {
  'Organization Admin': 'organization',
  'Organization Member': 'organization',
  'Team Admin': 'team',
  'Team Member': 'team',
  'Platform Auditor': null,
};
