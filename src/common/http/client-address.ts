import { BlockList, isIP } from 'node:net';

/**
 * The client address of a request. Forwarding headers are believed only when the
 * peer is one of the trusted proxies; then X-Forwarded-For is read from the right,
 * skipping trusted hops, so a client cannot choose its own address (and so its own
 * rate-limit bucket) by sending the header itself.
 */
export class ClientAddressResolver {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  constructor(cidrs: string[]) {
    this.any = cidrs.length > 0;
    for (const cidr of cidrs) {
      const [address, bits] = cidr.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      const prefix = bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits);
      this.trusted.addSubnet(address, prefix, family);
    }
  }

  isTrusted(address: string): boolean {
    if (!this.any) return false;
    const plain = stripMapped(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.trusted.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** The client's address, or null when none can be told (answered 400). */
  resolve(peer: string | undefined, headers: Record<string, string | string[] | undefined>): string | null {
    if (!peer) return null;
    let address = stripMapped(peer);
    if (this.isTrusted(address)) {
      const header = (name: string) => {
        const value = headers[name];
        return Array.isArray(value) ? value.join(',') : value;
      };
      const forwarded = header('x-forwarded-for');
      const realIp = header('x-real-ip')?.trim();
      if (forwarded) {
        const hops = forwarded
          .split(',')
          .map((hop) => stripMapped(hop.trim()))
          .filter(Boolean);
        let chosen: string | undefined;
        for (let i = hops.length - 1; i >= 0; i--) {
          chosen = hops[i];
          if (!this.isTrusted(chosen)) break;
        }
        if (chosen && isIP(chosen)) address = chosen;
        else return null;
      } else if (realIp) {
        if (!isIP(stripMapped(realIp))) return null;
        address = stripMapped(realIp);
      }
    }
    return isIP(address) ? address : null;
  }
}

/** `::ffff:10.0.0.1` is 10.0.0.1. */
function stripMapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The bucket of a client address for per-address limits (the anonymous push rate limit,
 * the failed-authentication throttle): an IPv4 address is its own bucket; an IPv6
 * address shares one with its /prefix network (a host given a /64 can pick any of 2^64
 * addresses, so per-address buckets would not limit it).
 */
export function addressBucket(address: string, ipv6Prefix: number): string {
  if (isIP(address) !== 6 || ipv6Prefix >= 128) return address;
  const groups = expandIpv6(address);
  let bits = ipv6Prefix;
  const kept = groups.map((group) => {
    const keep = Math.max(0, Math.min(16, bits));
    bits -= 16;
    return keep === 16 ? group : keep === 0 ? 0 : group & ~((1 << (16 - keep)) - 1) & 0xffff;
  });
  return `${kept.map((g) => g.toString(16)).join(':')}/${ipv6Prefix}`;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, an embedded IPv4 tail converted). */
function expandIpv6(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((g) =>
    parseInt(g || '0', 16),
  );
}
