import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CollectionExecutor } from '../src/collection/collection-executor.js';
import { providerSecrets, type SecretBox } from '../src/common/crypto/secret-box.js';
import { CLI_ACTOR, recordActivity } from '../src/platform/activity.service.js';
import { secretPolicy } from '../src/plugins/connection-parameters.js';
import type { ProviderPlugin } from '../src/plugins/plugin.contract.js';
import { PluginRegistry } from '../src/plugins/plugin-registry.js';
import { sealSecrets } from '../src/providers/connection-config.js';
import { FakeAws, fillAwsEstate } from '../test/support/fake-aws.js';
import { FakeKubernetes, fillCluster } from '../test/support/fake-kubernetes.js';
import { seedVmwareLab } from './vmware-lab.seed.js';

export const AWS_PROVIDER_NAME = 'Multivendor AWS account (simulated)';
export const CLUSTER_PROVIDER_NAME = 'Multivendor OpenShift cluster (simulated)';

export interface MultivendorSeedResult {
  providers: { vmware: string; aws: string; kubernetes: string };
  /** Canonical ids seen by more than one provider. */
  shared: string[];
}

/** A deterministic SMBIOS-style UUID (EC2's start with "ec2"). */
const uuidFor = (text: string) => {
  const h = createHash('sha1').update(text).digest('hex');
  return `ec2${h.slice(3, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/**
 * Three providers that see some of the same machines: the VMware lab (seeded first, as
 * `seed vmware-lab` does, if it is not there), an AWS account and an OpenShift cluster,
 * both served by the local fakes the tests use (test/support/fake-aws.ts and
 * fake-kubernetes.ts), started for the collections and stopped afterwards. The cluster's
 * nodes are three of the lab's running Linux VMs (their BIOS UUIDs as system UUIDs,
 * whatever the lab's names are) and two EC2 instances (EKS-style workers whose SMBIOS
 * UUID the instance tag carries): five machines seen by two providers.
 */
export async function seedMultivendor(
  db: DataSource,
  secrets: SecretBox,
  options: { flush: boolean; progress: (message: string) => void },
): Promise<MultivendorSeedResult> {
  const lab = await seedVmwareLab(db, secrets, { flush: false, progress: options.progress });
  const [org] = await db.query<{ id: number }[]>(
    `SELECT organization_id AS id FROM providers WHERE id = $1`,
    [lab.providerId],
  );
  const vms = await db.query<{ canonical_id: string; name: string; ip: string | null }[]>(
    `SELECT r.canonical_id, r.name, r.ip_addresses[1] AS ip FROM resources r JOIN resource_types t ON t.id = r.resource_type_id
     WHERE r.provider_id = $1 AND t.slug = 'virtual_machine' AND r.removed_at IS NULL AND r.canonical_id IS NOT NULL
       AND r.os_type = 'linux' AND r.power_state = 'poweredOn'
     ORDER BY r.name LIMIT 3`,
    [lab.providerId],
  );
  if (vms.length === 0) throw new Error('The VMware lab has no running Linux VM to run the cluster on.');

  const aws = new FakeAws();
  const k8s = new FakeKubernetes();
  const regions = ['us-east-1', 'eu-west-1'];
  // The first two instances of us-east-1 are the cluster's cloud workers.
  fillAwsEstate(aws, {
    regions,
    instancesPerRegion: 6,
    smbiosUuid: (region, n) => (region === 'us-east-1' && n < 2 ? uuidFor(`${region}/${n}`) : null),
  });
  const workers = aws.region('us-east-1').instances.slice(0, 2);
  fillCluster(k8s, {
    nodes: [
      ...vms.map((vm, i) => ({
        name: `ocp-worker-${i + 1}`,
        systemUUID: vm.canonical_id,
        ip: vm.ip ?? `10.20.0.${i + 11}`,
      })),
      ...workers.map((w) => ({
        name: `ip-${w.privateIp.replace(/\./g, '-')}.ec2.internal`,
        systemUUID: w.tags.smbios_uuid,
        ip: w.privateIp,
        awsInstance: { id: w.id, zone: w.az },
      })),
    ],
    namespaces: ['shop', 'payments'],
    deploymentsPerNamespace: 2,
    replicas: 3,
  });
  const awsUrl = await aws.start();
  const k8sUrl = await k8s.start();
  try {
    const registry = new PluginRegistry([]);
    await registry.discover();
    const upsert = async (
      name: string,
      plugin: ProviderPlugin,
      endpoint: string,
      config: Record<string, unknown>,
    ) => {
      const m = plugin.manifest;
      // Each write is in /activitystream/ with the actor `cli`, as the command's other writes.
      const record = (operation: string, id: string, changes?: Record<string, unknown>) =>
        recordActivity(db, CLI_ACTOR, {
          operation,
          objectType: 'provider',
          objectId: id,
          objectRepr: name,
          organizationId: org.id,
          changes,
        });
      if (options.flush) {
        const deleted = await db.query<{ id: string }[]>(
          `DELETE FROM providers WHERE organization_id = $1 AND name = $2 RETURNING id`,
          [org.id, name],
        );
        for (const row of deleted) await record('delete', row.id);
      }
      const [row] = await db.query<{ id: string; inserted: boolean }[]>(
        `INSERT INTO providers (name, description, organization_id, vendor, provider_type, infrastructure, endpoint, connection_config)
         VALUES ($1, 'Served by a local simulator started by inventory seed multivendor', $2, $3, $4, $5, $6, $7)
         ON CONFLICT (organization_id, name) DO UPDATE SET endpoint = EXCLUDED.endpoint, connection_config = EXCLUDED.connection_config
         RETURNING id, (xmax = 0) AS inserted`,
        [name, org.id, m.vendor, m.provider_type, m.infrastructure, endpoint, '{}'],
      );
      // Sealed once the id is known: each secret is bound to its provider.
      const sealed = sealSecrets(
        config,
        providerSecrets(secrets, row.id),
        {},
        'connection_config',
        secretPolicy(m),
      );
      await db.query(`UPDATE providers SET connection_config = $2 WHERE id = $1`, [
        row.id,
        JSON.stringify(sealed),
      ]);
      // An existing provider is updated: this run's simulators listen elsewhere, with other keys.
      if (row.inserted)
        await record('create', row.id, {
          name: [null, name],
          plugin: [null, `${m.vendor}:${m.provider_type}`],
        });
      else await record('update', row.id);
      return row.id;
    };
    const plugin = (key: string) => registry.get(key)!.plugin;
    const awsId = await upsert(AWS_PROVIDER_NAME, plugin('aws:aws'), '', {
      access_key_id: aws.accessKeyId,
      secret_access_key: aws.secretAccessKey,
      region: 'us-east-1',
      regions,
      endpoint_url: awsUrl,
      allow_http: true,
    });
    const clusterId = await upsert(CLUSTER_PROVIDER_NAME, plugin('kubernetes:cluster'), k8sUrl, {
      token: k8s.token,
      cluster_name: 'ocp-lab',
      allow_http: true,
    });
    const executor = new CollectionExecutor(db, registry, secrets);
    for (const [label, id] of [
      ['AWS account', awsId],
      ['OpenShift cluster', clusterId],
    ] as const) {
      const [run] = await db.query<{ id: string }[]>(
        `INSERT INTO collection_runs (provider_id, status, collection_type, triggered_by) VALUES ($1, 'pending', 'full', 'system') RETURNING id`,
        [id],
      );
      const status = await executor.execute(run.id);
      const [done] = await db.query<{ resources_found: number; error_message: string }[]>(
        `SELECT resources_found, error_message FROM collection_runs WHERE id = $1`,
        [run.id],
      );
      options.progress(
        `${label}: ${status}, ${done.resources_found} resources${done.error_message ? ` (${done.error_message})` : ''}`,
      );
      if (status !== 'completed')
        throw new Error(`The ${label} collection ended ${status}: ${done.error_message}`);
    }
    const shared = await db.query<{ canonical_id: string }[]>(
      `SELECT canonical_id FROM resources WHERE provider_id = ANY($1) AND canonical_id IS NOT NULL AND removed_at IS NULL
       GROUP BY canonical_id HAVING count(DISTINCT provider_id) > 1 ORDER BY canonical_id`,
      [[lab.providerId, awsId, clusterId]],
    );
    return {
      providers: { vmware: lab.providerId, aws: awsId, kubernetes: clusterId },
      shared: shared.map((s) => s.canonical_id),
    };
  } finally {
    await aws.stop();
    await k8s.stop();
  }
}
