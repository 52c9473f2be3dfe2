import { randomBytes } from 'node:crypto';
import { SecretBox } from '../common/crypto/secret-box.js';
import { ValidationFailedError } from '../common/errors.js';
import {
  isSecretKey,
  MASK,
  maskSecrets,
  openSecrets,
  sealSecrets,
  storedSecretPaths,
  withoutSecrets,
} from './connection-config.js';

describe('connection config secrets', () => {
  const box = new SecretBox(randomBytes(32)).scope('provider:p');

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

describe('secret policy of a plugin', () => {
  const box = new SecretBox(randomBytes(32)).scope('provider:p');
  const policy = { secret: ['api_pem'], plain: ['access_key_id'] };

  it('seals declared secrets, never declared non-secrets, and judges the rest by name', () => {
    const sealed = sealSecrets(
      { api_pem: 'PEM', access_key_id: 'AKIA', password: 'p', region: 'r' },
      box,
      {},
      'connection_config',
      policy,
    );
    expect(maskSecrets(sealed)).toEqual({
      api_pem: MASK,
      access_key_id: 'AKIA',
      password: MASK,
      region: 'r',
    });
    expect(storedSecretPaths(sealed, policy).sort()).toEqual([
      'connection_config.api_pem',
      'connection_config.password',
    ]);
  });

  it('keeps a value sealed under an older rule when the mask comes back', () => {
    const legacy = sealSecrets({ access_key_id: 'AKIA' }, box);
    const again = sealSecrets({ access_key_id: MASK }, box, legacy, 'connection_config', policy);
    expect(again.access_key_id).toBe(legacy.access_key_id);
    expect(storedSecretPaths(legacy, policy)).toEqual([]);
    expect(
      withoutSecrets({ ...legacy, password: box.seal('x', 'connection_config.password') }, policy),
    ).toEqual(legacy);
  });
});

describe('secrets inside lists', () => {
  const box = new SecretBox(randomBytes(32)).scope('provider:p');
  const policy = {
    secret: [],
    plain: ['servers'],
    items: { servers: { secret: ['phrase'], plain: ['host'] } },
  };

  it('seals the declared and secret-looking fields of each element, masks and opens them', () => {
    const sealed = sealSecrets(
      { servers: [{ host: 'a', phrase: 'p-a' }, { host: 'b', password: 'p-b' }, 'x'] },
      box,
      {},
      'connection_config',
      policy,
    );
    expect(JSON.stringify(sealed)).not.toMatch(/p-a|p-b/);
    expect(maskSecrets(sealed)).toEqual({
      servers: [{ host: 'a', phrase: MASK }, { host: 'b', password: MASK }, 'x'],
    });
    expect(openSecrets(sealed, box)).toEqual({
      servers: [{ host: 'a', phrase: 'p-a' }, { host: 'b', password: 'p-b' }, 'x'],
    });
    expect(storedSecretPaths(sealed, policy)).toEqual([
      'connection_config.servers[0].phrase',
      'connection_config.servers[1].password',
    ]);
    expect(withoutSecrets(sealed, policy)).toEqual({ servers: [{ host: 'a' }, { host: 'b' }, 'x'] });
  });

  it('keeps a masked secret of the element with the same non-secret fields, else refuses', () => {
    const first = sealSecrets(
      {
        servers: [
          { host: 'a', phrase: 'p-a' },
          { host: 'b', phrase: 'p-b' },
        ],
      },
      box,
      {},
      'connection_config',
      policy,
    );
    const moved = sealSecrets(
      { servers: [{ host: 'b', phrase: MASK }] },
      box,
      first,
      'connection_config',
      policy,
    ) as { servers: { phrase: string }[] };
    expect(box.open(moved.servers[0].phrase, 'connection_config.servers[].phrase')).toBe('p-b');
    expect(() =>
      sealSecrets({ servers: [{ host: 'c', phrase: MASK }] }, box, first, 'connection_config', policy),
    ).toThrow(ValidationFailedError);
    expect(() => sealSecrets({ servers: [MASK] }, box, first, 'connection_config', policy)).toThrow(
      ValidationFailedError,
    );
  });
});
