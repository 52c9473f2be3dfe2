import type { DataSource } from 'typeorm';
import { CollectionExecutor } from '../src/collection/collection-executor.js';
import type { SecretBox } from '../src/common/crypto/secret-box.js';
import { CLI_ACTOR, recordActivity } from '../src/platform/activity.service.js';
import { PluginRegistry } from '../src/plugins/plugin-registry.js';

export const LAB_PROVIDER_NAME = 'Lab vCenter - vcsa01.lab.local';
const DAY = 86_400_000;

export interface LabSeedResult {
  providerId: string;
  runs: number;
  skipped: boolean;
}

/**
 * The VMware lab, the original service's `seed_vmware_data` lab: organization "Default",
 * provider "Lab vCenter - vcsa01.lab.local" (vmware:vcenter-lab, region Lab-DC1) and
 * eight real collection runs through the executor, with the clock set 7, 6, … 1 days ago
 * and now: the past runs see the lab's drift (VMs stopped on some days, other vCPU and
 * memory sizes), the last one the documented lab, so history and changes accumulate:
 * 27 resources, 49 relationships, 216 sightings. `flush` removes the lab
 * provider and everything under it first; without it an existing lab is left as it is.
 */
export async function seedVmwareLab(
  db: DataSource,
  secrets: SecretBox,
  options: { flush: boolean; progress: (message: string) => void },
): Promise<LabSeedResult> {
  await db.query(
    `INSERT INTO organizations (name, description) VALUES ('Default', 'Created at installation.') ON CONFLICT (name) DO NOTHING`,
  );
  const [org] = await db.query<{ id: number }[]>(`SELECT id FROM organizations WHERE name = 'Default'`);
  const existing = await db.query<{ id: string; runs: number }[]>(
    `SELECT p.id, (SELECT count(*)::int FROM collection_runs r WHERE r.provider_id = p.id) AS runs
     FROM providers p WHERE p.organization_id = $1 AND p.name = $2`,
    [org.id, LAB_PROVIDER_NAME],
  );
  if (existing[0] && options.flush) {
    options.progress(`Removing the existing lab provider and everything collected from it`);
    await db.query(`DELETE FROM role_assignments WHERE object_type = 'provider' AND object_id = $1`, [
      existing[0].id,
    ]);
    await db.query(`DELETE FROM providers WHERE id = $1`, [existing[0].id]);
    await recordActivity(db, CLI_ACTOR, {
      operation: 'delete',
      objectType: 'provider',
      objectId: existing[0].id,
      objectRepr: LAB_PROVIDER_NAME,
      organizationId: org.id,
    });
  } else if (existing[0] && existing[0].runs > 0) {
    options.progress(`The lab is already seeded (${existing[0].runs} runs); use --flush to seed it again`);
    return { providerId: existing[0].id, runs: 0, skipped: true };
  }
  const providerId =
    existing[0] && !options.flush
      ? existing[0].id
      : (
          await db.query<{ id: string }[]>(
            `INSERT INTO providers (name, description, organization_id, vendor, provider_type, infrastructure, endpoint, connection_config)
             VALUES ($1, 'Simulated vSphere lab (seed)', $2, 'vmware', 'vcenter-lab', 'private_cloud', 'https://vcsa01.lab.local/sdk', $3) RETURNING id`,
            [LAB_PROVIDER_NAME, org.id, JSON.stringify({ datacenter: 'Lab-DC1', seed: 42, scale: 0 })],
          )
        )[0].id;
  if (!existing[0] || options.flush)
    await recordActivity(db, CLI_ACTOR, {
      operation: 'create',
      objectType: 'provider',
      objectId: providerId,
      objectRepr: LAB_PROVIDER_NAME,
      organizationId: org.id,
      changes: { name: [null, LAB_PROVIDER_NAME], plugin: [null, 'vmware:vcenter-lab'] },
    });
  const registry = new PluginRegistry([]);
  await registry.discover();
  const executor = new CollectionExecutor(db, registry, secrets);
  const now = Date.now();
  const days = [7, 6, 5, 4, 3, 2, 1, 0];
  for (const [index, daysAgo] of days.entries()) {
    const [run] = await db.query<{ id: string }[]>(
      `INSERT INTO collection_runs (provider_id, status, collection_type, triggered_by) VALUES ($1, 'pending', 'full', 'system') RETURNING id`,
      [providerId],
    );
    const at = new Date(now - daysAgo * DAY);
    const status = await executor.execute(run.id, { clock: () => at });
    const [done] = await db.query<
      {
        resources_found: number;
        resources_created: number;
        resources_updated: number;
        resources_unchanged: number;
        error_message: string;
      }[]
    >(
      `SELECT resources_found, resources_created, resources_updated, resources_unchanged, error_message FROM collection_runs WHERE id = $1`,
      [run.id],
    );
    options.progress(
      `Run ${index + 1}/${days.length} (${daysAgo === 0 ? 'now' : `${daysAgo} day${daysAgo > 1 ? 's' : ''} ago`}): ${status}, ` +
        `${done.resources_found} found, ${done.resources_created} created, ${done.resources_updated} updated, ${done.resources_unchanged} unchanged` +
        (done.error_message ? ` (${done.error_message})` : ''),
    );
    if (status !== 'completed')
      throw new Error(`Seed run ${index + 1} ended ${status}: ${done.error_message}`);
  }
  return { providerId, runs: days.length, skipped: false };
}
