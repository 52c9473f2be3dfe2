import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { verifyPassword } from '../auth/passwords.js';

/**
 * How system secrets are stored. A system secret is never chosen by a person: the service
 * generates it (24 random bytes, 192 bits) and shows it once. Guessing one, online or from
 * a stolen database, means searching 2^192 values, so a slow, salted password hash
 * (scrypt) buys nothing and would cost every push a CPU-heavy verification: the stored
 * form is its SHA-256 (`sha256$<base64>`), as API tokens usually are (OWASP's
 * password-storage guidance is for secrets people pick). Hashes written before this
 * (`scrypt$...`) still verify and are replaced by the SHA-256 form on the next success.
 */

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/** A new system secret (shown once, stored only hashed). */
export const generateSystemSecret = () => randomBytes(24).toString('base64url');

/** `sha256$<base64 of SHA-256(secret)>`. */
export function hashSystemSecret(secret: string): string {
  return `sha256$${digest(secret).toString('base64')}`;
}

/** Compared with for an unknown system key, so it costs what a known key costs. */
const DUMMY = digest(randomBytes(24).toString('base64url'));

/**
 * Whether `secret` matches the stored hash (null: unknown key; compared against a dummy
 * all the same); `upgrade` when it matched an old scrypt hash that should be rewritten.
 */
export async function verifySystemSecret(
  secret: string,
  stored: string | null,
): Promise<{ ok: boolean; upgrade: boolean }> {
  if (stored?.startsWith('scrypt$')) {
    const ok = await verifyPassword(secret, stored);
    return { ok, upgrade: ok };
  }
  const expected = stored?.startsWith('sha256$') ? Buffer.from(stored.slice(7), 'base64') : null;
  const actual = digest(secret);
  const reference = expected !== null && expected.length === actual.length ? expected : DUMMY;
  const ok = timingSafeEqual(actual, reference) && reference !== DUMMY;
  return { ok, upgrade: false };
}
