import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSecretKey } from '../../config/config.js';

/** Before key ids and bound contexts: `$encrypted$v1$<base64(iv | tag | ciphertext)>`. */
const V1 = '$encrypted$v1$';
/** `$encrypted$v2$<key id>$<base64(iv | tag | ciphertext)>`, bound to its context. */
const V2 = '$encrypted$v2$';

/** The id a key is known by in sealed values: 8 hex characters of a SHA-256 of it (not of the plaintext). */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update('inventory-secret-key-id:').update(key).digest('hex').slice(0, 8);
}

/**
 * AES-256-GCM for secrets stored in the database (provider connection settings, webhook
 * secrets). A sealed value is `$encrypted$v2$<key id>$<base64(iv | tag | ciphertext)>` of
 * the value's JSON, so any JSON value can be sealed and the marker survives in a JSONB
 * document. Each value is bound to a context (additional authenticated data) naming its
 * owner and field, e.g. `provider:<id>:connection_config.password`: copied to another
 * provider or another field, it no longer opens. The key id says which key sealed it;
 * `previous` keys still open what they sealed (during a key rotation). Values sealed
 * before key ids (`v1`, no context) still open with any of the keys.
 */
export class SecretBox {
  readonly keyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly key: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.keyId = secretKeyId(key);
    this.keys.set(this.keyId, key);
    for (const old of previous) {
      if (old.length !== 32) throw new Error('SecretBox needs 32-byte keys');
      if (!this.keys.has(secretKeyId(old))) this.keys.set(secretKeyId(old), old);
    }
  }

  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && (value.startsWith(V2) || value.startsWith(V1));
  }

  /** The id of the key that sealed a value; null for the old format (which has none). */
  static keyIdOf(sealed: string): string | null {
    return sealed.startsWith(V2) ? sealed.slice(V2.length, V2.length + 8) : null;
  }

  /** Whether a sealed value is in the current format under this box's current key. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`${V2}${this.keyId}$`);
  }

  /** A box for one owner: contexts are `<scope>:<name>`. */
  scope(scope: string): ScopedSecrets {
    return new ScopedSecrets(this, scope);
  }

  seal(value: unknown, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${V2}${this.keyId}$${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  }

  open(sealed: string, context: string): unknown {
    if (sealed.startsWith(V2)) {
      const id = sealed.slice(V2.length, V2.length + 8);
      const key = this.keys.get(id);
      if (!key || sealed[V2.length + 8] !== '$')
        throw new Error(`the value was sealed with a key this process does not have (key id ${id})`);
      return decrypt(key, Buffer.from(sealed.slice(V2.length + 9), 'base64'), context);
    }
    if (!sealed.startsWith(V1)) throw new Error('not a sealed value');
    const raw = Buffer.from(sealed.slice(V1.length), 'base64');
    let failure: unknown;
    for (const key of this.keys.values()) {
      try {
        return decrypt(key, raw, null);
      } catch (error) {
        failure = error;
      }
    }
    throw failure instanceof Error ? failure : new Error('cannot open the value');
  }
}

function decrypt(key: Buffer, raw: Buffer, context: string | null): unknown {
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  if (context !== null) decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  return JSON.parse(plain) as unknown;
}

/**
 * A SecretBox bound to one owner (`provider:<id>`, `webhook:<id>`): what it seals under
 * a name opens only with the same owner and name.
 */
export class ScopedSecrets {
  constructor(
    private readonly box: SecretBox,
    readonly owner: string,
  ) {}

  context(name: string): string {
    return `${this.owner}:${name}`;
  }

  seal(value: unknown, name: string): string {
    return this.box.seal(value, this.context(name));
  }

  open(sealed: string, name: string): unknown {
    return this.box.open(sealed, this.context(name));
  }
}

/** The scope of a provider's connection_config secrets. */
export const providerSecrets = (box: SecretBox, providerId: string) => box.scope(`provider:${providerId}`);
/** The scope of a webhook's signing secret (name `secret`). */
export const webhookSecrets = (box: SecretBox, webhookId: string) => box.scope(`webhook:${webhookId}`);

/**
 * The key from INVENTORY_SECRET_KEY, or the one generated into the data folder on first
 * start (mode 0600). Losing that file makes stored secrets unreadable: back it up.
 */
export async function loadOrCreateSecretKey(
  configured: Buffer | null,
  dataDir: string,
): Promise<{ key: Buffer; path: string | null; created: boolean }> {
  if (configured) return { key: configured, path: null, created: false };
  const path = join(dataDir, 'secret.key');
  try {
    const key = parseSecretKey((await readFile(path, 'utf8')).trim());
    if (!key) throw new Error(`${path} does not hold a 32-byte key (64 hex characters)`);
    return { key, path, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const key = randomBytes(32);
  await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
  await chmod(path, 0o600);
  // Another process may have won the race to create it: read back what is on disk.
  const stored = parseSecretKey((await readFile(path, 'utf8')).trim());
  if (!stored) throw new Error(`${path} does not hold a 32-byte key`);
  return { key: stored, path, created: stored.equals(key) };
}

export const SECRET_BOX = Symbol('SECRET_BOX');
