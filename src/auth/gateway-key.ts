import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { GatewayJwtConfig } from '../config/config.js';

/** Turns PEM text (public key or X.509 certificate) into a key object. */
export function parsePublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem.replace(/\\n/g, '\n').trim());
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the gateway key must be an RSA public key');
  return key;
}

/**
 * The gateway's public key: from GATEWAY_JWT_PUBLIC_KEY (PEM text or a file path) or
 * fetched from GATEWAY_JWT_PUBLIC_KEY_URL and cached. When a signature does not verify
 * with a cached URL key, the caller asks for `refresh()` once (the gateway may have
 * rotated its key).
 */
export class GatewayKeyProvider {
  private cached: KeyObject | null = null;
  private fetching: Promise<KeyObject> | null = null;
  private lastAttempt = 0;

  constructor(private readonly config: GatewayJwtConfig) {}

  get configured(): boolean {
    return this.config.publicKey !== null || this.config.publicKeyUrl !== null;
  }

  get refreshable(): boolean {
    return this.config.publicKey === null && this.config.publicKeyUrl !== null;
  }

  async key(): Promise<KeyObject> {
    if (this.cached) return this.cached;
    const inline = this.config.publicKey;
    if (inline !== null) {
      const pem = inline.includes('-----BEGIN')
        ? inline
        : existsSync(inline)
          ? readFileSync(inline, 'utf8')
          : inline;
      this.cached = parsePublicKey(pem);
      return this.cached;
    }
    return this.fetch();
  }

  /**
   * Fetches the URL key again (at most once every 5 seconds, shared by concurrent callers).
   * A failed fetch keeps the last good key: tokens it signed still verify while the
   * gateway is unreachable or answers garbage.
   */
  async refresh(): Promise<KeyObject> {
    if (Date.now() - this.lastAttempt < 5000 && this.cached) return this.cached;
    return this.fetch();
  }

  private fetch(): Promise<KeyObject> {
    const url = this.config.publicKeyUrl;
    if (!url) throw new Error('no gateway key configured');
    this.fetching ??= (async () => {
      this.lastAttempt = Date.now();
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
        if (!response.ok) throw new Error(`fetching the gateway key from ${url} answered ${response.status}`);
        const body = (await response.text()).trim();
        // The gateway serves the PEM itself; accept a JSON wrapper {"public_key": "..."} too.
        const pem = body.startsWith('{')
          ? String((JSON.parse(body) as { public_key?: string }).public_key ?? '')
          : body;
        this.cached = parsePublicKey(pem);
        return this.cached;
      } finally {
        this.fetching = null;
      }
    })();
    return this.fetching;
  }
}
