import { LAST_SEEN_AT_SQL } from './resource-tracking.sql.js';

/** Resource types that are machines: what a canonical identity (SMBIOS UUID, instance id) names. */
export const MACHINE_TYPES = ['virtual_machine', 'hypervisor_host', 'bare_metal', 'physical_server'];

/**
 * The machines view: the visible resources grouped by canonical_id, kept when at least
 * one of them is a machine (a VPC id or an ARN is an identity too, but not a machine).
 * `visible` is the caller's RBAC condition on `r`; its placeholders are the list's own
 * parameters, so the page and the COUNT share them. Grouping runs over the
 * (canonical_id) index's rows only: resources without a canonical id are never read.
 */
export function machinesFrom(visible: string[], machineTypes: string): string {
  const where = ['r.canonical_id IS NOT NULL', ...visible].map((c) => `(${c})`).join(' AND ');
  const current = `r.removed_at IS NULL DESC, ${LAST_SEEN_AT_SQL} DESC`;
  return `(SELECT r.canonical_id,
            (array_agg(r.name ORDER BY ${current}))[1] AS name,
            (array_agg(t.slug ORDER BY t.slug = ANY(${machineTypes}) DESC, ${current}))[1] AS resource_type,
            count(*)::int AS resource_count,
            count(DISTINCT r.provider_id)::int AS provider_count,
            array_agg(DISTINCT r.provider_id) AS provider_ids,
            array_agg(DISTINCT p.vendor::text ORDER BY p.vendor::text) AS vendors,
            min(r.first_discovered_at) AS first_discovered_at,
            max(${LAST_SEEN_AT_SQL}) AS last_seen_at,
            bool_and(r.removed_at IS NOT NULL) AS removed
          FROM resources r
          JOIN providers p ON p.id = r.provider_id
          JOIN resource_types t ON t.id = r.resource_type_id
          WHERE ${where}
          GROUP BY r.canonical_id
          HAVING bool_or(t.slug = ANY(${machineTypes}))) m`;
}

/** Per machine, the providers that see it (for the list rows of one page). */
export const MACHINE_PROVIDERS_SQL = `
  SELECT r.canonical_id, p.id, p.name, p.vendor, p.provider_type, count(*)::int AS resource_count
  FROM resources r JOIN providers p ON p.id = r.provider_id
  WHERE r.canonical_id = ANY($1) AND r.provider_id = ANY($2)
  GROUP BY r.canonical_id, p.id, p.name, p.vendor, p.provider_type
  ORDER BY p.name`;
