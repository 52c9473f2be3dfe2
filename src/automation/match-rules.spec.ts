import { normalizeIdentity } from './automation-identity.js';
import { DEFAULT_MATCH_RULES, parseConfidence, parseMatchRules } from './match-rules.js';

describe('AUTOMATION_MATCH_RULES', () => {
  it('defaults to the six tiers in order', () => {
    const problems: string[] = [];
    expect(parseMatchRules('X', undefined, problems).map((r) => `${r.rule}=${r.confidence}`)).toEqual([
      'smbios_serial=1',
      'bios_uuid=0.95',
      'mac_address=0.85',
      'ip_address=0.75',
      'fqdn=0.5',
      'hostname=0.3',
    ]);
    expect(problems).toEqual([]);
  });

  it('takes an order and confidences; a rule left out is not tried', () => {
    const problems: string[] = [];
    expect(parseMatchRules('X', 'bios_uuid=1, smbios_serial=0.9 ,ip_address=0.4', problems)).toEqual([
      { rule: 'bios_uuid', confidence: 1 },
      { rule: 'smbios_serial', confidence: 0.9 },
      { rule: 'ip_address', confidence: 0.4 },
    ]);
    expect(problems).toEqual([]);
  });

  it('names every bad entry and keeps the defaults', () => {
    const problems: string[] = [];
    expect(parseMatchRules('AUTOMATION_MATCH_RULES', 'serial=1,fqdn=1.5,fqdn=0.5,fqdn=0.4', problems)).toBe(
      DEFAULT_MATCH_RULES,
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^AUTOMATION_MATCH_RULES must be .*\(bad: serial=1, fqdn=1\.5, fqdn=0\.4 \(listed twice\)\)$/,
    );
  });

  it('reads the threshold as a confidence', () => {
    const problems: string[] = [];
    expect(parseConfidence('T', '0.75', 0.5, problems)).toBe(0.75);
    expect(parseConfidence('T', 'high', 0.5, problems)).toBe(0.5);
    expect(problems).toEqual(['T must be a number between 0 and 1 with up to three decimals (got "high")']);
  });
});

describe('normalizeIdentity', () => {
  it('compares case-free, drops what identifies no machine and names malformed addresses', () => {
    const problems: string[] = [];
    const identity = normalizeIdentity(
      {
        smbios_serial: 'To Be Filled By O.E.M.',
        bios_uuid: ' 502E71FA-1001-4A8E-B123-AABBCCDDEEF1 ',
        mac_addresses: ['00-50-56-AA-00-01', '00:00:00:00:00:00', 'bogus'],
        ip_addresses: ['127.0.0.1', '10.0.0.5', 'fe80::1%eth0', '::1', '10.0.0.999'],
        fqdn: 'Web01.Example.COM.',
        hostname: 'localhost',
      },
      (field, message) => problems.push(`${field}: ${message}`),
    );
    expect(identity).toEqual({
      smbios_serial: null,
      bios_uuid: '502e71fa-1001-4a8e-b123-aabbccddeef1',
      mac_addresses: ['00:50:56:aa:00:01'],
      ip_addresses: ['10.0.0.5'],
      fqdn: 'web01.example.com',
      hostname: null,
    });
    expect(problems).toEqual([
      'mac_addresses: "bogus" is not a MAC address (aa:bb:cc:dd:ee:ff).',
      'ip_addresses: "10.0.0.999" is not an IP address.',
    ]);
  });
});
