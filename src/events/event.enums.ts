export const EVENT_TYPES = [
  'resource.created',
  'resource.changed',
  'resource.removed',
  'resource.restored',
  'relationship.added',
  'relationship.closed',
  'collection_run.started',
  'collection_run.completed',
  'collection_run.failed',
  'collection_run.canceled',
  'system.enrolled',
  'system.status_changed',
  'facts.changed',
  'resource.tagged',
  'resource.untagged',
  'watchlist.member_added',
  'watchlist.member_removed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type EventSeverity = (typeof EVENT_SEVERITIES)[number];
