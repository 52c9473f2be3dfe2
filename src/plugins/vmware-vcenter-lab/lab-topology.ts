import { createHash } from 'node:crypto';
import type { PowerState, ResourceState } from '../../resources/resource.enums.js';
import type { CollectRecord, ResourceRecord } from '../plugin.contract.js';
import {
  LAB_CLUSTERS,
  LAB_DATASTORES,
  LAB_VMS,
  type LabCluster,
  type LabDatastore,
  type LabHost,
  type LabPool,
  type LabVm,
} from './lab-data.js';

/**
 * A deterministic simulated vSphere estate. The default lab is the original service's
 * seed lab (`lab-data.ts`: 27 resources, 49 relationships); `scale: N` builds N VMs from
 * the same fourteen, with hosts, clusters, pools and datastores in proportion.
 *
 * The present is always the documented lab: a run whose clock is today reports it exactly.
 * A run whose clock lies d ≥ 1 days in the past (the seed replays a week) sees the drift
 * the original's history shows, repeatable per (seed, object, d): a running VM is stopped
 * on 10% of days, its vCPUs (−2, +2, +4) and memory (−2, +2, +4 GB) differ on 15% each;
 * usage metrics (cpu/memory %, datastore provisioned %) vary every day.
 */

export interface LabOptions {
  scale: number;
  seed: number;
  datacenter: string;
}

const DAY = 86_400_000;

/** RFC 4122 version 5 (SHA-1, name-based) UUID; the DNS namespace by default, as Python's uuid.uuid5. */
export function uuid5(name: string, namespace = '6ba7b810-9dad-11d1-80b4-00c04fd430c8'): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID-shaped value derived from a seed and a name (for the generated VMs of a scaled lab). */
function labUuid(seed: number, name: string, prefix: string): string {
  const hex = createHash('sha256').update(`${seed}:${name}`).digest('hex');
  const head = (prefix + hex).slice(0, 8);
  return `${head}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
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

const round1 = (value: number) => Math.round(value * 10) / 10;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

type Host = LabHost & { cluster: number };
type Pool = LabPool & { cluster: number };
type Vm = LabVm & { hostIndex: number; poolIndex: number; datastoreIndex: number; mac: string };

interface Topology {
  clusters: LabCluster[];
  hosts: Host[];
  pools: Pool[];
  datastores: LabDatastore[];
  vmCount: number;
  vm(i: number): Vm;
}

const BASE_HOSTS: Host[] = LAB_CLUSTERS.flatMap((c, ci) => c.hosts.map((h) => ({ ...h, cluster: ci })));
const BASE_POOLS: Pool[] = LAB_CLUSTERS.flatMap((c, ci) => c.pools.map((p) => ({ ...p, cluster: ci })));

function mac(seed: number, moid: string): string {
  const hex = createHash('sha256').update(`${seed}:mac:${moid}`).digest('hex');
  return `00:50:56:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

export function labTopology(options: LabOptions): Topology {
  if (options.scale <= 0) {
    const indexOf = <T extends { name: string }>(list: T[], name: string) =>
      list.findIndex((item) => item.name === name);
    return {
      clusters: LAB_CLUSTERS,
      hosts: BASE_HOSTS,
      pools: BASE_POOLS,
      datastores: LAB_DATASTORES,
      vmCount: LAB_VMS.length,
      vm(i) {
        const vm = LAB_VMS[i];
        return {
          ...vm,
          hostIndex: indexOf(BASE_HOSTS, vm.host),
          poolIndex: indexOf(BASE_POOLS, vm.pool),
          datastoreIndex: indexOf(LAB_DATASTORES, vm.datastore),
          mac: mac(options.seed, vm.moid),
        };
      },
    };
  }
  // A larger lab: 25 VMs a host, 8 hosts a cluster, 3 pools a cluster (Production, Staging,
  // Development), a datastore per 50 VMs; every object is a copy of a default-lab one.
  const vmCount = options.scale;
  const hostCount = Math.max(1, Math.ceil(vmCount / 25));
  const clusterCount = Math.max(1, Math.ceil(hostCount / 8));
  const datastoreCount = Math.max(1, Math.ceil(vmCount / 50));
  const clusters = Array.from({ length: clusterCount }, (_, c) => ({
    ...LAB_CLUSTERS[c % LAB_CLUSTERS.length],
    name: `Cluster-${pad(c + 1, 3)}`,
    moid: `domain-c${1000 + c}`,
  }));
  const hosts = Array.from({ length: hostCount }, (_, h) => {
    const base = BASE_HOSTS[h % BASE_HOSTS.length];
    return {
      ...base,
      name: `esxi${pad(h + 1, 4)}.lab.local`,
      moid: `host-${10000 + h}`,
      ip: `10.0.${10 + Math.floor(h / 250)}.${(h % 250) + 1}`,
      serial: `${base.serial.replace(/-\d+$/, '')}-${pad(h + 1, 5)}`,
      cluster: h % clusterCount,
    };
  });
  const pools = clusters.flatMap((cluster, c) =>
    BASE_POOLS.map((base, p) => ({
      ...base,
      name: `${base.name}-${c + 1}`,
      moid: `resgroup-${20000 + c * BASE_POOLS.length + p}`,
      cluster: c,
    })),
  );
  const datastores = Array.from({ length: datastoreCount }, (_, d) => ({
    ...LAB_DATASTORES[d % LAB_DATASTORES.length],
    name: `ds-${pad(d + 1, 4)}`,
    moid: `datastore-${30000 + d}`,
  }));
  return {
    clusters,
    hosts,
    pools,
    datastores,
    vmCount,
    vm(i) {
      const base = LAB_VMS[i % LAB_VMS.length];
      const hostIndex = i % hostCount;
      const cluster = hosts[hostIndex].cluster;
      const basePool = BASE_POOLS.findIndex((p) => p.name === base.pool);
      const name = `${base.name}-${pad(i + 1, 6)}`;
      const moid = `vm-${100000 + i}`;
      const ip = base.ip.map((_, n) => `10.${20 + n}.${Math.floor(i / 240) % 250}.${10 + (i % 240)}`);
      return {
        ...base,
        name,
        moid,
        bios_uuid: labUuid(options.seed, name, '502e'),
        instance_uuid: labUuid(options.seed, `${name}/instance`, '502e'),
        ip,
        fqdn: base.fqdn ? `${name}.lab.local` : '',
        host: hosts[hostIndex].name,
        cluster: clusters[cluster].name,
        pool: pools[cluster * BASE_POOLS.length + basePool].name,
        datastore: datastores[i % datastoreCount].name,
        hostIndex,
        poolIndex: cluster * BASE_POOLS.length + basePool,
        datastoreIndex: i % datastoreCount,
        mac: mac(options.seed, moid),
      };
    },
  };
}

/** How many whole days before the wall clock a run's clock is (0: a run of today). */
export function daysBefore(now: Date, wallClock = Date.now()): number {
  return Math.max(0, Math.round((wallClock - now.getTime()) / DAY));
}

/** A VM as observed d days ago: the drift of the original's history (nothing when d is 0). */
function observedVm(
  seed: number,
  vm: Vm,
  d: number,
): { state: ResourceState; power: PowerState; cpu: number; mem: number } {
  let state: ResourceState = vm.state;
  let power: PowerState = vm.power;
  let cpu = vm.cpu;
  let mem = vm.mem;
  if (d > 0 && vm.state === 'running') {
    if (unit(seed, vm.moid, d, 'stop') < 0.1) {
      state = 'stopped';
      power = 'poweredOff';
    }
    if (unit(seed, vm.moid, d, 'cpu') < 0.15)
      cpu = Math.max(1, cpu + [-2, 2, 4][Math.floor(unit(seed, vm.moid, d, 'cpu-step') * 3)]);
    if (unit(seed, vm.moid, d, 'mem') < 0.15)
      mem = Math.max(1024, mem + [-2048, 2048, 4096][Math.floor(unit(seed, vm.moid, d, 'mem-step') * 3)]);
  }
  return { state, power, cpu, mem };
}

/** Usage metrics of a running VM or an active host for one run. */
function usage(seed: number, moid: string, d: number) {
  return {
    cpu_usage_pct: round1(5 + unit(seed, moid, d, 'cpu-usage') * 80),
    memory_usage_pct: round1(20 + unit(seed, moid, d, 'memory-usage') * 70),
  };
}

/** Streams the lab as collection records, as observed at `now`. */
export async function* labRecords(
  options: LabOptions,
  now: Date,
  wanted: (slug: string) => boolean,
): AsyncGenerator<CollectRecord> {
  const topo = labTopology(options);
  const d = daysBefore(now);
  const seed = options.seed;
  const region = options.datacenter;
  const pools = wanted('auto_scaling_group');
  const hosts = wanted('hypervisor_host');
  const storage = (type: LabDatastore['type']) => wanted(type === 'nfs' ? 'file_storage' : 'block_storage');

  if (pools) {
    for (const c of topo.clusters) {
      yield {
        kind: 'resource',
        resource_type: 'auto_scaling_group',
        ems_ref: c.moid,
        name: c.name,
        vendor_type: 'vSphere Cluster',
        region,
        canonical_id: `vsphere:cluster:${c.moid}`,
        vendor_identifiers: { moid: c.moid, vsphere_type: 'ClusterComputeResource' },
        state: 'active',
        power_state: null,
        properties: {
          ha_enabled: c.ha_enabled,
          drs_enabled: c.drs_enabled,
          vsphere_type: 'ClusterComputeResource',
        },
      };
    }
  }
  if (hosts) {
    for (const host of topo.hosts) {
      const cluster = topo.clusters[host.cluster].name;
      const smbios = uuid5(host.serial);
      yield {
        kind: 'resource',
        resource_type: 'hypervisor_host',
        ems_ref: host.moid,
        name: host.name,
        vendor_type: 'ESXi Host',
        region,
        availability_zone: cluster,
        canonical_id: smbios,
        vendor_identifiers: { moid: host.moid, smbios_uuid: smbios, serial_number: host.serial },
        state: 'active',
        power_state: 'poweredOn',
        fqdn: host.name,
        ip_addresses: [host.ip],
        os_type: 'hypervisor',
        os_name: host.os_name,
        cpu_count: host.cpu_count,
        memory_mb: host.memory_mb,
        properties: {
          hardware_model: host.model,
          hardware_vendor: host.vendor,
          serial_number: host.serial,
          vsphere_type: 'HostSystem',
          cluster,
          ansible_host: host.ip,
          ansible_connection: 'ssh',
          inventory_group: 'esxi_hosts',
        },
        metrics: usage(seed, host.moid, d),
      };
      if (pools)
        yield {
          kind: 'relationship',
          source: host.moid,
          target: topo.clusters[host.cluster].moid,
          type: 'part_of',
        };
    }
  }
  if (pools) {
    for (const p of topo.pools) {
      const cluster = topo.clusters[p.cluster];
      yield {
        kind: 'resource',
        resource_type: 'auto_scaling_group',
        ems_ref: p.moid,
        name: p.name,
        vendor_type: 'vSphere Resource Pool',
        region,
        availability_zone: cluster.name,
        canonical_id: `vsphere:respool:${p.moid}`,
        vendor_identifiers: { moid: p.moid, vsphere_type: 'ResourcePool' },
        state: 'active',
        power_state: null,
        properties: {
          cpu_limit_mhz: p.cpu_limit,
          memory_limit_mb: p.memory_limit_mb,
          vsphere_type: 'ResourcePool',
          cluster: cluster.name,
        },
      };
      yield { kind: 'relationship', source: p.moid, target: cluster.moid, type: 'part_of' };
    }
  }
  for (const ds of topo.datastores) {
    if (!storage(ds.type)) continue;
    yield {
      kind: 'resource',
      resource_type: ds.type === 'nfs' ? 'file_storage' : 'block_storage',
      ems_ref: ds.moid,
      name: ds.name,
      vendor_type: 'vSphere Datastore',
      region,
      canonical_id: `vsphere:datastore:${ds.moid}`,
      vendor_identifiers: { moid: ds.moid, vsphere_type: 'Datastore' },
      state: 'active',
      power_state: null,
      disk_gb: ds.capacity_gb,
      properties: {
        datastore_type: ds.type,
        capacity_gb: ds.capacity_gb,
        free_space_gb: ds.free_gb,
        provisioned_pct: round1((1 - ds.free_gb / ds.capacity_gb) * 100),
        vsphere_type: 'Datastore',
      },
      metrics: { provisioned_pct: round1(40 + unit(seed, ds.moid, d, 'provisioned') * 40) },
    };
  }
  if (!wanted('virtual_machine')) return;
  for (let i = 0; i < topo.vmCount; i++) {
    const vm = topo.vm(i);
    const seen = observedVm(seed, vm, d);
    const on = vm.power === 'poweredOn';
    const record: ResourceRecord = {
      kind: 'resource',
      resource_type: 'virtual_machine',
      ems_ref: vm.moid,
      name: vm.name,
      vendor_type: 'vSphere VM',
      region,
      availability_zone: vm.cluster,
      canonical_id: vm.bios_uuid,
      vendor_identifiers: { moid: vm.moid, bios_uuid: vm.bios_uuid, instance_uuid: vm.instance_uuid },
      state: seen.state,
      power_state: seen.power,
      fqdn: vm.fqdn,
      ip_addresses: vm.ip,
      os_type: vm.os_type,
      os_name: vm.os_name,
      cpu_count: seen.cpu,
      memory_mb: seen.mem,
      disk_gb: vm.disk,
      properties: {
        vsphere_type: 'VirtualMachine',
        cluster: vm.cluster,
        host: vm.host,
        resource_pool: vm.pool,
        datastore: vm.datastore,
        tools_status: on ? 'guestToolsRunning' : 'guestToolsNotRunning',
        tools_version: on ? '12352' : '',
        hardware_version: 'vmx-21',
        mac_addresses: [vm.mac],
        ansible_host: vm.ip[0] ?? '',
        ansible_connection: vm.ansible_conn,
        inventory_group: vm.ansible_group,
      },
      provider_tags: vm.tags,
      metrics: seen.state === 'running' ? usage(seed, vm.moid, d) : {},
    };
    yield record;
    if (hosts)
      yield { kind: 'relationship', source: vm.moid, target: topo.hosts[vm.hostIndex].moid, type: 'runs_on' };
    const ds = topo.datastores[vm.datastoreIndex];
    if (storage(ds.type))
      yield { kind: 'relationship', source: vm.moid, target: ds.moid, type: 'attached_to' };
    if (pools)
      yield {
        kind: 'relationship',
        source: vm.moid,
        target: topo.pools[vm.poolIndex].moid,
        type: 'member_of',
      };
  }
}
