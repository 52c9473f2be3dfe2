import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's cost parameters: N (CPU and memory cost, a power of two), r (block size), p (parallelism). */
export interface ScryptParams {
  n: number;
  r: number;
  p: number;
}

/**
 * OWASP's password-storage guidance for scrypt: N=2^17, r=8, p=1 (128 MiB and, on a busy
 * two-core machine, 0.1–3 s per hash). PASSWORD_SCRYPT_COST sets log2(N); the test suite
 * lowers it, nothing else should.
 */
export const DEFAULT_SCRYPT_COST = 17;
export const scryptParams = (cost: number = DEFAULT_SCRYPT_COST): ScryptParams => ({
  n: 2 ** cost,
  r: 8,
  p: 1,
});

const KEY_LENGTH = 64;
/** The largest N a stored hash may ask for (2^20: 1 GiB); anything above is treated as malformed. */
const MAX_N = 2 ** 20;

/**
 * At most this many scrypt computations at once per process: each takes 128·N·r bytes
 * (128 MiB at the default), so the thread pool's four threads hashing together could
 * take half a gigabyte. Others wait their turn (FIFO).
 */
const MAX_CONCURRENT_HASHES = 2;
let hashing = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (hashing < MAX_CONCURRENT_HASHES) hashing++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    // Hand the slot to the next in line, or give it back.
    const next = waiting.shift();
    if (next) next();
    else hashing--;
  }
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return withHashSlot(() => scryptOnce(password, salt, params));
}

function scryptOnce(password: string, salt: Buffer, { n, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    // scrypt needs 128·N·r·p bytes; Node refuses more than maxmem (default 32 MiB), so allow twice that.
    scrypt(password, salt, KEY_LENGTH, { N: n, r, p, maxmem: 256 * n * r * p }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64), self-describing so the parameters can be raised later. */
export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.n, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** The parameters a stored hash was made with; null when it is not a well-formed scrypt hash. */
function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | null {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash || rest.length > 0) return null;
  const params = { n: Number(n), r: Number(r), p: Number(p) };
  const valid =
    Number.isInteger(params.n) &&
    params.n > 1 &&
    params.n <= MAX_N &&
    (params.n & (params.n - 1)) === 0 &&
    Number.isInteger(params.r) &&
    params.r >= 1 &&
    params.r <= 32 &&
    Number.isInteger(params.p) &&
    params.p >= 1 &&
    params.p <= 16;
  return valid ? { params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') } : null;
}

/** Constant-time comparison against a stored hash; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = stored ? parse(stored) : null;
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
}

/** Whether a (verified) stored hash was made with other parameters than `params`: rehash it. */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const parsed = parse(stored);
  return (
    parsed === null ||
    parsed.params.n !== params.n ||
    parsed.params.r !== params.r ||
    parsed.params.p !== params.p
  );
}

/**
 * A well-formed hash with `params` that no password matches (its key is zeros): verifying
 * against it costs what verifying a real hash with these parameters costs, so an unknown
 * username answers as slowly as a wrong password.
 */
export function dummyHash(params: ScryptParams): string {
  return [
    'scrypt',
    params.n,
    params.r,
    params.p,
    Buffer.alloc(16, 0x5a).toString('base64'),
    Buffer.alloc(KEY_LENGTH).toString('base64'),
  ].join('$');
}

/** A random password for generated accounts (24 URL-safe characters). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
