import { createCipheriv, randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips any JSON value and never stores the plaintext', () => {
    for (const value of ['hunter2', 42, { nested: ['a', 1] }, null]) {
      const sealed = box.seal(value, 'ctx');
      expect(SecretBox.isSealed(sealed)).toBe(true);
      expect(sealed).not.toContain('hunter2');
      expect(box.open(sealed, 'ctx')).toEqual(value);
    }
  });

  it('uses a fresh IV per value', () => {
    expect(box.seal('same', 'ctx')).not.toEqual(box.seal('same', 'ctx'));
  });

  it('refuses a value sealed with another key', () => {
    const other = new SecretBox(randomBytes(32));
    expect(() => other.open(box.seal('x', 'ctx'), 'ctx')).toThrow(/key id/);
  });

  it('binds each value to its context (owner and field) and names its key', () => {
    const sealed = box.seal('hunter2', 'provider:a:connection_config.password');
    expect(sealed).toMatch(new RegExp(`^\\$encrypted\\$v2\\$${box.keyId}\\$`));
    expect(SecretBox.keyIdOf(sealed)).toBe(box.keyId);
    expect(box.open(sealed, 'provider:a:connection_config.password')).toBe('hunter2');
    expect(() => box.open(sealed, 'provider:b:connection_config.password')).toThrow();
    expect(() => box.open(sealed, 'provider:a:connection_config.token')).toThrow();
  });

  it('opens values of previous keys and of the old format (v1, no context)', () => {
    const old = randomBytes(32);
    const before = new SecretBox(old).seal('x', 'c');
    const both = new SecretBox(randomBytes(32), [old]);
    expect(both.open(before, 'c')).toBe('x');
    expect(both.isCurrent(before)).toBe(false);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', old, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify('legacy'), 'utf8'), cipher.final()]);
    const v1 = `$encrypted$v1$${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    expect(SecretBox.isSealed(v1)).toBe(true);
    expect(both.open(v1, 'any context')).toBe('legacy');
    expect(() => new SecretBox(randomBytes(32)).open(v1, 'c')).toThrow();
  });
});
