/**
 * Keeping secrets out of text a plugin produced (error messages, log lines, test
 * results) and out of endpoints the service answers or logs.
 */

/** What a scrubbed secret and a masked URL password read as. */
export const REDACTED = '***';

/** `scheme://user:password@` → `scheme://user:***@`, `scheme://token@` → `scheme://***@`. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:"'<>]*)(:[^\s/?#@"'<>]*)?@/gi;
/** `user:password@host` without a scheme (an endpoint that is a host name). */
const BARE_USERINFO = /(^|[\s"'(<])([^\s/?#@:"'<>]+):([^\s/?#@"'<>]+)@(?=[a-z0-9[])/gi;

/**
 * Masks the credentials of every URL in a text: the password of `user:password@`, or
 * the whole user part when it has no password (it is a token then). With `bare`, also
 * `user:password@host` without a scheme, as an endpoint may be written.
 */
export function maskUrlCredentials(text: string, bare = false): string {
  let out = text.replace(URL_USERINFO, (_all, scheme: string, user: string, password?: string) =>
    password === undefined ? `${scheme}${REDACTED}@` : `${scheme}${user}:${REDACTED}@`,
  );
  if (bare)
    out = out.replace(BARE_USERINFO, (_all, before: string, user: string) => `${before}${user}:${REDACTED}@`);
  return out;
}

/** The user and password of `user:password@` in an endpoint (URL or bare), URL-decoded. */
export function endpointCredentials(endpoint: string): string[] {
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^\s/?#@:]*)(?::([^\s/?#@]*))?@/i.exec(endpoint.trim());
  if (!match) return [];
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  return [match[1], match[2]].filter((part): part is string => Boolean(part)).map(decode);
}

/** Scrubbed secrets shorter than this are left alone (they would mangle every word). */
const MIN_LENGTH = 3;

/**
 * Replaces known secret values in text: each value as it is, URL-encoded, JSON-escaped
 * and base64-encoded, each long line of a multi-line secret (a PEM key, a kubeconfig),
 * and the base64 of `user:secret` (an HTTP Basic header) for each given user name; then
 * masks URL credentials. Longer values are replaced first.
 */
export class SecretScrubber {
  private readonly needles: string[];

  constructor(secrets: Iterable<unknown>, users: Iterable<string> = []) {
    const found = new Set<string>();
    const add = (text: string) => {
      if (text.length >= MIN_LENGTH) found.add(text);
    };
    const names = [...users].filter((user) => typeof user === 'string' && user !== '');
    for (const text of flatten([...secrets])) {
      for (const variant of [text, text.trim(), encodeURIComponent(text), JSON.stringify(text).slice(1, -1)])
        add(variant);
      add(Buffer.from(text).toString('base64'));
      for (const user of names) add(Buffer.from(`${user}:${text}`).toString('base64'));
      for (const line of text.split(/\r?\n/)) if (line.trim().length >= 16) add(line.trim());
    }
    this.needles = [...found].sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.needles.length === 0;
  }

  scrub(text: string): string {
    let out = text;
    for (const needle of this.needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return maskUrlCredentials(out, true);
  }
}

/** The strings (and printed numbers) inside a JSON value. */
function flatten(values: unknown[]): string[] {
  const out: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') out.push(value);
    else if (typeof value === 'number' || typeof value === 'bigint') out.push(String(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  values.forEach(walk);
  return out;
}
