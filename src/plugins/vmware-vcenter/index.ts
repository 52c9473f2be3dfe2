import type { PowerState } from '../../resources/resource.enums.js';
import { asString } from '../connection-parameters.js';
import type { CollectRecord, PluginContext, ProviderPlugin, ResourceRecord } from '../plugin.contract.js';
import { VsphereClient, VsphereError } from './vsphere-client.js';

/** vSphere Automation API shapes (only the fields we read). */
interface Summary {
  name: string;
}
interface ClusterSummary extends Summary {
  cluster: string;
  ha_enabled?: boolean;
  drs_enabled?: boolean;
}
interface HostSummary extends Summary {
  host: string;
  connection_state?: string;
  power_state?: string;
}
interface DatastoreSummary extends Summary {
  datastore: string;
  type?: string;
  capacity?: number;
  free_space?: number;
}
interface PoolSummary extends Summary {
  resource_pool: string;
}
interface NetworkSummary extends Summary {
  network: string;
  type?: string;
}
interface DatacenterSummary extends Summary {
  datacenter: string;
}
interface VmSummary extends Summary {
  vm: string;
  power_state?: string;
  cpu_count?: number;
  memory_size_MiB?: number;
}
interface VmDetail {
  name: string;
  guest_OS?: string;
  power_state?: string;
  cpu?: { count?: number };
  memory?: { size_MiB?: number };
  disks?: Record<string, { capacity?: number; backing?: { vmdk_file?: string } }>;
  identity?: { bios_uuid?: string; instance_uuid?: string; name?: string };
  hardware?: { version?: string };
}
interface GuestIdentity {
  host_name?: string;
  ip_address?: string;
  family?: string;
  full_name?: { default_message?: string };
}

const GiB = 1024 ** 3;

function client(ctx: PluginContext): VsphereClient {
  const endpoint = ctx.provider.endpoint.trim();
  if (!endpoint) throw new VsphereError('The provider has no endpoint (the vCenter host name).');
  const port = Number(ctx.config.port ?? 443);
  const base = /^https?:\/\//i.test(endpoint)
    ? endpoint
    : `https://${endpoint}${port === 443 ? '' : `:${port}`}`;
  if (/^http:/i.test(base) && ctx.config.allow_http !== true)
    throw new VsphereError(
      'Refusing to send the vCenter password over plain http:// (set allow_http to allow it, for test servers only).',
    );
  return new VsphereClient({
    baseUrl: base,
    username: asString(ctx.config.username),
    password: asString(ctx.config.password),
    verifySsl: ctx.config.verify_ssl !== false,
    timeoutMs: Number(ctx.config.timeout_seconds ?? 30) * 1000,
    signal: ctx.signal,
  });
}

function powerState(value: string | undefined): PowerState {
  if (value === 'POWERED_ON') return 'poweredOn';
  if (value === 'POWERED_OFF') return 'poweredOff';
  if (value === 'SUSPENDED') return 'suspended';
  return 'unknown';
}

function osType(guestOs: string | undefined, family: string | undefined): string {
  const text = `${family ?? ''} ${guestOs ?? ''}`.toLowerCase();
  if (text.includes('windows')) return 'windows';
  if (/linux|rhel|centos|ubuntu|debian|sles|fedora|oracle|photon|rocky|alma/.test(text)) return 'linux';
  return text.trim() ? 'other' : '';
}

/** `[datastore1] vm/vm.vmdk` → `datastore1` */
function datastoreOf(vmdk: string | undefined): string | null {
  return vmdk?.match(/^\[([^\]]+)\]/)?.[1] ?? null;
}

async function* collectVsphere(ctx: PluginContext): AsyncGenerator<CollectRecord> {
  const api = client(ctx);
  const targets = ctx.options.target_resource_types;
  const wanted = (slug: string) => targets.length === 0 || targets.includes(slug);
  try {
    await api.login();
    const datacenters = await api.get<DatacenterSummary[]>('/api/vcenter/datacenter');
    const region = datacenters.length === 1 ? datacenters[0].name : '';
    const clusters = await api.get<ClusterSummary[]>('/api/vcenter/cluster');
    const hostCluster = new Map<string, ClusterSummary>();
    for (const cluster of clusters) {
      for (const host of await api.get<HostSummary[]>(
        `/api/vcenter/host?clusters=${encodeURIComponent(cluster.cluster)}`,
      )) {
        hostCluster.set(host.host, cluster);
      }
    }
    if (wanted('auto_scaling_group')) {
      for (const cluster of clusters) {
        yield {
          kind: 'resource',
          ems_ref: cluster.cluster,
          name: cluster.name,
          vendor_type: 'ClusterComputeResource',
          region,
          canonical_id: cluster.cluster,
          vendor_identifiers: { moid: cluster.cluster },
          state: 'available',
          power_state: null,
          properties: { ha_enabled: cluster.ha_enabled ?? false, drs_enabled: cluster.drs_enabled ?? false },
        };
        for (const pool of await api.get<PoolSummary[]>(
          `/api/vcenter/resource-pool?clusters=${encodeURIComponent(cluster.cluster)}`,
        )) {
          yield {
            kind: 'resource',
            ems_ref: pool.resource_pool,
            name: pool.name,
            vendor_type: 'ResourcePool',
            region,
            availability_zone: cluster.name,
            canonical_id: pool.resource_pool,
            vendor_identifiers: { moid: pool.resource_pool },
            state: 'available',
            power_state: null,
          };
          yield {
            kind: 'relationship',
            source: pool.resource_pool,
            target: cluster.cluster,
            type: 'part_of',
          };
        }
      }
    }
    const hosts = await api.get<HostSummary[]>('/api/vcenter/host');
    if (wanted('hypervisor_host')) {
      for (const host of hosts) {
        const cluster = hostCluster.get(host.host);
        yield {
          kind: 'resource',
          ems_ref: host.host,
          name: host.name,
          vendor_type: 'HostSystem',
          region,
          availability_zone: cluster?.name ?? '',
          fqdn: host.name.includes('.') ? host.name : '',
          canonical_id: host.host,
          vendor_identifiers: { moid: host.host },
          state:
            host.connection_state === 'CONNECTED'
              ? 'running'
              : host.connection_state === 'DISCONNECTED'
                ? 'unavailable'
                : 'unknown',
          power_state: powerState(host.power_state),
          os_type: 'esxi',
          properties: { connection_state: host.connection_state ?? '' },
        };
        if (cluster && wanted('auto_scaling_group'))
          yield { kind: 'relationship', source: host.host, target: cluster.cluster, type: 'part_of' };
      }
    }
    const datastores = await api.get<DatastoreSummary[]>('/api/vcenter/datastore');
    const datastoreByName = new Map(datastores.map((d) => [d.name, d.datastore]));
    if (wanted('block_storage') || wanted('file_storage')) {
      for (const ds of datastores) {
        const nfs = (ds.type ?? '').toUpperCase().startsWith('NFS');
        yield {
          kind: 'resource',
          ems_ref: ds.datastore,
          name: ds.name,
          vendor_type: nfs ? 'Datastore:NFS' : 'Datastore',
          region,
          canonical_id: ds.datastore,
          vendor_identifiers: { moid: ds.datastore },
          state: 'available',
          power_state: null,
          disk_gb: ds.capacity !== undefined ? Math.round((ds.capacity / GiB) * 100) / 100 : null,
          properties: {
            storage_type: ds.type ?? '',
            capacity_gb: ds.capacity !== undefined ? Math.round(ds.capacity / GiB) : null,
          },
          metrics: ds.free_space !== undefined ? { free_space_gb: Math.round(ds.free_space / GiB) } : {},
        };
      }
    }
    if (wanted('vlan_segment')) {
      for (const net of await api.get<NetworkSummary[]>('/api/vcenter/network')) {
        yield {
          kind: 'resource',
          ems_ref: net.network,
          name: net.name,
          vendor_type: net.type === 'DISTRIBUTED_PORTGROUP' ? 'DistributedVirtualPortgroup' : 'Network',
          region,
          canonical_id: net.network,
          vendor_identifiers: { moid: net.network },
          state: 'available',
          power_state: null,
        };
      }
    }
    // Resource pool membership, by pool (the VM list filter takes resource_pools).
    const vmPool = new Map<string, string>();
    if (wanted('auto_scaling_group')) {
      for (const pool of await api.get<PoolSummary[]>('/api/vcenter/resource-pool')) {
        for (const vm of await api.get<VmSummary[]>(
          `/api/vcenter/vm?resource_pools=${encodeURIComponent(pool.resource_pool)}`,
        )) {
          vmPool.set(vm.vm, pool.resource_pool);
        }
      }
    }
    if (!wanted('virtual_machine')) return;
    // VMs page by host: a vCenter list answers at most 1,000 items, so one call per host
    // keeps every page small, and tells which host each VM runs on.
    for (const host of hosts) {
      const vms = await api.get<VmSummary[]>(`/api/vcenter/vm?hosts=${encodeURIComponent(host.host)}`);
      for (const summary of vms) {
        if (ctx.signal.aborted) return;
        const detail = await api.get<VmDetail>(`/api/vcenter/vm/${encodeURIComponent(summary.vm)}`);
        let guest: GuestIdentity = {};
        if (summary.power_state === 'POWERED_ON') {
          guest = await api
            .get<GuestIdentity>(`/api/vcenter/vm/${encodeURIComponent(summary.vm)}/guest/identity`)
            .catch((error: unknown) => {
              // Without VMware Tools the guest identity is unavailable (HTTP 503/404): not an error for the run.
              if (
                error instanceof VsphereError &&
                error.status !== undefined &&
                error.status < 500 &&
                error.status !== 404
              )
                throw error;
              return {};
            });
        }
        const disks = Object.values(detail.disks ?? {});
        const diskBytes = disks.reduce((sum, d) => sum + (d.capacity ?? 0), 0);
        const cluster = hostCluster.get(host.host);
        const record: ResourceRecord = {
          kind: 'resource',
          ems_ref: summary.vm,
          name: detail.name ?? summary.name,
          vendor_type: 'VirtualMachine',
          region,
          availability_zone: cluster?.name ?? '',
          canonical_id: detail.identity?.bios_uuid ?? null,
          vendor_identifiers: {
            moid: summary.vm,
            ...(detail.identity?.bios_uuid ? { bios_uuid: detail.identity.bios_uuid } : {}),
            ...(detail.identity?.instance_uuid ? { instance_uuid: detail.identity.instance_uuid } : {}),
          },
          state:
            summary.power_state === 'POWERED_ON'
              ? 'running'
              : summary.power_state === 'SUSPENDED'
                ? 'suspended'
                : 'stopped',
          power_state: powerState(summary.power_state),
          fqdn: guest.host_name ?? '',
          ip_addresses: guest.ip_address ? [guest.ip_address] : [],
          os_type: osType(detail.guest_OS, guest.family),
          os_name: guest.full_name?.default_message ?? detail.guest_OS ?? '',
          cpu_count: detail.cpu?.count ?? summary.cpu_count ?? null,
          memory_mb: detail.memory?.size_MiB ?? summary.memory_size_MiB ?? null,
          disk_gb: disks.length ? Math.round((diskBytes / GiB) * 100) / 100 : null,
          properties: {
            guest_id: detail.guest_OS ?? '',
            hardware_version: detail.hardware?.version ?? '',
            ...(detail.identity?.instance_uuid ? { instance_uuid: detail.identity.instance_uuid } : {}),
          },
        };
        yield record;
        yield { kind: 'relationship', source: summary.vm, target: host.host, type: 'runs_on' };
        const seen = new Set<string>();
        for (const disk of disks) {
          const ds = datastoreByName.get(datastoreOf(disk.backing?.vmdk_file) ?? '');
          if (ds && !seen.has(ds)) {
            seen.add(ds);
            yield { kind: 'relationship', source: summary.vm, target: ds, type: 'attached_to' };
          }
        }
        const pool = vmPool.get(summary.vm);
        if (pool) yield { kind: 'relationship', source: summary.vm, target: pool, type: 'member_of' };
      }
    }
  } finally {
    await api.logout();
  }
}

/** `vmware:vcenter`: collects a vCenter through the vSphere Automation REST API. */
export const vcenterPlugin: ProviderPlugin = {
  manifest: {
    vendor: 'vmware',
    provider_type: 'vcenter',
    version: '1.0.0',
    display_name: 'VMware vCenter',
    description:
      'Datacenters, clusters, ESXi hosts, datastores, resource pools, networks and VMs (hardware, guest identity, BIOS and instance UUIDs) through the vSphere Automation REST API (vSphere 7.0 U2 or newer), with runs_on, part_of, attached_to and member_of relationships.',
    infrastructure: 'private_cloud',
    supported_resource_types: [
      'virtual_machine',
      'hypervisor_host',
      'auto_scaling_group',
      'block_storage',
      'file_storage',
      'vlan_segment',
    ],
    connection_parameters: [
      {
        name: 'username',
        type: 'string',
        required: true,
        secret: false,
        description: 'vCenter user, e.g. administrator@vsphere.local (read-only is enough).',
      },
      {
        name: 'password',
        type: 'string',
        required: true,
        secret: true,
        description: 'Password of that user.',
      },
      {
        name: 'port',
        type: 'integer',
        required: false,
        secret: false,
        default: 443,
        description: 'HTTPS port of vCenter.',
      },
      {
        name: 'verify_ssl',
        type: 'boolean',
        required: false,
        secret: false,
        default: true,
        description: 'Verify the TLS certificate; false for self-signed certificates.',
      },
      {
        name: 'allow_http',
        type: 'boolean',
        required: false,
        secret: false,
        default: false,
        description:
          'Accept a plain http:// endpoint (the password then travels unencrypted): test servers only.',
      },
      {
        name: 'timeout_seconds',
        type: 'integer',
        required: false,
        secret: false,
        default: 30,
        description: 'How long to wait for each API call.',
      },
    ],
    requires_endpoint: true,
  },
  async validateConnection(ctx) {
    const api = client(ctx);
    try {
      await api.login();
      const datacenters = await api.get<DatacenterSummary[]>('/api/vcenter/datacenter');
      return {
        ok: true,
        message: `Connected to ${ctx.provider.endpoint}: ${datacenters.length} datacenter(s).`,
      };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    } finally {
      await api.logout();
    }
  },
  collect: collectVsphere,
};

export const VCENTER_DEPENDENCIES = {
  'requirements.yml': 'collections:\n  - name: vmware.vmware\n    version: ">=1.0.0"\n',
  'meta/execution-environment.yml': 'version: 3\ndependencies:\n  galaxy: requirements.yml\n',
};
