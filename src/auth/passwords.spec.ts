import { dummyHash, hashPassword, needsRehash, scryptParams, verifyPassword } from './passwords.js';

describe('password hashes', () => {
  const cheap = scryptParams(10);

  it('defaults to OWASP’s scrypt parameters (N=2^17, r=8, p=1)', () => {
    expect(scryptParams()).toEqual({ n: 131072, r: 8, p: 1 });
  });

  it('stores its parameters in the hash, so a hash made with others still verifies', async () => {
    const hash = await hashPassword('s3cret-pass', cheap);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('s3cret-pass', hash)).toBe(true);
    expect(await verifyPassword('s3cret-pasS', hash)).toBe(false);
    const older = await hashPassword('s3cret-pass', scryptParams(11));
    expect(await verifyPassword('s3cret-pass', older)).toBe(true);
    expect(needsRehash(older, cheap)).toBe(true);
    expect(needsRehash(hash, cheap)).toBe(false);
  });

  it('hashes asked for all at once take turns and all complete', async () => {
    const passwords = Array.from({ length: 7 }, (_, i) => `pass-${i}`);
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p, cheap)));
    const checks = await Promise.all(hashes.map((h, i) => verifyPassword(passwords[(i + 1) % 7], h)));
    expect(checks).toEqual(Array(7).fill(false));
    expect(await Promise.all(hashes.map((h, i) => verifyPassword(passwords[i], h)))).toEqual(
      Array(7).fill(true),
    );
  });

  it('refuses malformed hashes instead of throwing', async () => {
    for (const stored of [
      null,
      '',
      'scrypt$abc$8$1$c2FsdA==$aGFzaA==',
      'scrypt$1000$8$1$c2FsdA==$aGFzaA==',
      `scrypt$${2 ** 24}$8$1$c2FsdA==$aGFzaA==`,
      'scrypt$1024$8$1$c2FsdA==',
      'bcrypt$1024$8$1$c2FsdA==$aGFzaA==',
    ])
      expect(await verifyPassword('x', stored)).toBe(false);
  });

  it('the dummy hash (timing equalization for unknown users) has the current parameters and matches nothing', async () => {
    const dummy = dummyHash(cheap);
    expect(needsRehash(dummy, cheap)).toBe(false);
    expect(await verifyPassword('', dummy)).toBe(false);
    expect(dummyHash(scryptParams())).toMatch(/^scrypt\$131072\$8\$1\$/);
  });
});
