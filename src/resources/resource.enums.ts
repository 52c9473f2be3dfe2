/** Normalized lifecycle state; collectors map vendor states onto these. */
export const RESOURCE_STATES = [
  'running',
  'stopped',
  'suspended',
  'paused',
  'pending',
  'terminated',
  'maintenance',
  'available',
  'unavailable',
  'error',
  'template',
  'unknown',
] as const;
export type ResourceState = (typeof RESOURCE_STATES)[number];

export const POWER_STATES = ['on', 'off', 'suspended', 'unknown'] as const;
export type PowerState = (typeof POWER_STATES)[number];
