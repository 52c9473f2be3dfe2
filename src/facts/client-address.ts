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
