import { isIP } from 'node:net';

/** Values firmware puts in an SMBIOS serial or UUID that identify nothing. */
const PLACEHOLDERS = new Set([
  '',
  '0',
  'na',
  'n/a',
  'none',
  'null',
  'unknown',
  'not specified',
  'not settable',
  'not available',
  'default string',
  'system serial number',
  'to be filled by o.e.m.',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '03000200-0400-0500-0006-000700080009',
]);

const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'localhost6', 'localhost6.localdomain6']);

export interface NormalizedIdentity {
  smbios_serial: string | null;
  bios_uuid: string | null;
  mac_addresses: string[];
  ip_addresses: string[];
  fqdn: string | null;
  hostname: string | null;
}

export interface IdentityInput {
  smbios_serial?: string | null;
  bios_uuid?: string | null;
  mac_addresses?: string[] | null;
  ip_addresses?: string[] | null;
  fqdn?: string | null;
  hostname?: string | null;
}

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/;

/** Loopback, link-local, unspecified: the same on every machine. */
function localAddress(ip: string): boolean {
  const lowered = ip.toLowerCase();
  return (
    lowered.startsWith('127.') ||
    lowered === '0.0.0.0' ||
    lowered.startsWith('169.254.') ||
    lowered === '::1' ||
    lowered === '::' ||
    lowered.startsWith('fe80:')
  );
}

/**
 * The identity a host reported, in the form the matcher compares: trimmed, lower-cased
 * where case means nothing, MACs as `aa:bb:cc:dd:ee:ff`, values that identify no machine
 * (placeholder serials, loopback and link-local addresses, `localhost`) left out. A
 * malformed MAC or IP address is a problem of its field (the whole request is a 400).
 */
export function normalizeIdentity(
  input: IdentityInput | null | undefined,
  problem: (field: string, message: string) => void,
): NormalizedIdentity {
  const identity = input ?? {};
  const text = (value: string | null | undefined) => {
    const trimmed = (value ?? '').trim();
    return PLACEHOLDERS.has(trimmed.toLowerCase()) ? null : trimmed;
  };
  const name = (value: string | null | undefined) => {
    const lowered = (value ?? '').trim().toLowerCase().replace(/\.$/, '');
    return lowered === '' || LOCAL_NAMES.has(lowered) ? null : lowered;
  };
  const macs = new Set<string>();
  for (const raw of identity.mac_addresses ?? []) {
    const mac = raw.trim().toLowerCase();
    if (!MAC.test(mac)) problem('mac_addresses', `"${raw}" is not a MAC address (aa:bb:cc:dd:ee:ff).`);
    else if (!/^(00[:-]){5}00$/.test(mac)) macs.add(mac.replace(/-/g, ':'));
  }
  const ips = new Set<string>();
  for (const raw of identity.ip_addresses ?? []) {
    const ip = raw.trim().replace(/%.*$/, '');
    if (isIP(ip) === 0) problem('ip_addresses', `"${raw}" is not an IP address.`);
    else if (!localAddress(ip)) ips.add(ip.toLowerCase());
  }
  const uuid = text(identity.bios_uuid);
  return {
    smbios_serial: text(identity.smbios_serial),
    bios_uuid: uuid === null ? null : uuid.toLowerCase(),
    mac_addresses: [...macs].sort(),
    ip_addresses: [...ips].sort(),
    fqdn: name(identity.fqdn),
    hostname: name(identity.hostname),
  };
}
