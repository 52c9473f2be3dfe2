export const RELATIONSHIP_TYPES = [
  'runs_on',
  'attached_to',
  'member_of',
  'part_of',
  'manages',
  'connected_to',
  'routes_to',
] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];
