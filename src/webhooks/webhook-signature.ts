import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Inventory-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed
 * with the webhook's secret. Receivers recompute it over the raw body and compare in
 * constant time, and refuse old `t` values to stop replays.
 */
export function signWebhookBody(secret: string, body: string, unixTime: number): string {
  const mac = createHmac('sha256', secret).update(`${unixTime}.${body}`).digest('hex');
  return `t=${unixTime},v1=${mac}`;
}

/** Checks a signature header as a receiver does (tests and the README's example do the same). */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string,
  now = Date.now(),
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceSeconds || !parts.v1) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
