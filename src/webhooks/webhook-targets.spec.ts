import { lookup } from 'node:dns';
import { guardedLookup, isPrivateAddress, PrivateTargetError, urlProblem } from './webhook-targets.js';
import { signWebhookBody, verifyWebhookSignature } from './webhook-signature.js';
import { backoffDelayMs } from './webhook-deliveries.js';

describe('webhook targets', () => {
  it('knows private, loopback and link-local addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd12::1',
      '::ffff:10.0.0.1',
    ])
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });

  it('checks URLs before any lookup', () => {
    expect(urlProblem('https://hooks.example.com/x', false)).toBeNull();
    expect(urlProblem('http://127.0.0.1/x', false)).toMatch(/private/);
    expect(urlProblem('http://127.0.0.1/x', true)).toBeNull();
    expect(urlProblem('http://localhost/x', false)).toMatch(/private/);
    expect(urlProblem('gopher://x', false)).toMatch(/http/);
  });

  it('refuses a name resolving to a private address at delivery time, and allows it when told', async () => {
    const refused = await new Promise<Error | null>((resolve) =>
      guardedLookup(false)('localhost', {}, (error) => resolve(error)),
    );
    expect(refused).toBeInstanceOf(PrivateTargetError);
    const allowed = await new Promise<string>((resolve, reject) =>
      guardedLookup(true)('localhost', {}, (error, address) =>
        error ? reject(error) : resolve(String(address)),
      ),
    );
    const expected = await new Promise<string>((resolve) =>
      lookup('localhost', (_e, address) => resolve(address)),
    );
    expect(allowed).toBe(expected);
  });

  it('signs t.body with HMAC-SHA256 and verifies it', () => {
    const header = signWebhookBody('s3cret-s3cret-s3cret', '{"a":1}', 1700000000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', '{"a":1}', header, 1700000000_000)).toBe(true);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', '{"a":2}', header, 1700000000_000)).toBe(false);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', '{"a":1}', header, 1700009999_000)).toBe(false);
  });

  it('backs off exponentially with jitter, capped', () => {
    const config = {
      maxAttempts: 10,
      timeoutMs: 1000,
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
      allowPrivateTargets: false,
      sweepSeconds: 30,
    };
    expect(backoffDelayMs(config, 1, 0)).toBe(500);
    expect(backoffDelayMs(config, 1, 1)).toBe(1000);
    expect(backoffDelayMs(config, 4, 1)).toBe(8000);
    expect(backoffDelayMs(config, 20, 1)).toBe(60_000);
    expect(backoffDelayMs(config, 20, 0)).toBe(30_000);
  });
});
