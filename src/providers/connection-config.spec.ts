import { randomBytes } from 'node:crypto';
import { SecretBox } from '../common/crypto/secret-box.js';
import { ValidationFailedError } from '../common/errors.js';
import { isSecretKey, MASK, maskSecrets, openSecrets, sealSecrets } from './connection-config.js';

describe('connection config secrets', () => {
  const box = new SecretBox(randomBytes(32));

  it('recognises secret-looking keys word by word', () => {
    for (const key of [
      'password',
      'client_secret',
      'apiToken',
      'ssh_private_key',
      'access_key',
      'api-key',
      'PASSWORD',
    ]) {
      expect(isSecretKey(key)).toBe(true);
    }
    for (const key of ['username', 'port', 'verify_ssl', 'monkey', 'keystone_url', 'region']) {
      expect(isSecretKey(key)).toBe(false);
    }
  });

  it('seals secrets at any depth, masks them for responses and opens them for plugins', () => {
    const sealed = sealSecrets(
      { username: 'admin', password: 's3cret', nested: { token: 'abc', port: 443 } },
      box,
    );
    expect(JSON.stringify(sealed)).not.toContain('s3cret');
    expect(JSON.stringify(sealed)).not.toContain('"abc"');
    expect(maskSecrets(sealed)).toEqual({
      username: 'admin',
      password: MASK,
      nested: { token: MASK, port: 443 },
    });
    expect(openSecrets(sealed, box)).toEqual({
      username: 'admin',
      password: 's3cret',
      nested: { token: 'abc', port: 443 },
    });
  });

  it('keeps the stored secret when the mask is sent back', () => {
    const first = sealSecrets({ password: 'one' }, box);
    const second = sealSecrets({ password: MASK }, box, first);
    expect(second.password).toBe(first.password);
  });

  it('rejects the mask when nothing is stored', () => {
    expect(() => sealSecrets({ password: MASK }, box)).toThrow(ValidationFailedError);
  });
});
