import { load as loadYaml } from 'js-yaml';
import { RELATIONSHIP_TYPES } from '../../relationships/relationship.enums.js';
import { POWER_STATES, RESOURCE_STATES } from '../../resources/resource.enums.js';
import type { CollectRecord, ResourceRecord } from '../plugin.contract.js';

/**
 * Reads a bare-metal or CMDB export (CSV, JSON or YAML) into collection records: one row
 * per resource with the documented columns, and an optional relationships section. A bad
 * row becomes a `rejected` record naming its line (CSV) or item (JSON/YAML) and why; the
 * other rows are collected. A problem with the document as a whole (not parseable, an
 * unknown column) is thrown: the run fails and nothing is removed.
 */

export class DocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentError';
  }
}

export type DocumentFormat = 'csv' | 'json' | 'yaml';

const TEXT_FIELDS = [
  'ems_ref',
  'name',
  'resource_type',
  'vendor_type',
  'vendor',
  'canonical_id',
  'region',
  'availability_zone',
  'cloud_tenant',
  'flavor',
  'fqdn',
  'os_type',
  'os_name',
  'description',
] as const;
const INT_FIELDS = ['cpu_count', 'memory_mb'] as const;
const TIME_FIELDS = ['boot_time', 'ems_created_on'] as const;
/** Every column a row may have, besides `properties.*`, `tags.*` and `vendor_identifiers.*`. */
export const DOCUMENT_COLUMNS = [
  ...TEXT_FIELDS,
  'state',
  'power_state',
  ...INT_FIELDS,
  'disk_gb',
  'ip_addresses',
  ...TIME_FIELDS,
];
const PREFIXES = ['properties.', 'tags.', 'vendor_identifiers.'];
const NESTED = ['properties', 'tags', 'vendor_identifiers'];

/** Which format a document is in: as configured, else by file name, content type, then by its first character. */
export function detectFormat(
  configured: string,
  filename: string,
  contentType: string,
  text: string,
): DocumentFormat {
  const wanted = configured.trim().toLowerCase();
  if (wanted === 'csv' || wanted === 'json' || wanted === 'yaml') return wanted;
  if (wanted && wanted !== 'auto')
    throw new DocumentError(`format must be auto, csv, json or yaml, not "${configured}".`);
  const name = filename.toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return 'yaml';
  if (/csv/.test(contentType)) return 'csv';
  if (/json/.test(contentType)) return 'json';
  if (/yaml/.test(contentType)) return 'yaml';
  const first = text.trimStart()[0];
  if (first === '[' || first === '{') return 'json';
  return /^[^,\n]*:\s/m.test(text.split('\n', 3).join('\n')) ? 'yaml' : 'csv';
}

/** RFC 4180 CSV: quoted fields (with "" inside, commas and line breaks), CRLF or LF; each row with its first line number. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let sawContent = false;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell === '') {
      quoted = true;
      sawContent = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      sawContent = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      cells.push(cell);
      rows.push({ line: rowLine, cells: sawContent || cell !== '' ? cells : [] });
      cells = [];
      cell = '';
      sawContent = false;
      line++;
      rowLine = line;
    } else {
      cell += c;
      sawContent = true;
    }
  }
  if (quoted) throw new DocumentError(`line ${rowLine}: a quoted field is not closed.`);
  if (sawContent || cell !== '') {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  return rows;
}

interface Row {
  where: string;
  values: Record<string, unknown>;
}

/** Splits a document into resource rows and relationship rows. */
export function documentRows(
  text: string,
  format: DocumentFormat,
): { resources: Row[]; relationships: Row[] } {
  if (format === 'csv') {
    // Resources first; after a blank line, an optional `source,target,type` section.
    const all = parseCsv(text);
    const blank = all.findIndex((r, i) => i > 0 && r.cells.length === 0);
    const section = (rows: typeof all) => {
      const data = rows.filter((r) => r.cells.length > 0);
      if (!data.length) return [];
      const header = data[0].cells.map((h) => h.trim());
      return data.slice(1).map((r) => {
        if (r.cells.length !== header.length)
          return {
            where: `line ${r.line}`,
            values: { __error: `has ${r.cells.length} fields, the header ${header.length}` },
          };
        return { where: `line ${r.line}`, values: Object.fromEntries(header.map((h, i) => [h, r.cells[i]])) };
      });
    };
    const resources = section(blank < 0 ? all : all.slice(0, blank));
    const relationships = blank < 0 ? [] : section(all.slice(blank + 1));
    const header = all.find((r) => r.cells.length)?.cells.map((h) => h.trim()) ?? [];
    checkColumns(header);
    const relHeader =
      blank < 0
        ? []
        : (all
            .slice(blank + 1)
            .find((r) => r.cells.length)
            ?.cells.map((h) => h.trim()) ?? []);
    if (relHeader.length && relHeader.join(',') !== 'source,target,type')
      throw new DocumentError(
        `the relationships section's header must be "source,target,type", not "${relHeader.join(',')}".`,
      );
    return { resources, relationships };
  }
  let parsed: unknown;
  try {
    parsed = format === 'json' ? JSON.parse(text) : loadYaml(text);
  } catch (error) {
    throw new DocumentError(
      `The document is not valid ${format.toUpperCase()}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const top = Array.isArray(parsed) ? { resources: parsed } : (parsed as Record<string, unknown> | null);
  if (!top || typeof top !== 'object' || !Array.isArray(top.resources))
    throw new DocumentError(
      'The document must be a list of resources, or a mapping with a "resources" list (and optionally "relationships").',
    );
  const rels = top.relationships ?? [];
  if (!Array.isArray(rels)) throw new DocumentError('"relationships" must be a list.');
  const rows = (items: unknown[], name: string) =>
    items.map((item, i) => ({
      where: `${name}[${i}]`,
      values:
        typeof item === 'object' && item !== null && !Array.isArray(item)
          ? (item as Record<string, unknown>)
          : { __error: 'is not a mapping' },
    }));
  const resources = rows(top.resources as unknown[], 'resources');
  const columns = new Set<string>();
  for (const r of resources) for (const k of Object.keys(r.values)) if (k !== '__error') columns.add(k);
  checkColumns([...columns]);
  return { resources, relationships: rows(rels, 'relationships') };
}

function checkColumns(columns: string[]): void {
  const unknown = columns.filter(
    (c) =>
      !DOCUMENT_COLUMNS.includes(c) &&
      !NESTED.includes(c) &&
      !PREFIXES.some((p) => c.startsWith(p) && c.length > p.length),
  );
  if (unknown.length)
    throw new DocumentError(
      `Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')}: use ${DOCUMENT_COLUMNS.join(', ')}, or properties.<key>, tags.<key>, vendor_identifiers.<key>.`,
    );
}

const blank = (v: unknown) => v === undefined || v === null || v === '';
const text = (v: unknown) =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

/** One row as a resource record, or the reason it is rejected. */
export function rowToRecord(row: Row, defaults: { vendor: string }): ResourceRecord | string {
  const v = row.values;
  if (typeof v.__error === 'string') return v.__error;
  const record: ResourceRecord = {
    kind: 'resource',
    ems_ref: text(v.ems_ref),
    name: text(v.name),
    origin: row.where,
  };
  if (!record.ems_ref) return 'ems_ref is required';
  if (!record.name) return 'name is required';
  for (const field of TEXT_FIELDS) {
    if (blank(v[field]) || field === 'ems_ref' || field === 'name') continue;
    if (typeof v[field] === 'object') return `${field} must be text`;
    (record as unknown as Record<string, unknown>)[field] = text(v[field]);
  }
  if (!record.resource_type && !record.vendor_type) return 'resource_type or vendor_type is required';
  if (record.vendor_type && !record.vendor && defaults.vendor) record.vendor = defaults.vendor;
  if (!blank(v.state)) {
    const state = text(v.state);
    if (!(RESOURCE_STATES as readonly string[]).includes(state))
      return `state "${state}" is not one of ${RESOURCE_STATES.join(', ')}`;
    record.state = state as ResourceRecord['state'];
  }
  if (!blank(v.power_state)) {
    const power = text(v.power_state);
    if (!(POWER_STATES as readonly string[]).includes(power))
      return `power_state "${power}" is not one of ${POWER_STATES.join(', ')}`;
    record.power_state = power as ResourceRecord['power_state'];
  }
  for (const field of INT_FIELDS) {
    if (blank(v[field])) continue;
    const n = Number(text(v[field]));
    if (!Number.isInteger(n) || n < 0) return `${field} "${text(v[field])}" is not a whole number`;
    record[field] = n;
  }
  if (!blank(v.disk_gb)) {
    const n = Number(text(v.disk_gb));
    if (!Number.isFinite(n) || n < 0) return `disk_gb "${text(v.disk_gb)}" is not a number`;
    record.disk_gb = n;
  }
  for (const field of TIME_FIELDS) {
    if (blank(v[field])) continue;
    const raw = v[field] instanceof Date ? v[field].toISOString() : text(v[field]);
    if (Number.isNaN(Date.parse(raw))) return `${field} "${raw}" is not a date`;
    record[field] = raw;
  }
  if (!blank(v.ip_addresses)) {
    const ips = Array.isArray(v.ip_addresses)
      ? v.ip_addresses.map(text)
      : text(v.ip_addresses).split(/[\s;]+/);
    record.ip_addresses = ips.filter(Boolean);
  }
  const nested: Record<string, Record<string, unknown>> = {
    properties: {},
    tags: {},
    vendor_identifiers: {},
  };
  for (const [key, value] of Object.entries(v)) {
    if (NESTED.includes(key)) {
      if (blank(value)) continue;
      if (typeof value !== 'object' || Array.isArray(value)) return `${key} must be a mapping`;
      Object.assign(nested[key], value);
    }
    const prefix = PREFIXES.find((p) => key.startsWith(p));
    if (prefix && !blank(value)) nested[prefix.slice(0, -1)][key.slice(prefix.length)] = value;
  }
  record.properties = nested.properties;
  record.provider_tags = nested.tags;
  record.vendor_identifiers = nested.vendor_identifiers;
  return record;
}

/** The records of a whole document, rows in order, then relationships. */
export function* documentRecords(
  content: string,
  format: DocumentFormat,
  options: { vendor: string; wanted: (record: ResourceRecord) => boolean },
): Generator<CollectRecord> {
  const { resources, relationships } = documentRows(content, format);
  const seen = new Map<string, string>();
  for (const row of resources) {
    const record = rowToRecord(row, options);
    if (typeof record === 'string') {
      yield { kind: 'rejected', reason: `${row.where}: ${record}` };
      continue;
    }
    const earlier = seen.get(record.ems_ref);
    if (earlier) {
      yield {
        kind: 'rejected',
        reason: `${row.where}: ems_ref "${record.ems_ref}" is already used by ${earlier}`,
      };
      continue;
    }
    seen.set(record.ems_ref, row.where);
    if (options.wanted(record)) yield record;
  }
  for (const row of relationships) {
    const v = row.values;
    const type = text(v.type);
    if (typeof v.__error === 'string') yield { kind: 'rejected', reason: `${row.where}: ${v.__error}` };
    else if (!text(v.source) || !text(v.target))
      yield { kind: 'rejected', reason: `${row.where}: source and target are required` };
    else if (!(RELATIONSHIP_TYPES as readonly string[]).includes(type))
      yield {
        kind: 'rejected',
        reason: `${row.where}: type "${type}" is not one of ${RELATIONSHIP_TYPES.join(', ')}`,
      };
    else
      yield { kind: 'relationship', source: text(v.source), target: text(v.target), type: type as 'runs_on' };
  }
}
