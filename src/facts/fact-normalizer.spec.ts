import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressBucket, ClientAddressResolver } from '../common/http/client-address.js';
import { contentHash, diffableDocument } from './fact-document.js';
import { normalizeAnsibleFacts, normalizeCollectorInventory, usableIdentity } from './fact-normalizer.js';

const fixture = JSON.parse(
  readFileSync(join(process.cwd(), 'test/fixtures/ansible-debian12-facts.json'), 'utf8'),
);

describe('normalizeAnsibleFacts', () => {
  it('reads a real Debian capture', () => {
    const host = normalizeAnsibleFacts(fixture.system_facts);
    expect(host).toMatchObject({
      name: fixture.system_facts.hostname,
      canonicalId: fixture.system_facts.machine_id,
      vendorType: 'docker',
      osType: 'linux',
      osName: `Debian ${fixture.system_facts.distribution_version}`,
      cpuCount: fixture.system_facts.processor_vcpus,
      memoryMb: fixture.system_facts.memtotal_mb,
    });
    expect(host.diskGb).toBeGreaterThan(0);
  });

  it('prefers the SMBIOS UUID, ignores placeholders, accepts the ansible_ prefix', () => {
    const host = normalizeAnsibleFacts({
      ansible_product_uuid: '4211B0C2-5E7D-9A3F-1C2D-3E4F5A6B7C8D',
      ansible_machine_id: 'abcdef0123456789abcdef0123456789',
      ansible_virtualization_role: 'guest',
      ansible_virtualization_type: 'VMware',
      ansible_system: 'Win32NT',
      ansible_hostname: 'WIN01',
    });
    expect(host).toMatchObject({
      canonicalId: '4211b0c2-5e7d-9a3f-1c2d-3e4f5a6b7c8d',
      vendorType: 'guest',
      osType: 'windows',
      name: 'WIN01',
    });
    for (const placeholder of ['NA', 'Not Settable', '00000000-0000-0000-0000-000000000000', '']) {
      expect(usableIdentity(placeholder)).toBeNull();
    }
    expect(normalizeAnsibleFacts({ product_uuid: 'NA' }).canonicalId).toBeNull();
    expect(
      normalizeAnsibleFacts({ virtualization_role: 'host', virtualization_type: 'kvm' }).vendorType,
    ).toBe('host');
    expect(normalizeAnsibleFacts({}).vendorType).toBe('NA');
  });

  it('derives what it can from unknown shapes without failing', () => {
    const host = normalizeAnsibleFacts({
      devices: 'x',
      interfaces: [1, null],
      all_ipv4_addresses: 'nope',
      memtotal_mb: 'lots',
    });
    expect(host).toMatchObject({ memoryMb: null, diskGb: null, ipAddresses: [], name: null });
  });

  it('reads collector-agent inventories (the document, not its envelope)', () => {
    const host = normalizeCollectorInventory({
      os: { name: 'TestOS' },
      networking: { hostname: 'h1' },
      memory: { system: { total_bytes: 2 * 1024 ** 3 } },
    });
    // The vendor type is unknown ('') when the agent says nothing of virtualization.
    expect(host).toMatchObject({ name: 'h1', osName: 'TestOS', memoryMb: 2048, vendorType: '' });
    expect(normalizeCollectorInventory({ is_virtual: false }).vendorType).toBe('NA');
    expect(normalizeCollectorInventory({ is_virtual: true }).vendorType).toBe('guest');
    expect(normalizeCollectorInventory({ os: { name: 'TestOS' } })).toMatchObject({
      name: null,
      canonicalId: null,
    });
  });
});

describe('fact documents', () => {
  it('hashes without volatile facts and groups interfaces and packages for the diff', () => {
    const parts = {
      system_facts: fixture.system_facts,
      package_facts: fixture.package_facts,
      local_facts: {},
    };
    const volatile = structuredClone(parts);
    volatile.system_facts.uptime_seconds = 1;
    volatile.system_facts.date_time = {};
    expect(contentHash(volatile)).toBe(contentHash(parts));
    volatile.system_facts.kernel = 'other';
    expect(contentHash(volatile)).not.toBe(contentHash(parts));
    const doc = diffableDocument(parts);
    expect(Object.keys(doc.interfaces as object)).toEqual(expect.arrayContaining(['lo', 'eth0']));
    expect(doc.eth0).toBeUndefined();
    expect((doc.packages as Record<string, { version: string }>).bash.version).toBeDefined();
    expect(doc.uptime_seconds).toBeUndefined();
  });
});

describe('ClientAddressResolver', () => {
  it('ignores forwarding headers from untrusted peers', () => {
    const r = new ClientAddressResolver([]);
    expect(r.resolve('10.0.0.5', { 'x-forwarded-for': '1.2.3.4' })).toBe('10.0.0.5');
    expect(r.resolve('::ffff:10.0.0.5', {})).toBe('10.0.0.5');
    expect(r.resolve(undefined, {})).toBeNull();
  });

  it('reads X-Forwarded-For from the right, skipping trusted hops, and X-Real-IP', () => {
    const r = new ClientAddressResolver(['10.0.0.0/8', 'fd00::/8']);
    expect(r.resolve('10.0.0.1', { 'x-forwarded-for': '6.6.6.6, 1.2.3.4, 10.0.0.7' })).toBe('1.2.3.4');
    expect(r.resolve('10.0.0.1', { 'x-real-ip': '1.2.3.5' })).toBe('1.2.3.5');
    expect(r.resolve('fd00::1', { 'x-forwarded-for': '2001:db8::1' })).toBe('2001:db8::1');
    expect(r.resolve('10.0.0.1', { 'x-forwarded-for': 'junk' })).toBeNull();
    expect(r.resolve('10.0.0.1', {})).toBe('10.0.0.1');
  });

  it('prefers X-Forwarded-For over X-Real-IP from a trusted proxy (the documented precedence)', () => {
    const r = new ClientAddressResolver(['10.0.0.0/8']);
    expect(r.resolve('10.0.0.1', { 'x-forwarded-for': '1.2.3.4', 'x-real-ip': '5.6.7.8' })).toBe('1.2.3.4');
    // Every hop trusted: the leftmost one is the client.
    expect(r.resolve('10.0.0.1', { 'x-forwarded-for': '10.0.0.9, 10.0.0.8' })).toBe('10.0.0.9');
    expect(r.resolve('192.0.2.1', { 'x-real-ip': '5.6.7.8' })).toBe('192.0.2.1');
  });
});

describe('addressBucket', () => {
  it('gives IPv6 clients one bucket per network of the prefix, IPv4 one per address', () => {
    expect(addressBucket('192.0.2.7', 64)).toBe('192.0.2.7');
    expect(addressBucket('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 64)).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(addressBucket('2001:db8:1:2::1', 64)).toBe(addressBucket('2001:db8:1:2:ffff::9', 64));
    expect(addressBucket('2001:db8:1:3::1', 64)).not.toBe(addressBucket('2001:db8:1:2::1', 64));
    expect(addressBucket('2001:db8:1:2ff::1', 56)).toBe('2001:db8:1:200:0:0:0:0/56');
    expect(addressBucket('::ffff:1.2.3.4', 96)).toBe('0:0:0:0:0:ffff:0:0/96');
    expect(addressBucket('2001:db8::1', 128)).toBe('2001:db8::1');
  });
});
