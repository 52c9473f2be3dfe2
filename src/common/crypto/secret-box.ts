import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSecretKey } from '../../config/config.js';

const PREFIX = '$encrypted$v1$';

/**
 * AES-256-GCM for secrets stored in the database (provider connection settings).
 * A sealed value is `$encrypted$v1$<base64(iv | tag | ciphertext)>` of the value's JSON,
 * so any JSON value can be sealed and the marker survives in a JSONB document.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(PREFIX);
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
  }

  open(sealed: string): unknown {
    if (!SecretBox.isSealed(sealed)) throw new Error('not a sealed value');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(plain) as unknown;
  }
}

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
