import { isIP } from 'node:net';
import { unprefixed } from './fact-document.js';

/** What a push says about its host, in the resource's own columns. Unknown shapes give what can be derived. */
export interface NormalizedHost {
  name: string | null;
  fqdn: string;
  /** SMBIOS product UUID, else machine id; null when neither is usable. */
  canonicalId: string | null;
  /** The ansible vendor type the taxonomy maps: guest, host, NA, docker, podman, lxc, ...; '' when the document does not say. */
  vendorType: string;
  osType: string;
  osName: string;
  cpuCount: number | null;
  memoryMb: number | null;
  diskGb: number | null;
  ipAddresses: string[];
  macAddresses: string[];
  identifiers: Record<string, string>;
  properties: Record<string, unknown>;
}

const CONTAINER_TYPES = new Set([
  'docker',
  'podman',
  'lxc',
  'container',
  'containerd',
  'openvz',
  'systemd-nspawn',
  'wsl',
]);

/** SMBIOS values that are not identities (unset, all zeros or all Fs, "Not Settable"). */
const PLACEHOLDERS = new Set([
  '',
  'na',
  'n/a',
  'none',
  'null',
  'unknown',
  'not settable',
  'not specified',
  'default string',
  'to be filled by o.e.m.',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '03000200-0400-0500-0006-000700080009',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const int = (value: unknown): number | null => {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  return Number.isFinite(n) && n >= 0 && n < 2 ** 31 ? Math.round(n) : null;
};

export function usableIdentity(value: unknown): string | null {
  const text = str(value).toLowerCase();
  if (PLACEHOLDERS.has(text) || text.length < 8) return null;
  return text.slice(0, 255);
}

function osType(system: string, family: string): string {
  const s = `${system} ${family}`.toLowerCase();
  if (s.includes('win')) return 'windows';
  if (s.includes('darwin') || s.includes('macos')) return 'macos';
  if (s.includes('linux')) return 'linux';
  if (s.includes('bsd')) return 'bsd';
  return system.toLowerCase().slice(0, 64);
}

const SKIPPED_DISKS = /^(loop|ram|zram|sr|fd|dm-|md|nbd)/;

/** Normalizes Ansible facts (`setup` output, with or without the `ansible_` prefix). */
export function normalizeAnsibleFacts(raw: Record<string, unknown>): NormalizedHost {
  const facts = unprefixed(raw);
  const hostname = str(facts.hostname) || str(facts.nodename);
  const fqdn = str(facts.fqdn);
  const productUuid = usableIdentity(facts.product_uuid);
  const machineId = usableIdentity(facts.machine_id);
  const role = str(facts.virtualization_role);
  const virtType = str(facts.virtualization_type);
  const vendorType =
    CONTAINER_TYPES.has(virtType) && role !== 'host'
      ? virtType
      : role === 'guest'
        ? 'guest'
        : role === 'host'
          ? 'host'
          : 'NA';

  let diskBytes = 0;
  let disks = 0;
  if (isObject(facts.devices)) {
    for (const [device, info] of Object.entries(facts.devices)) {
      if (SKIPPED_DISKS.test(device) || !isObject(info) || str(info.removable) === '1') continue;
      const sectors = int(info.sectors) ?? Number(info.sectors);
      const sectorSize = int(info.sectorsize) ?? 512;
      if (Number.isFinite(sectors) && sectors > 0) {
        diskBytes += sectors * sectorSize;
        disks++;
      }
    }
  }
  const ips = new Set<string>();
  for (const key of ['all_ipv4_addresses', 'all_ipv6_addresses']) {
    const list = facts[key];
    if (Array.isArray(list))
      for (const ip of list) if (typeof ip === 'string' && isIP(ip) && !ip.startsWith('fe80')) ips.add(ip);
  }
  const macs = new Set<string>();
  if (Array.isArray(facts.interfaces)) {
    for (const name of facts.interfaces) {
      if (typeof name !== 'string' || name === 'lo') continue;
      const info = facts[name.replace(/[^A-Za-z0-9_]/g, '_')];
      const mac = isObject(info) ? str(info.macaddress).toLowerCase() : '';
      if (/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) && mac !== '00:00:00:00:00:00') macs.add(mac);
    }
  }
  const distribution = str(facts.distribution);
  const version = str(facts.distribution_version);
  const identifiers: Record<string, string> = {};
  if (productUuid) identifiers.product_uuid = productUuid;
  if (machineId) identifiers.machine_id = machineId;
  const properties: Record<string, unknown> = {};
  for (const key of [
    'architecture',
    'kernel',
    'distribution',
    'distribution_version',
    'os_family',
    'virtualization_type',
    'virtualization_role',
    'system_vendor',
    'product_name',
    'service_mgr',
    'pkg_mgr',
  ]) {
    if (str(facts[key])) properties[key] = str(facts[key]);
  }
  if (disks > 0) properties.disk_count = disks;
  if (macs.size > 0) properties.mac_addresses = [...macs].sort();
  return {
    name: (hostname || fqdn || null)?.slice(0, 512) ?? null,
    fqdn: fqdn.slice(0, 512),
    canonicalId: productUuid ?? machineId,
    vendorType,
    osType: osType(str(facts.system), str(facts.os_family)),
    osName: [distribution, version].filter(Boolean).join(' ').slice(0, 255),
    cpuCount: int(facts.processor_vcpus) ?? int(facts.processor_count),
    memoryMb: int(facts.memtotal_mb),
    diskGb: disks > 0 ? Math.round((diskBytes / 1024 ** 3) * 100) / 100 : null,
    ipAddresses: [...ips].sort(),
    macAddresses: [...macs].sort(),
    identifiers,
    properties,
  };
}

const dig = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value);

/**
 * Normalizes a collector-agent inventory document (the envelope's `data`, or a bare
 * document; facter shaped: os.name, os.release.full, networking.*, dmi.product.uuid,
 * processors.count, memory.system.total_bytes, disks.*.size_bytes, is_virtual/virtual).
 * Ansible-shaped data is accepted too. What the document does not say stays empty
 * (null, '' or, for the vendor type, '': unknown), so it does not overwrite what the
 * host's other documents said.
 */
export function normalizeCollectorInventory(data: Record<string, unknown>): NormalizedHost {
  if ('ansible_facts' in data && isObject(data.ansible_facts))
    return normalizeAnsibleFacts(data.ansible_facts);
  if ('distribution' in data || 'ansible_distribution' in data) return normalizeAnsibleFacts(data);
  const hostname = str(dig(data, 'networking', 'hostname')) || str(data.hostname);
  const fqdn = str(dig(data, 'networking', 'fqdn')) || str(data.fqdn);
  const productUuid = usableIdentity(dig(data, 'dmi', 'product', 'uuid'));
  const machineId = usableIdentity(data.machine_id) ?? usableIdentity(dig(data, 'os', 'machine_id'));
  const virtual = str(data.virtual);
  const isVirtual = data.is_virtual === true || data.is_virtual === 'true';
  const vendorType = CONTAINER_TYPES.has(virtual)
    ? virtual
    : isVirtual
      ? 'guest'
      : data.is_virtual === false || data.is_virtual === 'false'
        ? 'NA'
        : '';
  const ips = new Set<string>();
  for (const ip of [dig(data, 'networking', 'ip'), dig(data, 'networking', 'ip6')])
    if (typeof ip === 'string' && isIP(ip) && !ip.startsWith('fe80')) ips.add(ip);
  const totalBytesRaw = Number(dig(data, 'memory', 'system', 'total_bytes'));
  const totalBytes = Number.isFinite(totalBytesRaw) && totalBytesRaw > 0 ? totalBytesRaw : null;
  let diskBytes = 0;
  let disks = 0;
  const diskMap = dig(data, 'disks');
  if (isObject(diskMap)) {
    for (const [name, info] of Object.entries(diskMap)) {
      const size = Number(dig(info, 'size_bytes'));
      if (!SKIPPED_DISKS.test(name) && Number.isFinite(size) && size > 0) {
        diskBytes += size;
        disks++;
      }
    }
  }
  const osName = str(dig(data, 'os', 'name'));
  const release = str(dig(data, 'os', 'release', 'full'));
  const identifiers: Record<string, string> = {};
  if (productUuid) identifiers.product_uuid = productUuid;
  if (machineId) identifiers.machine_id = machineId;
  return {
    name: (hostname || fqdn || null)?.slice(0, 512) ?? null,
    fqdn: fqdn.slice(0, 512),
    canonicalId: productUuid ?? machineId,
    vendorType,
    osType: osType(
      str(dig(data, 'kernel')) || str(dig(data, 'os', 'family')),
      str(dig(data, 'os', 'family')),
    ),
    osName: [osName, release].filter(Boolean).join(' ').slice(0, 255),
    cpuCount: int(dig(data, 'processors', 'count')),
    memoryMb: totalBytes === null ? null : Math.round(totalBytes / 1024 ** 2),
    diskGb: disks > 0 ? Math.round((diskBytes / 1024 ** 3) * 100) / 100 : null,
    ipAddresses: [...ips].sort(),
    macAddresses: [],
    identifiers,
    properties: osName ? { os_name: osName } : {},
  };
}
