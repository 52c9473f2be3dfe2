import type { EntityManager } from 'typeorm';

/**
 * A provider moved to another organization: its resources, their sightings and its
 * relationships carry the organization (denormalized for scoped reads) and move with it,
 * in the caller's transaction (ProvidersService.update, which moves every other
 * organization-scoped table through the module that owns it).
 */
export async function moveProviderInventory(
  manager: EntityManager,
  providerId: string,
  organizationId: number,
): Promise<void> {
  const params = [organizationId, providerId];
  await manager.query(`UPDATE resources SET organization_id = $1 WHERE provider_id = $2`, params);
  await manager.query(`UPDATE resource_sightings SET organization_id = $1 WHERE provider_id = $2`, params);
  await manager.query(
    `UPDATE resource_relationships SET organization_id = $1 WHERE provider_id = $2`,
    params,
  );
}
