import { ValidationFailedError } from '../common/errors.js';
import { SecretBox } from '../common/crypto/secret-box.js';

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
 * Which top-level keys are secret: the names a plugin declares secret always are, the
 * names it declares not secret never are (AWS `access_key_id` is an identifier, not a
 * secret, whatever the word "key" suggests), and any other key is judged by its name.
 */
export interface SecretPolicy {
  secret: readonly string[];
  plain: readonly string[];
}

export const NAME_ONLY: SecretPolicy = { secret: [], plain: [] };

/** Whether a top-level key of connection_config holds a secret under a policy. */
export function isSecretParameter(key: string, policy: SecretPolicy = NAME_ONLY): boolean {
  if (policy.secret.includes(key)) return true;
  if (policy.plain.includes(key)) return false;
  return isSecretKey(key);
}

/**
 * Encrypts every value under a secret key (top level: by `policy`; deeper: by name). A
 * value equal to the mask keeps the previously stored ciphertext at the same path, so a
 * client can PUT back what it read without wiping secrets; with nothing stored there it
 * is refused (`maskRefusal` says why).
 */
export function sealSecrets(
  config: Json,
  box: SecretBox,
  previous: Json = {},
  path = 'connection_config',
  policy: SecretPolicy = NAME_ONLY,
  maskRefusal = `"${MASK}" keeps an existing secret, and none is stored here; send the real value.`,
): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    const before = previous[key];
    if (value === MASK) {
      // The mask always means "keep what is stored", also for a value sealed under an older rule.
      if (!SecretBox.isSealed(before)) throw new ValidationFailedError({ [`${path}.${key}`]: [maskRefusal] });
      out[key] = before;
    } else if (path === 'connection_config' ? isSecretParameter(key, policy) : isSecretKey(key)) {
      out[key] = value === null || value === '' ? value : box.seal(value);
    } else if (isObject(value)) {
      out[key] = sealSecrets(
        value,
        box,
        isObject(before) ? before : {},
        `${path}.${key}`,
        NAME_ONLY,
        maskRefusal,
      );
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Paths (`connection_config.password`, `connection_config.auth.token`) of the secrets
 * stored in a configuration under a policy: what must be sent again before the
 * configuration may point somewhere else.
 */
export function storedSecretPaths(
  config: Json,
  policy: SecretPolicy = NAME_ONLY,
  path = 'connection_config',
): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const secret = path === 'connection_config' ? isSecretParameter(key, policy) : isSecretKey(key);
    if (SecretBox.isSealed(value) && (secret || path !== 'connection_config')) paths.push(`${path}.${key}`);
    else if (isObject(value)) paths.push(...storedSecretPaths(value, NAME_ONLY, `${path}.${key}`));
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
    const secret = path === 'connection_config' ? isSecretParameter(key, policy) : isSecretKey(key);
    if (SecretBox.isSealed(value) && (secret || path !== 'connection_config')) continue;
    out[key] = isObject(value) ? withoutSecrets(value, NAME_ONLY, `${path}.${key}`) : value;
  }
  return out;
}

/** Replaces every sealed value with the mask: what every response shows. */
export function maskSecrets(config: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = SecretBox.isSealed(value) ? MASK : isObject(value) ? maskSecrets(value) : value;
  }
  return out;
}

/** Decrypts sealed values, for handing the configuration to a plugin. */
export function openSecrets(config: Json, box: SecretBox): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = SecretBox.isSealed(value)
      ? box.open(value)
      : isObject(value)
        ? openSecrets(value, box)
        : value;
  }
  return out;
}
