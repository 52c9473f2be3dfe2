/** Where a provider's infrastructure runs. */
export const INFRASTRUCTURES = [
  'private_cloud',
  'public_cloud',
  'hybrid_cloud',
  'bare_metal',
  'container',
  'network',
  'storage',
  'edge',
] as const;
export type Infrastructure = (typeof INFRASTRUCTURES)[number];
