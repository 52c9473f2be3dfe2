import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips any JSON value and never stores the plaintext', () => {
    for (const value of ['hunter2', 42, { nested: ['a', 1] }, null]) {
      const sealed = box.seal(value);
      expect(SecretBox.isSealed(sealed)).toBe(true);
      expect(sealed).not.toContain('hunter2');
      expect(box.open(sealed)).toEqual(value);
    }
  });

  it('uses a fresh IV per value', () => {
    expect(box.seal('same')).not.toEqual(box.seal('same'));
  });

  it('refuses a value sealed with another key', () => {
    const other = new SecretBox(randomBytes(32));
    expect(() => other.open(box.seal('x'))).toThrow();
  });
});
