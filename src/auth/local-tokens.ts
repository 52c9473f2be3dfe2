import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';

export const LOCAL_ISSUER = 'inventory-local';
export const LOCAL_AUDIENCE = 'inventory';

export interface LocalTokenClaims {
  userId: number;
  username: string;
}

/** What a verified local token says: its claims, its id (revocation) and its expiry. */
export interface VerifiedLocalToken extends LocalTokenClaims {
  jti: string | null;
  expiresAt: Date;
  /** Issued at (seconds since the epoch), or null when the token does not say. */
  issuedAt: number | null;
}

/**
 * Tokens the service issues itself (`inventory token --user NAME`), for scripts in
 * standalone mode. RS256 like gateway tokens, with a key pair generated into the data
 * folder on first use (`local-jwt-key.pem`, mode 0600).
 */
export class LocalTokenKeys {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
  ) {}

  static async load(dataDir: string): Promise<LocalTokenKeys> {
    const path = join(dataDir, 'local-jwt-key.pem');
    let pem: string;
    try {
      pem = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(dataDir, { recursive: true, mode: 0o755 });
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const fresh = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await writeFile(path, fresh, { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      await chmod(path, 0o600);
      pem = await readFile(path, 'utf8'); // another process may have written it first
    }
    const privateKey = createPrivateKey(pem);
    return new LocalTokenKeys(privateKey, createPublicKey(privateKey));
  }

  /** An in-memory key pair (for tests and for rendering the OpenAPI document). */
  static ephemeral(): LocalTokenKeys {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return new LocalTokenKeys(privateKey, publicKey);
  }

  /** The public key tokens are verified with, as PEM (the local token strategy's secretOrKey). */
  get verificationKey(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(claims: LocalTokenClaims, ttlSeconds: number): Promise<string> {
    return new SignJWT({ username: claims.username })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setSubject(String(claims.userId))
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.privateKey);
  }

  async verify(token: string): Promise<VerifiedLocalToken> {
    const { payload } = await jwtVerify(token, this.publicKey, {
      algorithms: ['RS256'],
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    return {
      userId: Number(payload.sub),
      username: typeof payload.username === 'string' ? payload.username : '',
      jti: typeof payload.jti === 'string' ? payload.jti : null,
      expiresAt: new Date(payload.exp! * 1000),
      issuedAt: typeof payload.iat === 'number' ? payload.iat : null,
    };
  }
}
