import { INFRASTRUCTURES } from '../providers/provider.enums.js';
import { asString } from './connection-parameters.js';
import type { ConnectionParameter, PluginManifest } from './plugin.contract.js';

const SLUG = /^[a-z0-9][a-z0-9_.-]*$/;
const TYPES = ['string', 'integer', 'number', 'boolean', 'list', 'objects'];
const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'list'];

/** One declared parameter (or, `inside` a parameter of type `objects`, one field of its elements). */
function parseParameter(p: unknown, at: string, inside: boolean): ConnectionParameter {
  const param = p as Record<string, unknown>;
  if (typeof param !== 'object' || param === null || Array.isArray(param))
    throw new Error(`${at} must be a mapping`);
  if (typeof param.name !== 'string' || !param.name) throw new Error(`${at}.name is required`);
  const type = asString(param.type, 'string');
  const allowed = inside ? FIELD_TYPES : TYPES;
  if (!allowed.includes(type)) throw new Error(`${at}.type must be one of ${allowed.join(', ')}`);
  let fields: ConnectionParameter[] | undefined;
  if (type === 'objects') {
    if (!Array.isArray(param.fields) || param.fields.length === 0)
      throw new Error(`${at}.fields must list the fields of each element`);
    fields = param.fields.map((f: unknown, j) => parseParameter(f, `${at}.fields[${j}]`, true));
  } else if (param.fields !== undefined) {
    throw new Error(`${at}.fields is only allowed with type objects`);
  }
  return {
    name: param.name,
    type: type as ConnectionParameter['type'],
    required: param.required === true,
    secret: param.secret === true,
    ...(param.default !== undefined && type !== 'objects'
      ? { default: param.default as string | number | boolean | string[] }
      : {}),
    description: typeof param.description === 'string' ? param.description : '',
    ...(fields ? { fields } : {}),
  };
}

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
  const connection_parameters: ConnectionParameter[] = params.map((p: unknown, i) =>
    parseParameter(p, `${where}: connection_parameters[${i}]`, false),
  );
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
