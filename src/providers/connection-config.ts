import { ValidationFailedError } from '../common/errors.js';
import { type ScopedSecrets, SecretBox } from '../common/crypto/secret-box.js';
import { endpointCredentials, SecretScrubber } from '../common/crypto/scrub.js';

/** What clients see instead of a stored secret; sending it back keeps the stored value. */
export const MASK = '$encrypted$';

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'key',
  'apikey',
  'credential',
  'credentials',
  'private',
  'privatekey',
  'cert',
  'sas',
]);

/** password, client_secret, apiToken, ssh_private_key, access_key, ... (word-wise, so "monkey" is not). */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((word) => SECRET_WORDS.has(word));
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Which keys are secret: the names a plugin declares secret always are, the names it
 * declares not secret never are (AWS `access_key_id` is an identifier, not a secret,
 * whatever the word "key" suggests), and any other key is judged by its name. `items`
 * gives, per list-of-mappings parameter (type `objects`), the policy of each element's
 * fields, so `servers: [{ host, password }]` is sealed as its schema says.
 */
export interface SecretPolicy {
  secret: readonly string[];
  plain: readonly string[];
  items?: Readonly<Record<string, SecretPolicy>>;
}

export const NAME_ONLY: SecretPolicy = { secret: [], plain: [] };

/** Whether a key of connection_config (or of a nested mapping) holds a secret under a policy. */
export function isSecretParameter(key: string, policy: SecretPolicy = NAME_ONLY): boolean {
  if (policy.secret.includes(key)) return true;
  if (policy.plain.includes(key)) return false;
  return isSecretKey(key);
}

/** The policy for the mappings inside `key` (a nested mapping or the elements of a list). */
const childPolicy = (policy: SecretPolicy, key: string): SecretPolicy =>
  Object.hasOwn(policy.items ?? {}, key) ? policy.items![key] : NAME_ONLY;

/**
 * A list element of the previous configuration that a new element with masked secrets
 * continues: the one at the same position if its non-secret fields are the same,
 * otherwise the first with the same non-secret fields. Matching by content, not only by
 * position, means a secret never follows a different host after an element is removed
 * or the list reordered; with no match the mask is refused.
 */
function previousElement(element: Json, index: number, previous: unknown[], policy: SecretPolicy): Json {
  const sameFields = (candidate: unknown): candidate is Json => {
    if (!isObject(candidate)) return false;
    const keys = new Set([...Object.keys(element), ...Object.keys(candidate)]);
    for (const key of keys) {
      const mine = element[key];
      const theirs = candidate[key];
      if (mine === MASK || SecretBox.isSealed(theirs) || isSecretParameter(key, policy)) continue;
      if (JSON.stringify(mine ?? null) !== JSON.stringify(mapSealed(theirs ?? null, () => MASK)))
        return false;
    }
    return true;
  };
  if (sameFields(previous[index])) return previous[index];
  return previous.find(sameFields) ?? {};
}

/**
 * Encrypts every value under a secret key (top level: by `policy`; in nested mappings and
 * in the mappings inside lists: by the parameter's item policy, else by name). A value
 * equal to the mask keeps the previously stored ciphertext at the same place (in a list:
 * of the element with the same non-secret fields), so a client can PUT back what it read
 * without wiping secrets; with nothing stored there it is refused (`maskRefusal` says why).
 */
export function sealSecrets(
  config: Json,
  box: ScopedSecrets,
  previous: Json = {},
  path = 'connection_config',
  policy: SecretPolicy = NAME_ONLY,
  maskRefusal = `"${MASK}" keeps an existing secret, and none is stored here; send the real value.`,
): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    const before = Object.hasOwn(previous, key) ? previous[key] : undefined;
    if (value === MASK) {
      // The mask always means "keep what is stored", also for a value sealed under an older rule.
      if (!SecretBox.isSealed(before)) throw new ValidationFailedError({ [`${path}.${key}`]: [maskRefusal] });
      out[key] = before;
    } else if (isSecretParameter(key, policy)) {
      out[key] = value === null || value === '' ? value : box.seal(value, secretName(`${path}.${key}`));
    } else if (isObject(value)) {
      out[key] = sealSecrets(
        value,
        box,
        isObject(before) ? before : {},
        `${path}.${key}`,
        childPolicy(policy, key),
        maskRefusal,
      );
    } else if (Array.isArray(value)) {
      const items = childPolicy(policy, key);
      const earlier = Array.isArray(before) ? before : [];
      out[key] = (value as unknown[]).map((element, index) => {
        const where = `${path}.${key}[${index}]`;
        if (element === MASK) throw new ValidationFailedError({ [where]: [maskRefusal] });
        return isObject(element)
          ? sealSecrets(
              element,
              box,
              previousElement(element, index, earlier, items),
              where,
              items,
              maskRefusal,
            )
          : element;
      });
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Paths (`connection_config.password`, `connection_config.auth.token`,
 * `connection_config.servers[0].password`) of the secrets stored in a configuration under
 * a policy: what must be sent again before the configuration may point somewhere else.
 */
export function storedSecretPaths(
  config: Json,
  policy: SecretPolicy = NAME_ONLY,
  path = 'connection_config',
): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const secret = path === 'connection_config' ? isSecretParameter(key, policy) : true;
    if (SecretBox.isSealed(value)) {
      if (secret) paths.push(`${path}.${key}`);
    } else if (isObject(value)) paths.push(...storedSecretPaths(value, NAME_ONLY, `${path}.${key}`));
    else if (Array.isArray(value))
      value.forEach((element, index) => {
        if (isObject(element))
          paths.push(...storedSecretPaths(element, NAME_ONLY, `${path}.${key}[${index}]`));
      });
  }
  return paths;
}

/** The configuration without its secrets (under a policy); sealed non-secret values stay. */
export function withoutSecrets(
  config: Json,
  policy: SecretPolicy = NAME_ONLY,
  path = 'connection_config',
): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    const secret = path === 'connection_config' ? isSecretParameter(key, policy) : true;
    if (SecretBox.isSealed(value) && secret) continue;
    out[key] = isObject(value)
      ? withoutSecrets(value, NAME_ONLY, `${path}.${key}`)
      : Array.isArray(value)
        ? (value as unknown[]).map((element) =>
            isObject(element) ? withoutSecrets(element, NAME_ONLY, `${path}.${key}[]`) : element,
          )
        : value;
  }
  return out;
}

/** Replaces every sealed value with the mask, at any depth and inside lists: what every response shows. */
export function maskSecrets(config: Json): Json {
  return mapSealed(config, () => MASK) as Json;
}

/**
 * The name a sealed value is bound to (with its owner, as additional authenticated data):
 * its path without list positions, `connection_config.servers[].password`, so a list can
 * be reordered without re-encrypting.
 */
export const secretName = (path: string) => path.replace(/\[\d+\]/g, '[]');

/**
 * Decrypts sealed values, for handing the configuration to a plugin. `box` is the
 * provider's scope (providerSecrets(box, id)): a value copied from another provider or
 * another field does not open.
 */
export function openSecrets(config: Json, box: ScopedSecrets): Json {
  return mapSealed(config, (sealed, path) => box.open(sealed, secretName(path))) as Json;
}

/** A copy of a JSON value with each sealed string replaced by `replace(it, its path)`. */
export function mapSealed(
  value: unknown,
  replace: (sealed: string, path: string) => unknown,
  path = 'connection_config',
): unknown {
  if (SecretBox.isSealed(value)) return replace(value, path);
  if (Array.isArray(value))
    return value.map((element, index) => mapSealed(element, replace, `${path}[${index}]`));
  if (isObject(value)) {
    const out: Json = {};
    for (const [key, inner] of Object.entries(value)) out[key] = mapSealed(inner, replace, `${path}.${key}`);
    return out;
  }
  return value;
}

/**
 * A scrubber for what a plugin says about this provider: every stored secret (opened),
 * the password of `user:password@` in the endpoint, and the Basic-header form of each
 * with the user names the configuration holds. Plugin text goes through it before it
 * reaches a run's `error_message`, a test result or a log line.
 */
export function scrubberFor(config: Json, box: ScopedSecrets, endpoint = ''): SecretScrubber {
  const secrets: unknown[] = [];
  const users: string[] = [];
  mapSealed(config, (sealed, path) => {
    try {
      secrets.push(box.open(sealed, secretName(path)));
    } catch {
      // Unreadable here: it cannot reach the plugin either.
    }
    return null;
  });
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (/^(user|username|user_name|login|account|client_id|access_key_id)$/i.test(key)) users.push(value);
    } else if (Array.isArray(value)) value.forEach((element) => walk(element, key));
    else if (isObject(value)) for (const [inner, v] of Object.entries(value)) walk(v, inner);
  };
  walk(config, '');
  const [user, password] = endpointCredentials(endpoint);
  if (password !== undefined) {
    secrets.push(password);
    users.push(user);
  } else if (user !== undefined) secrets.push(user);
  return new SecretScrubber(secrets, users);
}
