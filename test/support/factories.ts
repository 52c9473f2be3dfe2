import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { appendEvents, type NewEvent } from '../../src/events/event-log.sql.js';

/**
 * Factories that write realistic rows straight into the test database. Each test file
 * builds its own data (its own organization and providers), so files never depend on
 * each other's rows.
 */

export async function createOrganization(
  pool: pg.Pool,
  name = `Org ${randomUUID().slice(0, 8)}`,
): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO organizations (name) VALUES ($1) RETURNING id`,
    [name],
  );
  return rows[0].id;
}

export interface ProviderInput {
  name?: string;
  organizationId: number;
  vendor?: string;
  providerType?: string;
  infrastructure?: string;
  endpoint?: string;
  enabled?: boolean;
  created?: Date;
}

export async function createProvider(pool: pg.Pool, input: ProviderInput): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO providers (name, organization_id, vendor, provider_type, infrastructure, endpoint, enabled, created, modified)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
    [
      input.name ?? `Provider ${randomUUID().slice(0, 8)}`,
      input.organizationId,
      input.vendor ?? 'vmware',
      input.providerType ?? 'vcenter',
      input.infrastructure ?? 'private_cloud',
      input.endpoint ?? 'vcsa01.lab.local',
      input.enabled ?? true,
      input.created ?? new Date(),
    ],
  );
  return rows[0].id;
}

export interface ResourceInput {
  providerId: string;
  organizationId: number;
  type: string;
  name: string;
  emsRef?: string;
  vendorType?: string;
  canonicalId?: string | null;
  state?: string;
  powerState?: string | null;
  region?: string;
  availabilityZone?: string;
  cloudTenant?: string;
  flavor?: string;
  fqdn?: string;
  ipAddresses?: string[];
  osType?: string;
  osName?: string;
  cpuCount?: number | null;
  memoryMb?: number | null;
  diskGb?: number | null;
  properties?: Record<string, unknown>;
  providerTags?: Record<string, unknown>;
  vendorIdentifiers?: Record<string, unknown>;
  firstDiscoveredAt?: Date;
  lastSeenAt?: Date;
  seenCount?: number;
  removedAt?: Date | null;
  bootTime?: Date | null;
  emsCreatedOn?: Date | null;
}

export async function createResource(pool: pg.Pool, input: ResourceInput): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO resources (provider_id, organization_id, resource_type_id, vendor_type, name, ems_ref, canonical_id,
       vendor_identifiers, state, power_state, region, availability_zone, cloud_tenant, flavor, fqdn, ip_addresses,
       os_type, os_name, cpu_count, memory_mb, disk_gb, properties, provider_tags, first_discovered_at, last_seen_at,
       seen_count, removed_at, boot_time, ems_created_on)
     VALUES ($1, $2, (SELECT id FROM resource_types WHERE slug = $3), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
       $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)
     RETURNING id`,
    [
      input.providerId,
      input.organizationId,
      input.type,
      input.vendorType ?? '',
      input.name,
      input.emsRef ?? `ref-${randomUUID().slice(0, 8)}`,
      input.canonicalId ?? null,
      JSON.stringify(input.vendorIdentifiers ?? {}),
      input.state ?? 'running',
      input.powerState === undefined ? 'poweredOn' : input.powerState,
      input.region ?? '',
      input.availabilityZone ?? '',
      input.cloudTenant ?? '',
      input.flavor ?? '',
      input.fqdn ?? '',
      input.ipAddresses ?? [],
      input.osType ?? '',
      input.osName ?? '',
      input.cpuCount ?? null,
      input.memoryMb ?? null,
      input.diskGb ?? null,
      JSON.stringify(input.properties ?? {}),
      JSON.stringify(input.providerTags ?? {}),
      input.firstDiscoveredAt ?? new Date(),
      input.lastSeenAt ?? new Date(),
      input.seenCount ?? 1,
      input.removedAt ?? null,
      input.bootTime ?? null,
      input.emsCreatedOn ?? null,
    ],
  );
  return rows[0].id;
}

export interface SightingInput {
  resourceId: string;
  seenAt: Date;
  state?: string;
  powerState?: string | null;
  cpuCount?: number | null;
  memoryMb?: number | null;
  diskGb?: number | null;
  collectionRunId?: string | null;
  metrics?: Record<string, unknown>;
}

/** Sightings copy provider and organization from their resource, as the writers do. */
export async function createSightings(pool: pg.Pool, sightings: SightingInput[]): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO resource_sightings (resource_id, provider_id, organization_id, collection_run_id, seen_at, state,
       power_state, cpu_count, memory_mb, disk_gb, metrics)
     SELECT s."resourceId", r.provider_id, r.organization_id, s."collectionRunId", s."seenAt", s.state, s."powerState",
       s."cpuCount", s."memoryMb", s."diskGb", coalesce(s.metrics, '{}')
     FROM jsonb_to_recordset($1::jsonb) AS s("resourceId" uuid, "collectionRunId" uuid, "seenAt" timestamptz, state text,
       "powerState" text, "cpuCount" int, "memoryMb" int, "diskGb" float8, metrics jsonb)
     JOIN resources r ON r.id = s."resourceId"
     RETURNING id`,
    [
      JSON.stringify(
        sightings.map((s) => ({
          ...s,
          state: s.state ?? 'running',
          powerState: s.powerState === undefined ? 'poweredOn' : s.powerState,
        })),
      ),
    ],
  );
  return rows.map((r) => r.id);
}

export async function createRelationship(
  pool: pg.Pool,
  input: {
    sourceId: string;
    targetId: string;
    type: string;
    providerId?: string | null;
    removedAt?: Date | null;
    lastSeenAt?: Date;
  },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO resource_relationships (source_id, target_id, relationship_type, provider_id, organization_id, removed_at, last_seen_at)
     SELECT $1, $2, $3, $4, r.organization_id, $5, $6 FROM resources r WHERE r.id = $1 RETURNING id`,
    [
      input.sourceId,
      input.targetId,
      input.type,
      input.providerId ?? null,
      input.removedAt ?? null,
      input.lastSeenAt ?? new Date(),
    ],
  );
  return rows[0].id;
}

export interface RunInput {
  providerId: string;
  status: string;
  collectionType?: string;
  triggeredBy?: string;
  startedAt?: Date | null;
  completedAt?: Date | null;
  taskId?: string | null;
  found?: number;
  errorMessage?: string;
  created?: Date;
}

export async function createCollectionRun(pool: pg.Pool, input: RunInput): Promise<string> {
  const duration =
    input.startedAt && input.completedAt
      ? (input.completedAt.getTime() - input.startedAt.getTime()) / 1000
      : null;
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO collection_runs (provider_id, status, collection_type, triggered_by, started_at, completed_at,
       duration_seconds, task_id, resources_found, resources_created, error_message, created, modified)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $11) RETURNING id`,
    [
      input.providerId,
      input.status,
      input.collectionType ?? 'full',
      input.triggeredBy ?? 'user',
      input.startedAt ?? null,
      input.completedAt ?? null,
      duration,
      input.taskId ?? null,
      input.found ?? 0,
      input.errorMessage ?? '',
      input.created ?? new Date(),
    ],
  );
  return rows[0].id;
}

const day = 24 * 3600 * 1000;
export const daysAgo = (n: number, base = Date.now()) => new Date(base - n * day);

/**
 * A small but varied inventory: a vCenter (cluster, hosts, datastores, VMs in several
 * states and OSes), an AWS account in two regions (instances, volumes, a VPC) in
 * another organization, and a disabled Kubernetes provider; runs, sightings over a week
 * and the usual relationships (runs_on, attached_to, part_of, one removed).
 */
export async function seedReadFixture(pool: pg.Pool) {
  const orgA = await createOrganization(pool, `Lab ${randomUUID().slice(0, 6)}`);
  const orgB = await createOrganization(pool, `Cloud ${randomUUID().slice(0, 6)}`);
  const vcenter = await createProvider(pool, {
    name: 'Lab vCenter',
    organizationId: orgA,
    created: daysAgo(30),
  });
  const aws = await createProvider(pool, {
    name: 'AWS production',
    organizationId: orgB,
    vendor: 'aws',
    providerType: 'ec2',
    infrastructure: 'public_cloud',
    endpoint: 'https://ec2.us-east-1.amazonaws.com',
    created: daysAgo(20),
  });
  const k8s = await createProvider(pool, {
    name: 'Edge cluster',
    organizationId: orgA,
    vendor: 'kubernetes',
    providerType: 'cluster',
    infrastructure: 'container',
    enabled: false,
    created: daysAgo(10),
  });

  const lab = { providerId: vcenter, organizationId: orgA, region: 'Lab-DC1' };
  const cluster = await createResource(pool, {
    ...lab,
    type: 'auto_scaling_group',
    vendorType: 'ClusterComputeResource',
    name: 'Prod-Cluster',
    emsRef: 'domain-c8',
    state: 'available',
    powerState: null,
  });
  const host1 = await createResource(pool, {
    ...lab,
    type: 'hypervisor_host',
    vendorType: 'HostSystem',
    name: 'esxi01.lab.local',
    emsRef: 'host-10',
    fqdn: 'esxi01.lab.local',
    cpuCount: 64,
    memoryMb: 524288,
    osType: 'esxi',
    osName: 'VMware ESXi 8.0.2',
    canonicalId: '4c4c4544-0042-3510-8052-b4c04f4d4e31',
    availabilityZone: 'Prod-Cluster',
    seenCount: 8,
    firstDiscoveredAt: daysAgo(7),
    ipAddresses: ['10.0.0.11'],
  });
  const host2 = await createResource(pool, {
    ...lab,
    type: 'hypervisor_host',
    vendorType: 'HostSystem',
    name: 'esxi02.lab.local',
    emsRef: 'host-11',
    fqdn: 'esxi02.lab.local',
    cpuCount: 64,
    memoryMb: 524288,
    osType: 'esxi',
    osName: 'VMware ESXi 8.0.2',
    state: 'maintenance',
    availabilityZone: 'Prod-Cluster',
    seenCount: 8,
    firstDiscoveredAt: daysAgo(7),
    ipAddresses: ['10.0.0.12'],
  });
  const ds1 = await createResource(pool, {
    ...lab,
    type: 'block_storage',
    vendorType: 'Datastore',
    name: 'vsanDatastore',
    emsRef: 'datastore-20',
    state: 'available',
    powerState: null,
    diskGb: 8192,
    properties: { storage_type: 'vSAN', capacity_gb: 8192 },
  });
  const ds2 = await createResource(pool, {
    ...lab,
    type: 'file_storage',
    vendorType: 'Datastore:NFS',
    name: 'nfs-templates',
    emsRef: 'datastore-21',
    state: 'available',
    powerState: null,
    diskGb: 2048,
    properties: { storage_type: 'NFS', capacity_gb: 2048 },
  });
  const vmSpecs = [
    {
      name: 'rhel9-web01',
      ref: 'vm-101',
      state: 'running',
      power: 'poweredOn',
      os: 'linux',
      osName: 'Red Hat Enterprise Linux 9',
      cpu: 4,
      mem: 16384,
      disk: 100,
      uuid: '502e71fa-1c2d-4b3e-9f8a-000000000101',
      tags: { env: 'prod', app: 'web' },
    },
    {
      name: 'rhel9-web02',
      ref: 'vm-102',
      state: 'running',
      power: 'poweredOn',
      os: 'linux',
      osName: 'Red Hat Enterprise Linux 9',
      cpu: 4,
      mem: 16384,
      disk: 100,
      uuid: '502e71fa-1c2d-4b3e-9f8a-000000000102',
      tags: { env: 'prod', app: 'web' },
    },
    {
      name: 'rhel8-db01',
      ref: 'vm-103',
      state: 'running',
      power: 'poweredOn',
      os: 'linux',
      osName: 'Red Hat Enterprise Linux 8',
      cpu: 8,
      mem: 65536,
      disk: 500,
      uuid: '502e71fa-1c2d-4b3e-9f8a-000000000103',
      tags: { env: 'prod', app: 'db' },
    },
    {
      name: 'win2022-ad01',
      ref: 'vm-104',
      state: 'running',
      power: 'poweredOn',
      os: 'windows',
      osName: 'Microsoft Windows Server 2022',
      cpu: 2,
      mem: 8192,
      disk: 80,
      uuid: '502e71fa-1c2d-4b3e-9f8a-000000000104',
      tags: { env: 'prod', app: 'ad' },
    },
    {
      name: 'dev-sandbox',
      ref: 'vm-105',
      state: 'stopped',
      power: 'poweredOff',
      os: 'linux',
      osName: 'Ubuntu 24.04',
      cpu: 2,
      mem: 4096,
      disk: 40,
      uuid: '502e71fa-1c2d-4b3e-9f8a-000000000105',
      tags: { env: 'dev' },
    },
    {
      name: 'tmpl-rhel9',
      ref: 'vm-106',
      state: 'template',
      power: 'poweredOff',
      os: 'linux',
      osName: 'Red Hat Enterprise Linux 9',
      cpu: 2,
      mem: 4096,
      disk: 40,
      uuid: '502e71fa-1c2d-4b3e-9f8a-000000000106',
      tags: {},
    },
  ];
  const vms: string[] = [];
  for (const [i, vm] of vmSpecs.entries()) {
    vms.push(
      await createResource(pool, {
        ...lab,
        type: 'virtual_machine',
        vendorType: 'VirtualMachine',
        name: vm.name,
        emsRef: vm.ref,
        canonicalId: vm.uuid,
        vendorIdentifiers: { moid: vm.ref, bios_uuid: vm.uuid },
        state: vm.state,
        powerState: vm.power,
        osType: vm.os,
        osName: vm.osName,
        cpuCount: vm.cpu,
        memoryMb: vm.mem,
        diskGb: vm.disk,
        fqdn: `${vm.name}.lab.local`,
        ipAddresses: [`10.0.1.${10 + i}`],
        providerTags: vm.tags,
        availabilityZone: 'Prod-Cluster',
        seenCount: 8 - i,
        firstDiscoveredAt: daysAgo(7 + i),
        lastSeenAt: daysAgo(i === 4 ? 3 : 0),
        bootTime: daysAgo(30 + i),
        emsCreatedOn: daysAgo(200 + i),
        removedAt: i === 4 ? daysAgo(2) : null,
      }),
    );
  }
  const cloud = { providerId: aws, organizationId: orgB, cloudTenant: '123456789012' };
  const ec2a = await createResource(pool, {
    ...cloud,
    type: 'virtual_machine',
    vendorType: 'AWS::EC2::Instance',
    name: 'api-prod-1',
    emsRef: 'i-0a1b2c3d4e5f60001',
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    flavor: 'm5.xlarge',
    osType: 'linux',
    osName: 'Amazon Linux 2023',
    cpuCount: 4,
    memoryMb: 16384,
    canonicalId: 'ec2a1b2c-0000-4000-8000-000000000001',
    providerTags: { env: 'prod' },
  });
  const ec2b = await createResource(pool, {
    ...cloud,
    type: 'virtual_machine',
    vendorType: 'AWS::EC2::Instance',
    name: 'api-prod-2',
    emsRef: 'i-0a1b2c3d4e5f60002',
    region: 'us-west-2',
    availabilityZone: 'us-west-2b',
    flavor: 't3.micro',
    osType: 'linux',
    osName: 'Amazon Linux 2023',
    cpuCount: 2,
    memoryMb: 1024,
    state: 'stopped',
    powerState: 'poweredOff',
  });
  const vol = await createResource(pool, {
    ...cloud,
    type: 'block_storage',
    vendorType: 'AWS::EC2::Volume',
    name: 'vol-data',
    emsRef: 'vol-0123456789abcdef0',
    region: 'us-east-1',
    state: 'available',
    powerState: null,
    diskGb: 500,
  });
  const vpc = await createResource(pool, {
    ...cloud,
    type: 'vpc',
    vendorType: 'AWS::EC2::VPC',
    name: 'prod-vpc',
    emsRef: 'vpc-0a1b2c3d',
    region: 'us-east-1',
    state: 'available',
    powerState: null,
  });

  // Each start is computed once: two daysAgo() calls can be a millisecond apart.
  const yesterday = daysAgo(1);
  const twoDaysAgo = daysAgo(2);
  const completedRun = await createCollectionRun(pool, {
    providerId: vcenter,
    status: 'completed',
    startedAt: yesterday,
    completedAt: new Date(yesterday.getTime() + 954),
    taskId: 'task-7f3e2b',
    found: 27,
    created: daysAgo(1),
  });
  const failedRun = await createCollectionRun(pool, {
    providerId: aws,
    status: 'failed',
    startedAt: twoDaysAgo,
    completedAt: new Date(twoDaysAgo.getTime() + 3000),
    errorMessage: 'Connection refused by ec2.us-east-1.amazonaws.com',
    triggeredBy: 'schedule',
    created: daysAgo(2),
  });
  const pendingRun = await createCollectionRun(pool, {
    providerId: vcenter,
    status: 'pending',
    collectionType: 'targeted',
    created: new Date(),
  });

  // A week of daily sightings for the first VM (memory grows on day 3, stopped on day 5), one each for the others.
  const week = Array.from({ length: 7 }, (_, d) => ({
    resourceId: vms[0],
    seenAt: daysAgo(6 - d),
    state: d === 5 ? 'stopped' : 'running',
    powerState: d === 5 ? 'poweredOff' : 'poweredOn',
    cpuCount: 4,
    memoryMb: d >= 3 ? 16384 : 8192,
    diskGb: 100,
    collectionRunId: d === 6 ? completedRun : null,
    metrics: { cpu_usage_mhz: 1000 + d * 10 },
  }));
  await createSightings(pool, [
    ...week,
    ...vms.slice(1).map((id) => ({ resourceId: id, seenAt: daysAgo(1), collectionRunId: completedRun })),
    { resourceId: host1, seenAt: daysAgo(1), state: 'running', cpuCount: 64, memoryMb: 524288 },
    {
      resourceId: ec2a,
      seenAt: daysAgo(2),
      state: 'running',
      cpuCount: 4,
      memoryMb: 16384,
      collectionRunId: failedRun,
    },
  ]);

  const relationships = {
    vmOnHost: await createRelationship(pool, {
      sourceId: vms[0],
      targetId: host1,
      type: 'runs_on',
      providerId: vcenter,
    }),
    vm2OnHost: await createRelationship(pool, {
      sourceId: vms[1],
      targetId: host2,
      type: 'runs_on',
      providerId: vcenter,
    }),
    vmOnDs: await createRelationship(pool, {
      sourceId: vms[0],
      targetId: ds1,
      type: 'attached_to',
      providerId: vcenter,
    }),
    hostInCluster: await createRelationship(pool, {
      sourceId: host1,
      targetId: cluster,
      type: 'part_of',
      providerId: vcenter,
    }),
    host2InCluster: await createRelationship(pool, {
      sourceId: host2,
      targetId: cluster,
      type: 'part_of',
      providerId: vcenter,
    }),
    removedEdge: await createRelationship(pool, {
      sourceId: vms[4],
      targetId: ds2,
      type: 'attached_to',
      providerId: vcenter,
      removedAt: daysAgo(2),
      lastSeenAt: daysAgo(3),
    }),
    volOnInstance: await createRelationship(pool, {
      sourceId: vol,
      targetId: ec2a,
      type: 'attached_to',
      providerId: aws,
    }),
    instanceInVpc: await createRelationship(pool, {
      sourceId: ec2a,
      targetId: vpc,
      type: 'member_of',
      providerId: aws,
    }),
  };

  return {
    orgA,
    orgB,
    providers: { vcenter, aws, k8s },
    resources: { cluster, host1, host2, ds1, ds2, vms, ec2a, ec2b, vol, vpc },
    runs: { completedRun, failedRun, pendingRun },
    relationships,
  };
}

/**
 * Appends events as a write path does: in one transaction on one connection. (On the
 * pool itself, the writers' barrier and the insert would be two autocommit statements,
 * possibly on two connections, and a reader could take a horizon between them.)
 */
export async function appendCommittedEvents(pool: pg.Pool, events: NewEvent[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await appendEvents(client, events);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
