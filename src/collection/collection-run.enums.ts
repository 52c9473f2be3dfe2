export const RUN_STATUSES = ['pending', 'running', 'completed', 'failed', 'canceled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A run in one of these states blocks another run of the same provider. */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['pending', 'running'];

export const COLLECTION_TYPES = ['full', 'incremental', 'targeted'] as const;
export type CollectionType = (typeof COLLECTION_TYPES)[number];

export const RUN_TRIGGERS = ['user', 'schedule', 'system'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
