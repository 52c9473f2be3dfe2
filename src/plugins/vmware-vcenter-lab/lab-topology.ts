import { createHash } from 'node:crypto';
import type { CollectRecord, ResourceRecord } from '../plugin.contract.js';

/**
 * A deterministic simulated vSphere estate. The default lab is the one the product's
 * documentation describes (2 clusters, 4 ESXi hosts, 3 resource pools, 4 datastores,
 * 14 VMs: 27 resources, 49 relationships); `scale: N` generates N VMs with hosts,
 * datastores, pools and clusters in proportion. Attributes drift from day to day in a
 * seeded, repeatable way (memory upgrades, IP changes, usage metrics), so history and
 * changes accumulate while the counts stay what the documentation says.
 */

export interface LabOptions {
  scale: number;
  seed: number;
  datacenter: string;
}

interface VmSpec {
  name: string;
  os: 'linux' | 'windows';
  osName: string;
  guestId: string;
  cpu: number;
  memoryMb: number;
  diskGb: number;
  state: 'running' | 'stopped' | 'suspended' | 'template';
  pool: number;
}

const DEFAULT_VMS: VmSpec[] = [
  {
    name: 'aap-controller-01',
    os: 'linux',
    osName: 'Red Hat Enterprise Linux 9.4',
    guestId: 'rhel9_64Guest',
    cpu: 4,
    memoryMb: 16384,
    diskGb: 120,
    state: 'running',
    pool: 0,
  },
  {
    name: 'aap-hub-01',
    os: 'linux',
    osName: 'Red Hat Enterprise Linux 9.4',
    guestId: 'rhel9_64Guest',
    cpu: 4,
    memoryMb: 16384,
    diskGb: 200,
    state: 'running',
    pool: 0,
  },
  {
    name: 'aap-eda-01',
    os: 'linux',
    osName: 'Red Hat Enterprise Linux 9.4',
    guestId: 'rhel9_64Guest',
    cpu: 2,
    memoryMb: 8192,
    diskGb: 80,
    state: 'running',
    pool: 0,
  },
  {
    name: 'rhel9-web01',
    os: 'linux',
    osName: 'Red Hat Enterprise Linux 9.4',
    guestId: 'rhel9_64Guest',
    cpu: 2,
    memoryMb: 4096,
    diskGb: 40,
    state: 'running',
    pool: 0,
  },
  {
    name: 'rhel9-web02',
    os: 'linux',
    osName: 'Red Hat Enterprise Linux 9.4',
    guestId: 'rhel9_64Guest',
    cpu: 2,
    memoryMb: 4096,
    diskGb: 40,
    state: 'running',
    pool: 0,
  },
  {
    name: 'rhel8-db01',
    os: 'linux',
    osName: 'Red Hat Enterprise Linux 8.10',
    guestId: 'rhel8_64Guest',
    cpu: 8,
    memoryMb: 32768,
    diskGb: 500,
    state: 'running',
    pool: 0,
  },
  {
    name: 'win2022-ad01',
    os: 'windows',
    osName: 'Microsoft Windows Server 2022',
    guestId: 'windows2019srvNext_64Guest',
    cpu: 2,
    memoryMb: 8192,
    diskGb: 80,
    state: 'running',
    pool: 0,
  },
  {
    name: 'win2022-iis01',
    os: 'windows',
    osName: 'Microsoft Windows Server 2022',
    guestId: 'windows2019srvNext_64Guest',
    cpu: 4,
    memoryMb: 8192,
    diskGb: 100,
    state: 'running',
    pool: 1,
  },
  {
    name: 'stg-rhel9-app01',
    os: 'linux',
    osName: 'Red Hat Enterprise Linux 9.4',
    guestId: 'rhel9_64Guest',
    cpu: 2,
    memoryMb: 8192,
    diskGb: 60,
    state: 'running',
    pool: 1,
  },
  {
    name: 'dev-fedora-01',
    os: 'linux',
    osName: 'Fedora Linux 40',
    guestId: 'fedora64Guest',
    cpu: 2,
    memoryMb: 4096,
    diskGb: 40,
    state: 'running',
    pool: 2,
  },
  {
    name: 'dev-ubuntu-01',
    os: 'linux',
    osName: 'Ubuntu 24.04 LTS',
    guestId: 'ubuntu64Guest',
    cpu: 2,
    memoryMb: 4096,
    diskGb: 40,
    state: 'stopped',
    pool: 2,
  },
  {
    name: 'dev-win11-01',
    os: 'windows',
    osName: 'Microsoft Windows 11',
    guestId: 'windows9_64Guest',
    cpu: 2,
    memoryMb: 8192,
    diskGb: 64,
    state: 'suspended',
    pool: 2,
  },
  {
    name: 'tmpl-rhel9',
    os: 'linux',
    osName: 'Red Hat Enterprise Linux 9.4',
    guestId: 'rhel9_64Guest',
    cpu: 2,
    memoryMb: 4096,
    diskGb: 40,
    state: 'template',
    pool: 2,
  },
  {
    name: 'tmpl-ubuntu2404',
    os: 'linux',
    osName: 'Ubuntu 24.04 LTS',
    guestId: 'ubuntu64Guest',
    cpu: 2,
    memoryMb: 4096,
    diskGb: 40,
    state: 'template',
    pool: 2,
  },
];

/** A UUID-shaped value derived from a seed and a name (SMBIOS UUIDs in vSphere start with 42 or 50). */
export function labUuid(seed: number, name: string, prefix = '42'): string {
  const hex = createHash('sha256').update(`${seed}:${name}`).digest('hex');
  return `${prefix}${hex.slice(2, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** 0..1, repeatable for the same inputs. */
function unit(seed: number, ...parts: (string | number)[]): number {
  return (
    createHash('sha256')
      .update(`${seed}:${parts.join(':')}`)
      .digest()
      .readUInt32BE(0) / 0x100000000
  );
}

interface Topology {
  clusters: { ref: string; name: string }[];
  hosts: { ref: string; name: string; cluster: number }[];
  pools: { ref: string; name: string; cluster: number }[];
  datastores: { ref: string; name: string; type: string; capacityGb: number }[];
  vmCount: number;
  vm(i: number): VmSpec & { ref: string; host: number; datastore: number };
}

export function labTopology(options: LabOptions): Topology {
  if (options.scale <= 0) {
    const clusters = [
      { ref: 'domain-c8', name: 'Prod-Cluster' },
      { ref: 'domain-c9', name: 'Dev-Cluster' },
    ];
    const hosts = [1, 2, 3, 4].map((n) => ({
      ref: `host-${10 + n}`,
      name: `esxi0${n}.lab.local`,
      cluster: n <= 2 ? 0 : 1,
    }));
    const pools = [
      { ref: 'resgroup-21', name: 'Production', cluster: 0 },
      { ref: 'resgroup-22', name: 'Staging', cluster: 0 },
      { ref: 'resgroup-23', name: 'Development', cluster: 1 },
    ];
    const datastores = [
      { ref: 'datastore-31', name: 'vsanDatastore', type: 'VSAN', capacityGb: 8192 },
      { ref: 'datastore-32', name: 'fc-vmfs-01', type: 'VMFS', capacityGb: 4096 },
      { ref: 'datastore-33', name: 'nfs-templates', type: 'NFS', capacityGb: 2048 },
      { ref: 'datastore-34', name: 'dev-vmfs-01', type: 'VMFS', capacityGb: 2048 },
    ];
    return {
      clusters,
      hosts,
      pools,
      datastores,
      vmCount: DEFAULT_VMS.length,
      vm(i) {
        const spec = DEFAULT_VMS[i];
        const prod = spec.pool < 2;
        return {
          ...spec,
          ref: `vm-${101 + i}`,
          host: prod ? i % 2 : 2 + (i % 2),
          datastore: spec.state === 'template' ? 2 : prod ? i % 2 : 3,
        };
      },
    };
  }
  const vmCount = options.scale;
  const hostCount = Math.max(1, Math.ceil(vmCount / 25));
  const clusterCount = Math.max(1, Math.ceil(hostCount / 8));
  const datastoreCount = Math.max(1, Math.ceil(vmCount / 50));
  const clusters = Array.from({ length: clusterCount }, (_, c) => ({
    ref: `domain-c${1000 + c}`,
    name: `Cluster-${String(c + 1).padStart(3, '0')}`,
  }));
  const hosts = Array.from({ length: hostCount }, (_, h) => ({
    ref: `host-${10000 + h}`,
    name: `esxi${String(h + 1).padStart(4, '0')}.lab.local`,
    cluster: h % clusterCount,
  }));
  const pools = clusters.flatMap((_, c) =>
    ['Production', 'Staging', 'Development'].map((name, p) => ({
      ref: `resgroup-${20000 + c * 3 + p}`,
      name: `${name}-${c + 1}`,
      cluster: c,
    })),
  );
  const datastores = Array.from({ length: datastoreCount }, (_, d) => ({
    ref: `datastore-${30000 + d}`,
    name: `ds-${String(d + 1).padStart(4, '0')}`,
    type: d % 3 === 0 ? 'VSAN' : d % 3 === 1 ? 'VMFS' : 'NFS',
    capacityGb: 4096,
  }));
  return {
    clusters,
    hosts,
    pools,
    datastores,
    vmCount,
    vm(i) {
      const base = DEFAULT_VMS[i % DEFAULT_VMS.length];
      const host = i % hostCount;
      const cluster = hosts[host].cluster;
      return {
        ...base,
        name: `${base.name}-${String(i + 1).padStart(6, '0')}`,
        ref: `vm-${100000 + i}`,
        host,
        datastore: i % datastoreCount,
        pool: cluster * 3 + (i % 3),
      };
    },
  };
}

/** Streams the lab as collection records for the day of `now`. */
export async function* labRecords(
  options: LabOptions,
  now: Date,
  wanted: (slug: string) => boolean,
): AsyncGenerator<CollectRecord> {
  const topo = labTopology(options);
  const day = Math.floor(now.getTime() / 86_400_000);
  const seed = options.seed;
  const region = options.datacenter;
  const common = { region, vendor_identifiers: {} as Record<string, unknown> };

  if (wanted('auto_scaling_group')) {
    for (const c of topo.clusters) {
      yield {
        kind: 'resource',
        ems_ref: c.ref,
        name: c.name,
        vendor_type: 'ClusterComputeResource',
        ...common,
        canonical_id: c.ref,
        vendor_identifiers: { moid: c.ref },
        state: 'available',
        power_state: null,
        properties: { drs_enabled: true, ha_enabled: true },
      };
    }
    for (const p of topo.pools) {
      yield {
        kind: 'resource',
        ems_ref: p.ref,
        name: p.name,
        vendor_type: 'ResourcePool',
        ...common,
        canonical_id: p.ref,
        vendor_identifiers: { moid: p.ref },
        state: 'available',
        power_state: null,
        availability_zone: topo.clusters[p.cluster].name,
      };
      yield { kind: 'relationship', source: p.ref, target: topo.clusters[p.cluster].ref, type: 'part_of' };
    }
  }
  if (wanted('hypervisor_host')) {
    for (const [h, host] of topo.hosts.entries()) {
      const uuid = labUuid(seed, host.name, '4c4c4544');
      yield {
        kind: 'resource',
        ems_ref: host.ref,
        name: host.name,
        vendor_type: 'HostSystem',
        ...common,
        canonical_id: uuid,
        vendor_identifiers: { moid: host.ref, bios_uuid: uuid },
        state: 'running',
        power_state: 'on',
        availability_zone: topo.clusters[host.cluster].name,
        fqdn: host.name,
        ip_addresses: [`10.10.${Math.floor(h / 250)}.${(h % 250) + 1}`],
        os_type: 'esxi',
        os_name: 'VMware ESXi 8.0.2',
        cpu_count: 64,
        memory_mb: 524288,
        properties: {
          vendor: 'Dell Inc.',
          model: 'PowerEdge R750',
          version: '8.0.2',
          connection_state: 'CONNECTED',
          in_maintenance_mode: false,
        },
        metrics: { cpu_usage_pct: Math.round(unit(seed, host.ref, day) * 800) / 10 },
      };
      if (wanted('auto_scaling_group'))
        yield {
          kind: 'relationship',
          source: host.ref,
          target: topo.clusters[host.cluster].ref,
          type: 'part_of',
        };
    }
  }
  if (wanted('block_storage') || wanted('file_storage')) {
    for (const ds of topo.datastores) {
      const used = 0.3 + unit(seed, ds.ref, day) * 0.4;
      yield {
        kind: 'resource',
        ems_ref: ds.ref,
        name: ds.name,
        vendor_type: ds.type === 'NFS' ? 'Datastore:NFS' : 'Datastore',
        ...common,
        canonical_id: ds.ref,
        vendor_identifiers: { moid: ds.ref },
        state: 'available',
        power_state: null,
        disk_gb: ds.capacityGb,
        properties: { storage_type: ds.type, capacity_gb: ds.capacityGb },
        metrics: { free_space_gb: Math.round(ds.capacityGb * (1 - used)) },
      };
    }
  }
  if (wanted('virtual_machine')) {
    for (let i = 0; i < topo.vmCount; i++) {
      const vm = topo.vm(i);
      const uuid = labUuid(seed, vm.name, '42');
      const instanceUuid = labUuid(seed, `${vm.name}/instance`, '50');
      const template = vm.state === 'template';
      // Drift: some running VMs get a memory upgrade on some days, and a new address.
      const upgraded = vm.state === 'running' && unit(seed, vm.ref, 'memory', day) < 0.15;
      const octet = 10 + (i % 240) + (vm.state === 'running' && unit(seed, vm.ref, 'ip', day) < 0.1 ? 1 : 0);
      const powerState = vm.state === 'running' ? 'on' : vm.state === 'suspended' ? 'suspended' : 'off';
      const record: ResourceRecord = {
        kind: 'resource',
        ems_ref: vm.ref,
        name: vm.name,
        vendor_type: template ? 'VirtualMachineTemplate' : 'VirtualMachine',
        ...common,
        canonical_id: uuid,
        vendor_identifiers: { moid: vm.ref, bios_uuid: uuid, instance_uuid: instanceUuid },
        state: vm.state,
        power_state: powerState,
        availability_zone: topo.clusters[topo.hosts[vm.host].cluster].name,
        fqdn: template ? '' : `${vm.name}.lab.local`,
        ip_addresses: vm.state === 'running' ? [`10.20.${Math.floor(i / 240) % 250}.${octet}`] : [],
        os_type: vm.os,
        os_name: vm.osName,
        cpu_count: vm.cpu,
        memory_mb: upgraded ? vm.memoryMb * 2 : vm.memoryMb,
        disk_gb: vm.diskGb,
        properties: {
          guest_id: vm.guestId,
          hardware_version: 'vmx-21',
          tools_status: vm.state === 'running' ? 'toolsOk' : 'toolsNotRunning',
          is_template: template,
          instance_uuid: instanceUuid,
        },
        metrics:
          vm.state === 'running'
            ? { cpu_usage_mhz: Math.round(unit(seed, vm.ref, 'cpu', day) * vm.cpu * 2400) }
            : {},
      };
      yield record;
      if (wanted('hypervisor_host'))
        yield { kind: 'relationship', source: vm.ref, target: topo.hosts[vm.host].ref, type: 'runs_on' };
      if (wanted('block_storage') || wanted('file_storage')) {
        yield {
          kind: 'relationship',
          source: vm.ref,
          target: topo.datastores[vm.datastore].ref,
          type: 'attached_to',
        };
      }
      if (wanted('auto_scaling_group'))
        yield { kind: 'relationship', source: vm.ref, target: topo.pools[vm.pool].ref, type: 'member_of' };
    }
  }
}
