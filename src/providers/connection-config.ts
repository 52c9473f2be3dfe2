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
 * Encrypts every value under a secret-looking key (at any depth). A value equal to the
 * mask keeps the previously stored ciphertext at the same path, so a client can PUT
 * back what it read without wiping secrets.
 */
export function sealSecrets(
  config: Json,
  box: SecretBox,
  previous: Json = {},
  path = 'connection_config',
  /** Names the plugin declares secret, whatever they look like (top level only). */
  secretNames: string[] = [],
): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    const before = previous[key];
    if (isSecretKey(key) || secretNames.includes(key)) {
      if (value === MASK) {
        if (!SecretBox.isSealed(before)) {
          throw new ValidationFailedError({
            [`${path}.${key}`]: [
              `"${MASK}" keeps an existing secret, and none is stored here; send the real value.`,
            ],
          });
        }
        out[key] = before;
      } else if (value === null || value === '') {
        out[key] = value;
      } else {
        out[key] = box.seal(value);
      }
    } else if (isObject(value)) {
      out[key] = sealSecrets(value, box, isObject(before) ? before : {}, `${path}.${key}`);
    } else {
      out[key] = value;
    }
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
