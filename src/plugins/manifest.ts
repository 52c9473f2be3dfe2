import { INFRASTRUCTURES } from '../providers/provider.enums.js';
import { asString } from './connection-parameters.js';
import type { ConnectionParameter, PluginManifest } from './plugin.contract.js';

const SLUG = /^[a-z0-9][a-z0-9_.-]*$/;
const TYPES = ['string', 'integer', 'number', 'boolean', 'list'];

/** Checks a manifest read from a file or a package; returns it normalized, or throws saying what is wrong. */
export function parseManifest(raw: unknown, where: string): PluginManifest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${where}: the manifest must be a mapping`);
  const m = raw as Record<string, unknown>;
  const text = (name: string, pattern?: RegExp): string => {
    const value = m[name];
    if (typeof value !== 'string' || value.trim() === '') throw new Error(`${where}: "${name}" is required`);
    if (pattern && !pattern.test(value))
      throw new Error(`${where}: "${name}" must be lower-case letters, digits, "_", "." or "-"`);
    return value.trim();
  };
  const infrastructure = text('infrastructure');
  if (!(INFRASTRUCTURES as readonly string[]).includes(infrastructure)) {
    throw new Error(`${where}: "infrastructure" must be one of ${INFRASTRUCTURES.join(', ')}`);
  }
  const types = m.supported_resource_types ?? [];
  if (!Array.isArray(types) || types.some((t) => typeof t !== 'string'))
    throw new Error(`${where}: "supported_resource_types" must be a list of slugs`);
  const params = m.connection_parameters ?? [];
  if (!Array.isArray(params)) throw new Error(`${where}: "connection_parameters" must be a list`);
  const connection_parameters: ConnectionParameter[] = params.map((p: unknown, i) => {
    const param = p as Record<string, unknown>;
    if (typeof param?.name !== 'string' || !param.name)
      throw new Error(`${where}: connection_parameters[${i}].name is required`);
    const type = asString(param.type, 'string');
    if (!TYPES.includes(type))
      throw new Error(`${where}: connection_parameters[${i}].type must be one of ${TYPES.join(', ')}`);
    return {
      name: param.name,
      type: type as ConnectionParameter['type'],
      required: param.required === true,
      secret: param.secret === true,
      ...(param.default !== undefined
        ? { default: param.default as string | number | boolean | string[] }
        : {}),
      description: typeof param.description === 'string' ? param.description : '',
    };
  });
  return {
    vendor: text('vendor', SLUG),
    provider_type: text('provider_type', SLUG),
    version: asString(m.version, '0.0.0'),
    display_name:
      typeof m.display_name === 'string' ? m.display_name : `${String(m.vendor)} ${String(m.provider_type)}`,
    description: typeof m.description === 'string' ? m.description : '',
    infrastructure,
    supported_resource_types: types as string[],
    connection_parameters,
    requires_endpoint: m.requires_endpoint === true,
  };
}
