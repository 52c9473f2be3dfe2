import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CollectionExecutor } from '../src/collection/collection-executor.js';
import { providerSecrets, SecretBox } from '../src/common/crypto/secret-box.js';
import { secretPolicy } from '../src/plugins/connection-parameters.js';
import type { PluginRegistry } from '../src/plugins/plugin-registry.js';
import { sealSecrets } from '../src/providers/connection-config.js';
import { FakeAws, fillAwsEstate } from '../test/support/fake-aws.js';
import { FakeKubernetes, fillCluster } from '../test/support/fake-kubernetes.js';

/**
 * The built-in collectors against their local wire-format servers (the fakes the tests
 * use), each at about BENCH_COLLECTOR_RESOURCES resources (default 10,000), beside the
 * simulated vCenter lab at the same size: a first full run of each, resources/s and the
 * ratio to the lab. The AWS and Kubernetes runs include the SDKs' HTTP round trips, XML
 * and JSON parsing and pagination; file:import parses a CSV stored with the provider.
 */
export async function runCollectorBench(
  db: DataSource,
  registry: PluginRegistry,
  log: (message: string) => void,
): Promise<void> {
  const secrets = new SecretBox(randomBytes(32));
  const executor = new CollectionExecutor(db, registry, secrets);
  const target = Number(process.env.BENCH_COLLECTOR_RESOURCES ?? 10_000);
  const [org] = await db.query<{ id: number }[]>(`SELECT id FROM organizations WHERE name = 'Default'`);
  const provider = async (name: string, key: string, endpoint: string, config: Record<string, unknown>) => {
    const plugin = registry.get(key)!.plugin;
    const m = plugin.manifest;
    const id = randomUUID();
    const sealed = sealSecrets(
      config,
      providerSecrets(secrets, id),
      {},
      'connection_config',
      secretPolicy(m),
    );
    return (
      await db.query<{ id: string }[]>(
        `INSERT INTO providers (id, name, organization_id, vendor, provider_type, infrastructure, endpoint, connection_config)
         VALUES ($8, $1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [name, org.id, m.vendor, m.provider_type, m.infrastructure, endpoint, JSON.stringify(sealed), id],
      )
    )[0].id;
  };
  const run = async (label: string, providerId: string) => {
    const [row] = await db.query<{ id: string }[]>(
      `INSERT INTO collection_runs (provider_id, status) VALUES ($1, 'pending') RETURNING id`,
      [providerId],
    );
    const started = performance.now();
    const status = await executor.execute(row.id);
    const seconds = (performance.now() - started) / 1000;
    const [done] = await db.query<{ resources_found: number; error_message: string }[]>(
      `SELECT resources_found, error_message FROM collection_runs WHERE id = $1`,
      [row.id],
    );
    if (status !== 'completed') throw new Error(`${label} ended ${status}: ${done.error_message}`);
    log(`${label}: ${done.resources_found} resources in ${seconds.toFixed(1)} s`);
    return { label, resources: done.resources_found, seconds, perSecond: done.resources_found / seconds };
  };

  const results: Awaited<ReturnType<typeof run>>[] = [];
  // The lab: ~1.08 resources per VM.
  results.push(
    await run(
      'vmware:vcenter-lab',
      await provider('Bench collectors lab', 'vmware:vcenter-lab', '', {
        scale: Math.round(target / 1.08),
        seed: 11,
      }),
    ),
  );

  const aws = new FakeAws();
  // Per region: each instance has its volume, plus 10 other resources and a bucket.
  fillAwsEstate(aws, { regions: ['us-east-1'], instancesPerRegion: Math.round((target - 11) / 2) });
  const awsUrl = await aws.start();
  try {
    results.push(
      await run(
        'aws:aws',
        await provider('Bench collectors AWS', 'aws:aws', '', {
          access_key_id: aws.accessKeyId,
          secret_access_key: aws.secretAccessKey,
          regions: ['us-east-1'],
          endpoint_url: awsUrl,
          allow_http: true,
        }),
      ),
    );
  } finally {
    await aws.stop();
  }

  const k8s = new FakeKubernetes();
  // 10 namespaces of d deployments × 4 replicas: 7d + 6 resources each, 50 nodes.
  const perNamespace = Math.max(1, Math.round((target / 10 - 6 - 5) / 7));
  fillCluster(k8s, {
    nodes: Array.from({ length: 50 }, (_, i) => ({
      name: `worker-${i + 1}`,
      systemUUID: `4203e1b1-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
      ip: `10.30.0.${i + 10}`,
    })),
    namespaces: Array.from({ length: 10 }, (_, i) => `team-${i + 1}`),
    deploymentsPerNamespace: perNamespace,
    replicas: 4,
  });
  const k8sUrl = await k8s.start();
  try {
    results.push(
      await run(
        'kubernetes:cluster',
        await provider('Bench collectors cluster', 'kubernetes:cluster', k8sUrl, {
          token: k8s.token,
          allow_http: true,
        }),
      ),
    );
  } finally {
    await k8s.stop();
  }

  const fileProvider = await provider('Bench collectors file', 'file:import', '', {});
  const rows = [
    'ems_ref,name,resource_type,canonical_id,state,cpu_count,memory_mb,ip_addresses,properties.rack,tags.env',
  ];
  for (let i = 0; i < target; i++)
    rows.push(
      `srv-${i},bare-${i},bare_metal,4c4c4544-0000-4000-8000-${String(i).padStart(12, '0')},running,${16 << (i % 3)},${65536 << (i % 2)},10.40.${(i >> 8) & 255}.${i & 255},R${i % 40},${i % 2 ? 'prod' : 'dev'}`,
    );
  await db.query(
    `INSERT INTO provider_documents (provider_id, filename, content_type, size_bytes, sha256, content)
     VALUES ($1, 'bench.csv', 'text/csv', $2, repeat('0', 64), $3)`,
    [fileProvider, Buffer.byteLength(rows.join('\n')), Buffer.from(rows.join('\n'))],
  );
  results.push(await run('file:import', fileProvider));

  const lab = results[0].perSecond;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`\nCollectors against their local servers, first full run at ~${fmt(target)} resources\n`);
  console.log('| Plugin | Resources | Seconds | Resources/s | vs the lab |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results)
    console.log(
      `| ${r.label} | ${fmt(r.resources)} | ${r.seconds.toFixed(1)} | ${fmt(r.perSecond)} | ${(r.perSecond / lab).toFixed(2)}× |`,
    );
}
