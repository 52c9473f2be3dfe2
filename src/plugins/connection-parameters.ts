import type { PluginManifest } from './plugin.contract.js';

const MASK = '$encrypted$';

/** A configuration value as text: strings as they are, numbers and booleans printed, anything else the fallback. */
export function asString(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fallback;
}

/**
 * Checks a provider's connection_config against its plugin's connection_parameters:
 * required ones present, values of the declared type. Returns field messages keyed
 * `connection_config.<name>` (empty when valid). A masked secret counts as present.
 */
export function checkConnectionConfig(
  manifest: PluginManifest,
  config: Record<string, unknown>,
): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const param of manifest.connection_parameters) {
    const value = config[param.name];
    const field = `connection_config.${param.name}`;
    if (value === undefined || value === null || value === '') {
      if (param.required)
        errors[field] = [`"${param.name}" is required by ${manifest.vendor}:${manifest.provider_type}.`];
      continue;
    }
    if (value === MASK) continue;
    const ok =
      param.type === 'string'
        ? typeof value === 'string'
        : param.type === 'integer'
          ? typeof value === 'number' && Number.isInteger(value)
          : param.type === 'number'
            ? typeof value === 'number' && Number.isFinite(value)
            : param.type === 'list'
              ? Array.isArray(value) && value.every((item) => typeof item === 'string')
              : typeof value === 'boolean';
    if (!ok)
      errors[field] = [
        `"${param.name}" must be ${
          param.type === 'integer'
            ? 'an integer'
            : param.type === 'list'
              ? 'a list of strings'
              : `a ${param.type}`
        }.`,
      ];
  }
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
export function secretPolicy(manifest: PluginManifest): { secret: string[]; plain: string[] } {
  return {
    secret: secretParameterNames(manifest),
    plain: manifest.connection_parameters.filter((p) => !p.secret).map((p) => p.name),
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
