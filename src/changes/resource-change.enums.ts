export const CHANGE_TYPES = ['added', 'removed', 'modified', 'restored'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const CHANGE_CATEGORIES = [
  'os',
  'hardware',
  'network',
  'storage',
  'software',
  'security',
  'identity',
  'configuration',
  'state',
  'availability',
] as const;
export type ChangeCategory = (typeof CHANGE_CATEGORIES)[number];

export const CHANGE_SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type ChangeSeverity = (typeof CHANGE_SEVERITIES)[number];

/** What detected the change. */
export const CHANGE_SOURCES = ['collection_run', 'fact_snapshot', 'heartbeat'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];
