/** Normalized lifecycle state; collectors map vendor states onto these. */
export const RESOURCE_STATES = [
  'running',
  'stopped',
  'active',
  'inactive',
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

/** vSphere's names (VirtualMachinePowerState), as the original service reported them. */
export const POWER_STATES = ['poweredOn', 'poweredOff', 'suspended', 'unknown'] as const;
export type PowerState = (typeof POWER_STATES)[number];
