import type { SecretPolicy } from '../providers/connection-config.js';
import type { ConnectionParameter, PluginManifest } from './plugin.contract.js';

const MASK = '$encrypted$';

/** A configuration value as text: strings as they are, numbers and booleans printed, anything else the fallback. */
export function asString(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fallback;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  list: 'a list of strings',
  objects: 'a list of mappings',
};

/** Whether a (non-empty, unmasked) value has a parameter's declared type. */
function hasType(param: ConnectionParameter, value: unknown): boolean {
  switch (param.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'list':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'objects':
      return (
        Array.isArray(value) &&
        value.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))
      );
    case 'boolean':
      return typeof value === 'boolean';
  }
}

/** Field messages for the parameters `params` declare, checked against `config` at `path`. */
function checkParameters(
  manifest: PluginManifest,
  params: readonly ConnectionParameter[],
  config: Record<string, unknown>,
  path: string,
  errors: Record<string, string[]>,
): void {
  for (const param of params) {
    const value = Object.hasOwn(config, param.name) ? config[param.name] : undefined;
    const field = `${path}.${param.name}`;
    if (value === undefined || value === null || value === '') {
      if (param.required)
        errors[field] = [`"${param.name}" is required by ${manifest.vendor}:${manifest.provider_type}.`];
      continue;
    }
    if (value === MASK) continue;
    if (!hasType(param, value)) {
      errors[field] = [`"${param.name}" must be ${TYPE_WORDS[param.type] ?? `a ${param.type}`}.`];
      continue;
    }
    if (param.type === 'objects')
      (value as Record<string, unknown>[]).forEach((element, index) =>
        checkParameters(manifest, param.fields ?? [], element, `${field}[${index}]`, errors),
      );
  }
}

/**
 * Checks a provider's connection_config against its plugin's connection_parameters:
 * required ones present, values of the declared type (for `objects`, each element's
 * declared fields too). Returns field messages keyed `connection_config.<name>` (empty
 * when valid). A masked secret counts as present.
 */
export function checkConnectionConfig(
  manifest: PluginManifest,
  config: Record<string, unknown>,
): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  checkParameters(manifest, manifest.connection_parameters, config, 'connection_config', errors);
  return errors;
}

/** The configuration a plugin sees: declared defaults filled in. */
export function withDefaults(
  manifest: PluginManifest,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const param of manifest.connection_parameters) {
    if ((out[param.name] === undefined || out[param.name] === null) && param.default !== undefined)
      out[param.name] = param.default;
  }
  return out;
}

/** A list parameter's value: its strings, trimmed, without empty ones ([] when unset). */
export function asStringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => asString(item).trim()).filter(Boolean);
}

/** Names of parameters the manifest marks secret (encrypted whatever their name looks like). */
export function secretParameterNames(manifest: PluginManifest): string[] {
  return manifest.connection_parameters.filter((p) => p.secret).map((p) => p.name);
}

/**
 * The plugin's word on which parameters are secret: declared secret ones are, declared
 * non-secret ones are not (whatever their name looks like); undeclared keys go by name.
 */
export function secretPolicy(manifest: PluginManifest): SecretPolicy {
  return policyOf(manifest.connection_parameters);
}

function policyOf(params: readonly ConnectionParameter[]): SecretPolicy {
  const items: Record<string, SecretPolicy> = {};
  for (const p of params) if (p.type === 'objects' && p.fields) items[p.name] = policyOf(p.fields);
  return {
    secret: params.filter((p) => p.secret).map((p) => p.name),
    plain: params.filter((p) => !p.secret).map((p) => p.name),
    items,
  };
}

/**
 * Parameters that decide where credentials go or how safely they travel: changing one
 * (like the endpoint) requires the secrets again, so they cannot be redirected.
 */
export function isDestinationParameter(name: string): boolean {
  return (
    /(^|_)(url|uri|endpoint|host|hostname|server|address)$/i.test(name) ||
    name === 'allow_http' ||
    name === 'verify_ssl'
  );
}
