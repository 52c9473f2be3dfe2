import type { DataSource, QueryRunner } from 'typeorm';
import { InvalidQueryError } from '../common/errors.js';
import { parseListQuery, type RequestLocation } from '../common/list/list-query.js';
import type { SqlParams } from '../common/list/sql-params.js';
import { RESOURCE_LIST } from './resource.list-spec.js';
import { LAST_SEEN_AT_SQL } from './resource-tracking.sql.js';

/**
 * `GET /ansible-inventory/`: the resources as `ansible-inventory --list` prints an
 * inventory — `{"_meta": {"hostvars": {...}}, "all": {"children": [...]}, "<group>":
 * {"hosts", "vars", "children"}}` — so Ansible never calls back per host.
 *
 * Shaped for 100,000 hosts: one SELECT through a server-side cursor (read-only, one
 * snapshot), PostgreSQL renders each host's variables as JSON text (`json_build_object`,
 * no per-row parse in Node), the cluster comes from two hash joins over the open
 * `part_of`/`runs_on` edges, and the latest fact snapshot from the
 * (resource_id, received_at) index. Node only streams the hostvars out as the rows
 * arrive and keeps the group → hosts lists, which follow the hostvars.
 */

export const GROUP_BY_KEYS = [
  'provider',
  'resource_type',
  'region',
  'availability_zone',
  'os_type',
  'state',
  'organization',
  'cluster',
  'inventory_group',
] as const;
type GroupByKey = (typeof GROUP_BY_KEYS)[number];

export const HOSTNAME_SOURCES = ['name', 'fqdn', 'id'] as const;
type HostnameSource = (typeof HOSTNAME_SOURCES)[number];

export const DEFAULT_HOSTVARS_PREFIX = 'inventory_';
const PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Parameters of this endpoint besides the resources filters. */
export const ANSIBLE_INVENTORY_PARAMS: Record<string, string> = {
  group_by: `Build groups by (repeatable): ${GROUP_BY_KEYS.join(', ')}, or tag:<key> (one group per value of that tag). Names are prefixed (provider_, resource_type_, region_, availability_zone_, os_type_, state_, organization_, cluster_, tag_<key>_) except inventory_group (the resource's properties.inventory_group as is), then sanitized as Ansible's inventory plugins do (every character that is not a letter, digit or underscore, and a leading digit, becomes "_").`,
  hostvars_prefix: `Prefix of the resource's fields in the host variables (default ${DEFAULT_HOSTVARS_PREFIX}; letters, digits and underscores; empty for none).`,
  hostname: `What names a host: ${HOSTNAME_SOURCES.join(', ')} (default name; an empty fqdn falls back to the name). A name taken by an earlier host gets "_" and the first 8 characters of the resource id appended.`,
};

/** Paging and ordering make no sense for an inventory: the whole of it is the answer. */
const REFUSED = ['page', 'page_size', 'limit', 'offset', 'ordering', 'cursor'];

type Raw = Record<string, string | string[] | undefined>;
const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function single(query: Raw, name: string): string | undefined {
  const values = list(query[name]);
  if (values.length > 1) throw new InvalidQueryError(name, 'may be given only once.');
  return values[0];
}

export interface GroupBy {
  key: GroupByKey | 'tag';
  /** The tag key of `tag:<key>`. */
  tag?: string;
}

export interface AnsibleInventoryQuery {
  /** Conditions from the resources filters and the defaults; placeholders in `params`. */
  where: string[];
  params: SqlParams;
  groupBy: GroupBy[];
  prefix: string;
  hostname: HostnameSource;
}

/**
 * Parses the query: every resources filter (through the resources list's own spec, so
 * each filter, lookup and 400 is the list's), plus group_by, hostvars_prefix and
 * hostname. Without a category or type filter only the compute category is listed;
 * without `removed`, only resources still present.
 */
export function parseAnsibleInventoryQuery(query: Raw, location: RequestLocation): AnsibleInventoryQuery {
  for (const name of REFUSED) {
    if (query[name] !== undefined)
      throw new InvalidQueryError(name, 'the Ansible inventory is not paged or ordered; leave it out.');
  }
  const parsed = parseListQuery(RESOURCE_LIST, query, location, Object.keys(ANSIBLE_INVENTORY_PARAMS));
  const where = [...parsed.where];
  const names = Object.keys(query);
  if (!names.some((n) => /^(category|resource_type|resource_type_slug)(__|$)/.test(n)))
    where.push(RESOURCE_LIST.filters.category.build(['compute'], parsed.params));
  if (!names.includes('removed')) where.push(RESOURCE_LIST.filters.removed.build([false], parsed.params));

  const groupBy: GroupBy[] = [];
  const seen = new Set<string>();
  for (const raw of list(query.group_by).flatMap((v) => v.split(','))) {
    const value = raw.trim();
    if (value === '' || seen.has(value)) continue;
    seen.add(value);
    if (value.startsWith('tag:')) {
      const tag = value.slice(4);
      if (tag === '' || tag.length > 255)
        throw new InvalidQueryError('group_by', `"${value}": tag:<key> needs a key of 1 to 255 characters.`);
      groupBy.push({ key: 'tag', tag });
    } else if ((GROUP_BY_KEYS as readonly string[]).includes(value)) {
      groupBy.push({ key: value as GroupByKey });
    } else {
      throw new InvalidQueryError(
        'group_by',
        `"${value}" is not one of: ${GROUP_BY_KEYS.join(', ')}, tag:<key>.`,
      );
    }
  }
  if (groupBy.filter((g) => g.key === 'tag').length > 20)
    throw new InvalidQueryError('group_by', 'at most 20 tag:<key> groupings.');

  const prefix = single(query, 'hostvars_prefix') ?? DEFAULT_HOSTVARS_PREFIX;
  if (prefix !== '' && !PREFIX_PATTERN.test(prefix))
    throw new InvalidQueryError(
      'hostvars_prefix',
      'must start with a letter or underscore and hold only letters, digits and underscores (at most 64).',
    );
  const hostname = single(query, 'hostname') ?? 'name';
  if (!(HOSTNAME_SOURCES as readonly string[]).includes(hostname))
    throw new InvalidQueryError('hostname', `"${hostname}" is not one of: ${HOSTNAME_SOURCES.join(', ')}.`);
  return { where, params: parsed.params, groupBy, prefix, hostname: hostname as HostnameSource };
}

/** Python's `\w` (letters, digits, underscore in any script) as Ansible's INVALID_VARIABLE_NAMES uses it. */
const INVALID_GROUP_CHARS = /^[\p{Nd}]|[^\p{L}\p{N}\p{M}_]/gu;

/** `to_safe_group_name(name, force=True)`: each invalid character, and a leading digit, becomes "_". */
export function safeGroupName(name: string): string {
  return name.replace(INVALID_GROUP_CHARS, '_');
}

const GROUP_PREFIX: Record<GroupByKey, string> = {
  provider: 'provider_',
  resource_type: 'resource_type_',
  region: 'region_',
  availability_zone: 'availability_zone_',
  os_type: 'os_type_',
  state: 'state_',
  organization: 'organization_',
  cluster: 'cluster_',
  inventory_group: '',
};

const GROUP_COLUMN: Record<GroupByKey, string> = {
  provider: 'p.name',
  resource_type: 't.slug',
  region: 'r.region',
  availability_zone: 'r.availability_zone',
  os_type: 'r.os_type',
  state: 'r.state',
  organization: 'o.name',
  cluster: 'cl.cluster',
  inventory_group: `r.properties ->> 'inventory_group'`,
};

/**
 * The cluster of each resource: what it is `part_of` directly (a host in its cluster, a
 * pool), else what the machine it `runs_on` is part of (a VM through its host). Built
 * for all resources at once with hash joins; the lowest name wins when there are several.
 */
const CLUSTERS = `SELECT DISTINCT ON (x.resource_id) x.resource_id, x.cluster FROM (
    SELECT e.source_id AS resource_id, c.name AS cluster, 0 AS hops
      FROM resource_relationships e JOIN resources c ON c.id = e.target_id
     WHERE e.relationship_type = 'part_of' AND e.removed_at IS NULL
    UNION ALL
    SELECT e1.source_id, c.name, 1
      FROM resource_relationships e1
      JOIN resource_relationships e2 ON e2.source_id = e1.target_id AND e2.relationship_type = 'part_of' AND e2.removed_at IS NULL
      JOIN resources c ON c.id = e2.target_id
     WHERE e1.relationship_type = 'runs_on' AND e1.removed_at IS NULL
  ) x ORDER BY x.resource_id, x.hops, x.cluster`;

/** The resource's fields as host variables, under the prefix ($1). At most 50 pairs per json_build_object. */
const HOSTVAR_FIELDS: [string, string][] = [
  ['id', 'r.id'],
  ['name', 'r.name'],
  ['provider', 'p.name'],
  ['provider_id', 'r.provider_id'],
  ['provider_vendor', 'p.vendor'],
  ['provider_type', 'p.provider_type'],
  ['organization', 'r.organization_id'],
  ['organization_name', 'o.name'],
  ['resource_type', 't.slug'],
  ['category', 'c.slug'],
  ['vendor_type', 'r.vendor_type'],
  ['ems_ref', 'r.ems_ref'],
  ['canonical_id', 'r.canonical_id'],
  ['vendor_identifiers', 'r.vendor_identifiers'],
  ['state', 'r.state'],
  ['power_state', 'r.power_state'],
  ['region', 'r.region'],
  ['availability_zone', 'r.availability_zone'],
  ['cluster', 'cl.cluster'],
  ['cloud_tenant', 'r.cloud_tenant'],
  ['flavor', 'r.flavor'],
  ['fqdn', 'r.fqdn'],
  ['ip_addresses', 'r.ip_addresses'],
  ['os_type', 'r.os_type'],
  ['os_name', 'r.os_name'],
  ['cpu_count', 'r.cpu_count'],
  ['memory_mb', 'r.memory_mb'],
  ['disk_gb', 'r.disk_gb'],
  ['description', 'r.description'],
  ['properties', 'r.properties'],
  ['tags', 'r.provider_tags'],
  ['boot_time', 'r.boot_time'],
  ['first_discovered_at', 'r.first_discovered_at'],
  ['last_seen_at', LAST_SEEN_AT_SQL],
  ['removed_at', 'r.removed_at'],
  ['facts', 'f.summary'],
];

/** The latest pushed facts of a host, summarized (the whole documents are at /resources/{id}/facts/latest/). */
const FACTS_SUMMARY = `SELECT json_build_object(
    'snapshot', fs.id, 'received_at', fs.received_at, 'client_address', fs.client_address,
    'hostname', fs.system_facts ->> 'hostname', 'fqdn', fs.system_facts ->> 'fqdn',
    'distribution', fs.system_facts ->> 'distribution',
    'distribution_version', fs.system_facts ->> 'distribution_version',
    'kernel', fs.system_facts ->> 'kernel', 'architecture', fs.system_facts ->> 'architecture',
    'virtualization_type', fs.system_facts ->> 'virtualization_type',
    'virtualization_role', fs.system_facts ->> 'virtualization_role',
    'default_ipv4', fs.system_facts #>> '{default_ipv4,address}') AS summary
  FROM fact_snapshots fs WHERE fs.resource_id = r.id ORDER BY fs.received_at DESC, fs.id DESC LIMIT 1`;

interface InventoryRow {
  id: string;
  host: string | null;
  ansible_host: string | null;
  ansible_connection: string | null;
  vars: string;
  [group: `g${number}`]: string | null;
}

/** Rows per FETCH: large enough that round trips do not matter, small enough to stream. */
const FETCH_ROWS = 2000;

function buildSql(q: AnsibleInventoryQuery, visible: string[]): string {
  const p = q.params.add(q.prefix);
  const groupColumns = q.groupBy.map((g, i) =>
    g.key === 'tag'
      ? `r.provider_tags ->> ${q.params.add(g.tag)} AS g${i}`
      : `${GROUP_COLUMN[g.key]} AS g${i}`,
  );
  const host = q.hostname === 'fqdn' ? `coalesce(nullif(r.fqdn, ''), r.name)` : `r.${q.hostname}::text`;
  const conditions = [...visible, ...q.where];
  return `SELECT r.id, ${host} AS host,
      coalesce(nullif(r.properties ->> 'ansible_host', ''), nullif(r.ip_addresses[1], ''), nullif(r.fqdn, '')) AS ansible_host,
      coalesce(nullif(r.properties ->> 'ansible_connection', ''), CASE WHEN r.os_type = 'windows' THEN 'winrm' END) AS ansible_connection,
      json_build_object(${HOSTVAR_FIELDS.map(([k, sql]) => `${p} || '${k}', ${sql}`).join(', ')})::text AS vars
      ${groupColumns.map((c) => `, ${c}`).join('')}
    FROM resources r
    JOIN providers p ON p.id = r.provider_id
    JOIN organizations o ON o.id = r.organization_id
    JOIN resource_types t ON t.id = r.resource_type_id
    JOIN resource_categories c ON c.id = t.category_id
    LEFT JOIN (${CLUSTERS}) cl ON cl.resource_id = r.id
    LEFT JOIN LATERAL (${FACTS_SUMMARY}) f ON true
    ${conditions.length ? `WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : ''}
    ORDER BY r.name, r.id`;
}

const json = JSON.stringify;

/**
 * Opens the cursor and reads the first rows before anything is sent, so a database
 * failure is still a proper error answer; then yields the document in chunks. The
 * connection is released when the stream ends, fails or the client goes away.
 */
export async function openAnsibleInventory(
  db: DataSource,
  q: AnsibleInventoryQuery,
  visible: string[],
): Promise<AsyncGenerator<string>> {
  const sql = buildSql(q, visible);
  const runner = db.createQueryRunner('slave');
  let first: InventoryRow[];
  try {
    await runner.connect();
    await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await runner.query(`DECLARE ansible_inventory NO SCROLL CURSOR FOR ${sql}`, q.params.values);
    first = await fetch(runner);
  } catch (error) {
    await close(runner);
    throw error;
  }
  return render(runner, first, q);
}

const fetch = (runner: QueryRunner) =>
  runner.query(`FETCH ${FETCH_ROWS} FROM ansible_inventory`) as Promise<InventoryRow[]>;

async function close(runner: QueryRunner): Promise<void> {
  try {
    if (!runner.isReleased) await runner.query('ROLLBACK');
  } catch {
    // The connection is gone; releasing it is all that is left.
  } finally {
    if (!runner.isReleased) await runner.release();
  }
}

async function* render(
  runner: QueryRunner,
  first: InventoryRow[],
  q: AnsibleInventoryQuery,
): AsyncGenerator<string> {
  const groups = new Map<string, string[]>();
  const ungrouped: string[] = [];
  const names = new Set<string>();
  const safe = new Map<string, string>();
  const groupName = (raw: string): string => {
    let name = safe.get(raw);
    if (name === undefined) {
      name = safeGroupName(raw);
      safe.set(raw, name);
    }
    return name;
  };
  const prefixes = q.groupBy.map((g) => (g.key === 'tag' ? `tag_${g.tag}_` : GROUP_PREFIX[g.key]));
  try {
    yield '{"_meta":{"hostvars":{';
    let rows = first;
    let separator = '';
    while (rows.length > 0) {
      let chunk = '';
      for (const row of rows) {
        let host = row.host || row.id;
        if (names.has(host)) host = `${host}_${row.id.slice(0, 8)}`;
        names.add(host);
        let head = '{';
        if (row.ansible_host !== null) head += `"ansible_host":${json(row.ansible_host)},`;
        if (row.ansible_connection !== null) head += `"ansible_connection":${json(row.ansible_connection)},`;
        chunk += `${separator}${json(host)}:${head}${row.vars.slice(1)}`;
        separator = ',';
        let member = false;
        for (let i = 0; i < prefixes.length; i++) {
          const value = row[`g${i}`];
          if (value === null || value === undefined || value === '') continue;
          const name = groupName(`${prefixes[i]}${value}`);
          let hosts = groups.get(name);
          if (!hosts) groups.set(name, (hosts = []));
          if (hosts[hosts.length - 1] !== host) hosts.push(host);
          member = true;
        }
        if (!member) ungrouped.push(host);
      }
      yield chunk;
      if (rows.length < FETCH_ROWS) break;
      rows = await fetch(runner);
    }
    yield '}}';
    const sorted = [...groups.keys()].sort();
    for (const name of sorted) {
      if (name === 'all' || name === 'ungrouped' || name === '_meta') continue;
      yield `,${json(name)}:{"hosts":${json(groups.get(name))},"vars":{},"children":[]}`;
    }
    const children = sorted.filter((n) => n !== 'all' && n !== 'ungrouped' && n !== '_meta');
    yield `,"ungrouped":{"hosts":${json(ungrouped)},"vars":{},"children":[]}`;
    yield `,"all":{"hosts":[],"vars":{},"children":${json(['ungrouped', ...children])}}}\n`;
  } finally {
    await close(runner);
  }
}
