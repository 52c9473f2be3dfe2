import { endpointCredentials, maskUrlCredentials, SecretScrubber } from './scrub.js';

describe('scrubbing secrets from text', () => {
  it('masks the password (or the token) of URLs, and bare user:pass@host with bare', () => {
    expect(maskUrlCredentials('see https://user:pw@host/x and http://tok@h')).toBe(
      'see https://user:***@host/x and http://***@h',
    );
    expect(maskUrlCredentials('https://host/path@x')).toBe('https://host/path@x');
    expect(maskUrlCredentials('user:pw@vcenter.local', true)).toBe('user:***@vcenter.local');
    expect(maskUrlCredentials('mail me at a@b.example', true)).toBe('mail me at a@b.example');
  });

  it('reads the credentials of an endpoint', () => {
    expect(endpointCredentials('https://u:p%40ss@h/')).toEqual(['u', 'p@ss']);
    expect(endpointCredentials('vcenter.local')).toEqual([]);
  });

  it('replaces each secret as is, encoded, as a Basic header and line by line', () => {
    const pem = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----';
    const scrubber = new SecretScrubber(['s3cr&t', { nested: [pem] }, 'ab'], ['admin']);
    const text = [
      's3cr&t',
      encodeURIComponent('s3cr&t'),
      Buffer.from('admin:s3cr&t').toString('base64'),
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      'about',
    ].join(' ');
    expect(scrubber.scrub(text)).toBe('*** *** *** *** about');
  });
});
