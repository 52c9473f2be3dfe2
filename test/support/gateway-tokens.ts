import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * Mints tokens as the Ansible Automation Platform gateway does (X-DAB-JW-TOKEN):
 * RS256, audience "ansible-services", issuer "ansible-issuer", with user_data, objects,
 * object_roles and global_roles claims.
 */
export class FakeGateway {
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      sub: randomUUID(),
      user_data: {
        username: `gw-${randomUUID().slice(0, 8)}`,
        first_name: 'Grace',
        last_name: 'Hopper',
        email: 'grace@example.com',
        is_superuser: false,
      },
      objects: { organization: [], team: [] },
      object_roles: {},
      global_roles: [],
      version: '1',
      ...overrides,
    };
  }

  async token(
    claims: Record<string, unknown>,
    options: {
      expiresIn?: number;
      audience?: string;
      issuer?: string;
      key?: KeyObject;
      omitExp?: boolean;
      /** `iat` in seconds (default: now). */
      issuedAt?: number;
    } = {},
  ): Promise<string> {
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setAudience(options.audience ?? 'ansible-services')
      .setIssuer(options.issuer ?? 'ansible-issuer')
      .setIssuedAt(options.issuedAt);
    if (!options.omitExp)
      jwt = jwt.setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresIn ?? 600));
    return jwt.sign(options.key ?? this.privateKey);
  }
}

const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An unsigned token (alg "none"), as an attacker would send. */
export function unsignedToken(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, aud: 'ansible-services', iss: 'ansible-issuer', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
}

/** HS256 signed with the gateway's public key PEM as the HMAC secret (the classic key-confusion attack). */
export async function keyConfusionToken(
  publicKeyPem: string,
  claims: Record<string, unknown>,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience('ansible-services')
    .setIssuer('ansible-issuer')
    .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
    .sign(new TextEncoder().encode(publicKeyPem));
}
