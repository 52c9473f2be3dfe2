import {
  NESTED_CHANGE_LIST,
  RESOURCE_CHANGE_LIST,
  TIMELINE_LIST,
} from '../../src/changes/resource-change.list-spec.js';
import { COLLECTION_RUN_LIST } from '../../src/collection/collection-run.list-spec.js';
import { FACT_SNAPSHOT_LIST } from '../../src/facts/fact-snapshot.list-spec.js';
import { SYSTEM_LIST } from '../../src/facts/system.list-spec.js';
import { allFilters } from '../../src/common/list/list-query.js';
import type { FilterDef, ListSpec } from '../../src/common/list/list-spec.js';
import {
  ACTIVITY_LIST,
  ORGANIZATION_LIST,
  ROLE_DEFINITION_LIST,
  ROLE_TEAM_ASSIGNMENT_LIST,
  ROLE_USER_ASSIGNMENT_LIST,
  TEAM_LIST,
  USER_LIST,
} from '../../src/platform/platform.list-specs.js';
import { AUTOMATION_RECORD_LIST, PENDING_MATCH_LIST } from '../../src/automation/automation.list-spec.js';
import { PROPERTY_DEFINITION_LIST } from '../../src/property-definitions/property-definition.list-spec.js';
import { PROVIDER_LIST } from '../../src/providers/provider.list-spec.js';
import { RESOURCE_RELATIONSHIP_LIST } from '../../src/relationships/resource-relationship.list-spec.js';
import { MACHINE_LIST } from '../../src/resources/machine.list-spec.js';
import { RESOURCE_LIST } from '../../src/resources/resource.list-spec.js';
import {
  NESTED_SIGHTING_LIST,
  RESOURCE_SIGHTING_LIST,
} from '../../src/sightings/resource-sighting.list-specs.js';
import {
  RESOURCE_CATEGORY_LIST,
  RESOURCE_TYPE_LIST,
  VENDOR_TYPE_MAPPING_LIST,
} from '../../src/taxonomy/taxonomy.list-specs.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { createResource, daysAgo, seedReadFixture } from '../support/factories.js';
import { createSystem, loadDebianFacts } from '../support/facts.js';

/**
 * The shared list-endpoint test (NetBox utilities/testing/api.py in spirit): every list
 * endpoint, driven through every filter it declares (and the lookups derived from
 * them), every ordering in both directions, search, malformed values and page limits.
 * A filter declared without a probe here fails the test, so new filters get covered.
 */

type Row = Record<string, any>;
interface Probe {
  /** Query value(s) for the filter. */
  value: string | string[];
  /** The row's value the filter compares (enables the derived lookups' checks). */
  field?: (row: Row) => unknown;
  /** For custom filters: does a returned row match? */
  check?: (row: Row) => boolean;
}
interface ListCase {
  name: string;
  path: (f: Fixture) => string;
  spec: ListSpec;
  probes: (f: Fixture) => Record<string, Probe>;
  /** How to read an ordering key from a row, when it is not the field of the same name. */
  orderBy?: Record<string, (row: Row) => unknown>;
  search?: { term: string; check: (row: Row) => boolean };
}
type Fixture = Awaited<ReturnType<typeof seedReadFixture>> & {
  platform: PlatformFixture;
  push: PushFixture;
  machine: { sharedId: string };
  automation: AutomationFixture;
  watchlist: { id: string; members: string[] };
};

interface AutomationFixture {
  /** Resources an automation record is matched (or confirmed) to. */
  automated: string[];
  /** The record whose BIOS UUID two resources share (two pending matches). */
  worker?: string;
}

interface PushFixture {
  systemB: { id: string; key: string };
  pushedHost: string;
  latestSha: string;
}

interface PlatformFixture {
  teamA: number;
  teamB: number;
  user: { id: number; username: string };
  inactiveUser: number;
  customRole: number;
  memberRole: number;
  userAssignment: number;
  teamAssignment: number;
  activityFrom: string;
}

/** Category slug → sort order, read from the API before the tests (ordering=category sorts by it). */
const categorySortOrder = new Map<string, number>();
const iso = (date: Date) => date.toISOString();
const field = (name: string) => (row: Row) => row[name];
/** A row's identity: its id, its date for per-day lists (the timeline), its canonical id for machines. */
const rowKey = (row: Row | undefined) => row?.id ?? row?.date ?? row?.canonical_id;

const CASES: ListCase[] = [
  {
    name: 'providers',
    path: () => '/providers/',
    spec: PROVIDER_LIST,
    probes: (f) => ({
      vendor: { value: 'aws', field: field('vendor') },
      provider_type: { value: 'vcenter', field: field('provider_type') },
      infrastructure: { value: 'public_cloud', field: field('infrastructure') },
      enabled: { value: 'false', check: (r) => r.enabled === false },
      organization: { value: String(f.orgA), field: field('organization') },
      name: { value: 'Lab vCenter', field: field('name') },
      created_after: { value: iso(daysAgo(25)), check: (r) => new Date(r.created) >= daysAgo(25.01) },
      created_before: { value: iso(daysAgo(25)), check: (r) => new Date(r.created) <= daysAgo(24.99) },
    }),
    search: { term: 'vcent', check: (r) => /vcent/i.test(`${r.name} ${r.vendor} ${r.provider_type}`) },
  },
  {
    name: 'collection runs',
    path: () => '/collection-runs/',
    spec: COLLECTION_RUN_LIST,
    probes: (f) => ({
      status: { value: 'failed', field: field('status') },
      provider: { value: f.providers.aws, field: field('provider') },
      collection_type: { value: 'targeted', field: field('collection_type') },
      triggered_by: { value: 'schedule', field: field('triggered_by') },
      started_after: {
        value: iso(daysAgo(1.5)),
        check: (r) => r.started_at && new Date(r.started_at) >= daysAgo(1.51),
      },
      started_before: {
        value: iso(daysAgo(1.5)),
        check: (r) => r.started_at && new Date(r.started_at) <= daysAgo(1.49),
      },
      created_after: { value: iso(daysAgo(0.5)), check: (r) => new Date(r.created) >= daysAgo(0.51) },
      created_before: { value: iso(daysAgo(0.5)), check: (r) => new Date(r.created) <= daysAgo(0.49) },
    }),
    search: { term: 'task-7f3', check: (r) => r.task_id === 'task-7f3e2b' },
  },
  {
    name: 'resources',
    path: () => '/resources/',
    spec: RESOURCE_LIST,
    probes: (f) => ({
      provider: { value: f.providers.aws, field: field('provider') },
      resource_type: { value: 'virtual_machine', check: (r) => r.resource_type_slug === 'virtual_machine' },
      resource_type_slug: {
        value: ['hypervisor_host', 'vpc'],
        check: (r) => ['hypervisor_host', 'vpc'].includes(r.resource_type_slug),
      },
      category: { value: 'storage', check: (r) => r.resource_category === 'storage' },
      state: { value: 'running', field: field('state') },
      power_state: { value: 'poweredOff', field: field('power_state') },
      organization: { value: String(f.orgB), field: field('organization') },
      name: { value: 'rhel9-web01', field: field('name') },
      region: { value: 'us-east-1', field: field('region') },
      availability_zone: { value: 'us-west-2b', field: field('availability_zone') },
      os_type: { value: 'windows', field: field('os_type') },
      os_name: { value: 'Ubuntu 24.04', field: field('os_name') },
      canonical_id: { value: '502e71fa-1c2d-4b3e-9f8a-000000000103', field: field('canonical_id') },
      ems_ref: { value: 'vm-101', field: field('ems_ref') },
      fqdn: { value: 'esxi01.lab.local', field: field('fqdn') },
      cloud_tenant: { value: '123456789012', field: field('cloud_tenant') },
      flavor: { value: 'm5.xlarge', field: field('flavor') },
      vendor_type: { value: 'HostSystem', field: field('vendor_type') },
      ip_address: { value: '10.0.1.12', check: (r) => r.ip_addresses.includes('10.0.1.12') },
      tag: {
        value: ['env=prod', 'app=web'],
        check: (r) => r.provider_tags.env === 'prod' && r.provider_tags.app === 'web',
      },
      watchlist: { value: f.watchlist.id, check: (r) => f.watchlist.members.includes(r.id) },
      cpu_count: { value: '8', field: field('cpu_count') },
      memory_mb: { value: '16384', field: field('memory_mb') },
      seen_count_min: { value: '7', check: (r) => r.seen_count >= 7 },
      seen_count_max: { value: '3', check: (r) => r.seen_count <= 3 },
      first_discovered_after: {
        value: iso(daysAgo(0.5)),
        check: (r) => new Date(r.first_discovered_at) >= daysAgo(0.51),
      },
      first_discovered_before: {
        value: iso(daysAgo(6.5)),
        check: (r) => new Date(r.first_discovered_at) <= daysAgo(6.49),
      },
      last_seen_after: { value: iso(daysAgo(0.5)), check: (r) => new Date(r.last_seen_at) >= daysAgo(0.51) },
      last_seen_before: { value: iso(daysAgo(1)), check: (r) => new Date(r.last_seen_at) <= daysAgo(0.99) },
      removed: { value: 'true', check: (r) => r.removed_at !== null },
      automated: { value: 'true', check: (r) => f.automation.automated.includes(r.id) },
      last_automated_after: { value: iso(daysAgo(2.5)), check: (r) => r.id === f.resources.ec2b },
      last_automated_before: { value: iso(daysAgo(2.5)), check: (r) => r.id === f.resources.vms[1] },
      present_at: {
        value: iso(daysAgo(3)),
        check: (r) =>
          new Date(r.first_discovered_at) <= daysAgo(3) &&
          (r.removed_at === null || new Date(r.removed_at) > daysAgo(3)),
      },
    }),
    orderBy: {},
    search: {
      term: 'ESXI0',
      check: (r) => /esxi0/i.test(`${r.name} ${r.ems_ref} ${r.canonical_id} ${r.fqdn} ${r.vendor_type}`),
    },
  },
  {
    name: 'resource sightings',
    path: () => '/resource-sightings/',
    spec: RESOURCE_SIGHTING_LIST,
    probes: (f) => ({
      resource: { value: f.resources.vms[0], field: field('resource') },
      provider: { value: f.providers.aws, field: field('provider') },
      collection_run: { value: f.runs.completedRun, field: field('collection_run') },
      organization: { value: String(f.orgB), field: field('organization') },
      state: { value: 'stopped', field: field('state') },
      power_state: { value: 'poweredOff', field: field('power_state') },
      seen_after: { value: iso(daysAgo(1.5)), check: (r) => new Date(r.seen_at) >= daysAgo(1.51) },
      seen_before: { value: iso(daysAgo(3.5)), check: (r) => new Date(r.seen_at) <= daysAgo(3.49) },
    }),
    search: { term: 'esxi01', check: (r) => r.resource_name === 'esxi01.lab.local' },
  },
  {
    name: "a resource's sightings",
    path: (f) => `/resources/${f.resources.vms[0]}/sightings/`,
    spec: NESTED_SIGHTING_LIST,
    probes: () => ({
      seen_after: { value: iso(daysAgo(2.5)), check: (r) => new Date(r.seen_at) >= daysAgo(2.51) },
      seen_before: { value: iso(daysAgo(2.5)), check: (r) => new Date(r.seen_at) <= daysAgo(2.49) },
      state: { value: 'stopped', field: field('state') },
    }),
  },
  {
    name: 'resource relationships',
    path: () => '/resource-relationships/',
    spec: RESOURCE_RELATIONSHIP_LIST,
    probes: (f) => ({
      relationship_type: { value: 'part_of', field: field('relationship_type') },
      source: { value: f.resources.vms[0], field: field('source') },
      target: { value: f.resources.cluster, field: field('target') },
      resource: {
        value: f.resources.ec2a,
        check: (r) => r.source === f.resources.ec2a || r.target === f.resources.ec2a,
      },
      provider: { value: f.providers.aws, field: field('provider') },
      organization: { value: String(f.orgB), field: field('organization') },
      removed: { value: 'true', check: (r) => r.removed_at !== null },
      last_seen_after: { value: iso(daysAgo(1)), check: (r) => new Date(r.last_seen_at) >= daysAgo(1.01) },
      last_seen_before: { value: iso(daysAgo(1)), check: (r) => new Date(r.last_seen_at) <= daysAgo(0.99) },
    }),
  },
  {
    name: 'resource categories',
    path: () => '/resource-categories/',
    spec: RESOURCE_CATEGORY_LIST,
    probes: () => ({ slug: { value: 'storage', field: field('slug') } }),
    search: { term: 'ident', check: (r) => /ident/i.test(`${r.name} ${r.slug}`) },
  },
  {
    name: 'resource types',
    path: () => '/resource-types/',
    spec: RESOURCE_TYPE_LIST,
    probes: () => ({
      category: { value: 'database', check: (r) => r.category_slug === 'database' },
      is_countable: { value: 'false', check: (r) => r.is_countable === false },
      slug: { value: 'vpc', field: field('slug') },
    }),
    orderBy: { category: (r) => categorySortOrder.get(r.category_slug) },
    search: { term: 'machine', check: (r) => /machine/i.test(`${r.name} ${r.slug}`) },
  },
  {
    name: 'vendor type mappings',
    path: () => '/vendor-type-mappings/',
    spec: VENDOR_TYPE_MAPPING_LIST,
    probes: () => ({
      vendor: { value: 'kubernetes', field: field('vendor') },
      resource_type: { value: 'container', check: (r) => r.resource_type_slug === 'container' },
      vendor_resource_type: { value: 'HostSystem', field: field('vendor_resource_type') },
    }),
    search: { term: 'EC2::Vol', check: (r) => /ec2::vol/i.test(`${r.vendor} ${r.vendor_resource_type}`) },
  },
  {
    name: 'property definitions',
    path: () => '/property-definitions/',
    spec: PROPERTY_DEFINITION_LIST,
    probes: () => ({
      resource_type: { value: 'block_storage', check: (r) => r.resource_type_slug === 'block_storage' },
      vendor_scope: { value: 'aws', field: field('vendor_scope') },
      required: { value: 'true', check: (r) => r.required === true },
      value_type: { value: 'boolean', field: field('value_type') },
      key: { value: 'capacity_gb', field: field('key') },
    }),
    orderBy: { resource_type: (r) => r.resource_type_slug },
    search: { term: 'uuid', check: (r) => /uuid/i.test(`${r.key} ${r.name}`) },
  },
  {
    name: 'machines',
    path: () => '/machines/',
    spec: MACHINE_LIST,
    probes: (f) => ({
      canonical_id: { value: f.machine.sharedId, field: field('canonical_id') },
      provider: {
        value: f.providers.k8s,
        check: (r) => r.providers.some((p: Row) => p.id === f.providers.k8s),
      },
      vendor: { value: 'kubernetes', check: (r) => r.vendors.includes('kubernetes') },
      resource_type: { value: 'hypervisor_host', field: field('resource_type') },
      name: { value: 'api-prod-1', field: field('name') },
      provider_count: { value: '2', field: field('provider_count') },
      resource_count: { value: '2', field: field('resource_count') },
      removed: { value: 'true', check: (r) => r.removed === true },
      last_seen_after: { value: iso(daysAgo(0.5)), check: (r) => new Date(r.last_seen_at) >= daysAgo(0.51) },
      last_seen_before: { value: iso(daysAgo(1)), check: (r) => new Date(r.last_seen_at) <= daysAgo(0.99) },
    }),
    search: { term: '502E71FA', check: (r) => /502e71fa/i.test(`${r.canonical_id} ${r.name}`) },
  },
];

const SEVERITY_RANK = (r: Row) => ['info', 'low', 'medium', 'high', 'critical'].indexOf(r.severity);
const changeProbes = () => ({
  category: { value: 'os', field: field('category') },
  severity: { value: 'high', field: field('severity') },
  change_type: { value: 'removed', field: field('change_type') },
  source: { value: 'heartbeat', field: field('source') },
  field_path: { value: 'kernel', field: field('field_path') },
  detected_after: { value: iso(daysAgo(1)), check: (r: Row) => new Date(r.detected_at) >= daysAgo(1.01) },
  detected_before: { value: iso(daysAgo(1)), check: (r: Row) => new Date(r.detected_at) <= daysAgo(0.99) },
});

const PUSH_CASES: ListCase[] = [
  {
    name: 'systems',
    path: () => '/systems/',
    spec: SYSTEM_LIST,
    probes: (f) => ({
      organization: { value: String(f.orgA), field: field('organization') },
      status: { value: 'active', field: field('status') },
      suspended: { value: 'true', check: (r) => r.suspended === true },
      name: { value: 'edge-a', field: field('name') },
      system_key: { value: f.push.systemB.key, field: field('system_key') },
      resource: { value: f.push.pushedHost, field: field('resource') },
      last_heartbeat_after: {
        value: iso(daysAgo(1)),
        check: (r) => r.last_heartbeat_at !== null && new Date(r.last_heartbeat_at) >= daysAgo(1.01),
      },
      last_heartbeat_before: {
        value: iso(daysAgo(1)),
        check: (r) => r.last_heartbeat_at !== null && new Date(r.last_heartbeat_at) <= daysAgo(0.99),
      },
    }),
    search: { term: 'EDGE-B', check: (r) => /edge-b/i.test(`${r.name} ${r.system_key} ${r.description}`) },
  },
  {
    name: 'resource changes',
    path: () => '/resource-changes/',
    spec: RESOURCE_CHANGE_LIST,
    probes: (f) => ({
      ...changeProbes(),
      resource: { value: f.resources.vms[0], field: field('resource') },
      organization: { value: String(f.orgB), field: field('organization') },
    }),
    orderBy: { severity: SEVERITY_RANK },
    search: {
      term: 'NGINX',
      check: (r) =>
        /nginx/i.test(
          `${r.field_path} ${JSON.stringify(r.previous_value)} ${JSON.stringify(r.current_value)}`,
        ),
    },
  },
  {
    name: "a resource's changes",
    path: (f) => `/resources/${f.resources.vms[0]}/changes/`,
    spec: NESTED_CHANGE_LIST,
    probes: changeProbes,
    orderBy: { severity: SEVERITY_RANK },
    search: {
      term: 'eth0',
      check: (r) => /eth0/i.test(`${r.field_path} ${JSON.stringify(r.current_value)}`),
    },
  },
  {
    name: "a resource's timeline",
    path: (f) => `/resources/${f.resources.vms[0]}/timeline/`,
    spec: TIMELINE_LIST,
    probes: () => ({
      date_after: { value: iso(daysAgo(3)), check: (r) => new Date(`${r.date}T23:59:59Z`) >= daysAgo(3) },
      date_before: { value: iso(daysAgo(3)), check: (r) => new Date(`${r.date}T00:00:00Z`) <= daysAgo(3) },
    }),
  },
  {
    name: "a host's fact snapshots",
    path: (f) => `/resources/${f.push.pushedHost}/facts/`,
    spec: FACT_SNAPSHOT_LIST,
    probes: (f) => ({
      received_after: { value: iso(daysAgo(1)), check: (r) => new Date(r.received_at) >= daysAgo(1.01) },
      received_before: { value: iso(daysAgo(1)), check: (r) => new Date(r.received_at) <= daysAgo(0.99) },
      sha256: { value: f.push.latestSha, field: field('sha256') },
      client_address: { value: '10.9.9.9', field: field('client_address') },
      kind: { value: 'agent', field: field('kind') },
    }),
  },
];

/**
 * Push data: three systems (one suspended and long silent, one active with a pushed
 * host that has two snapshots, one never heard of), and hand-made changes of a VM over
 * a week in several categories, severities, types and sources.
 */
async function seedPushFixture(
  t: TestApp,
  f: Awaited<ReturnType<typeof seedReadFixture>>,
): Promise<PushFixture> {
  const a = await createSystem(t, f.orgA, 'edge-a');
  const b = await createSystem(t, f.orgB, 'edge-b');
  await createSystem(t, f.orgA, 'edge-c');
  const facts = loadDebianFacts();
  const first = await http(`${t.api}/facts/`, { method: 'POST', json: facts, as: b.basic });
  expect(first.status).toBe(201);
  facts.system_facts.kernel = '6.1.0-99-amd64';
  const second = await http(`${t.api}/facts/`, { method: 'POST', json: facts, as: b.basic });
  expect(second.body.changed).toBe(true);
  const host = second.body.resource as string;
  await t.pool.query(
    `UPDATE fact_snapshots SET received_at = $2, client_address = '10.9.9.9' WHERE id = $1`,
    [first.body.snapshot, daysAgo(2)],
  );
  const latest = await t.pool.query(`SELECT sha256 FROM fact_snapshots WHERE id = $1`, [
    second.body.snapshot,
  ]);
  // The same system's collector agent: an `agent` snapshot beside the two `ansible` ones.
  const agent = await http(`${t.root}/api/systems/inventory`, {
    method: 'POST',
    json: { system_id: 'edge-b', timestamp: iso(daysAgo(0)), data: { lists_fixture: { agent: true } } },
    as: b.basic,
  });
  expect(agent.status).toBe(202);
  await t.pool.query(
    `UPDATE systems SET status = 'inactive', last_heartbeat_at = $2, suspended_at = now() WHERE id = $1`,
    [a.id, daysAgo(3)],
  );
  const vm = f.resources.vms[0];
  const changes = [
    ['kernel', 'modified', 'os', 'high', 'fact_snapshot', daysAgo(0), '"6.1.0-9"', '"6.1.0-10"'],
    ['packages.nginx', 'added', 'software', 'low', 'fact_snapshot', daysAgo(2), null, '{"version": "1.22"}'],
    ['interfaces.eth0', 'removed', 'network', 'medium', 'collection_run', daysAgo(5), '{"mtu": 1500}', null],
    ['system.status', 'modified', 'availability', 'info', 'heartbeat', daysAgo(5), '"inactive"', '"active"'],
  ];
  for (const [path, type, category, severity, source, at, prev, cur] of changes) {
    await t.pool.query(
      `INSERT INTO resource_changes (resource_id, organization_id, detected_at, source, field_path, change_type, category,
         severity, previous_value, current_value)
       SELECT id, organization_id, $2, $3, $4, $5, $6, $7, $8, $9 FROM resources WHERE id = $1`,
      [vm, at, source, path, type, category, severity, prev, cur],
    );
  }
  return { systemB: { id: b.id, key: b.system_key }, pushedHost: host, latestSha: latest.rows[0].sha256 };
}

/** /automation-records/ and /pending-matches/ over seedAutomationFixture's records. */
const AUTOMATION_CASES: ListCase[] = [
  {
    name: 'automation records',
    path: () => '/automation-records/',
    spec: AUTOMATION_RECORD_LIST,
    probes: (f) => ({
      organization: { value: String(f.orgB), field: field('organization') },
      job: { value: 'job-c', field: field('job_id') },
      job_name: { value: 'Scan', field: field('job_name') },
      job_template: { value: 'scan', field: field('job_template') },
      playbook: { value: 'scan.yml', field: field('playbook') },
      status: { value: 'unreachable', field: field('status') },
      host_name: { value: 'ghost', field: field('host_name') },
      match_status: { value: 'unmatched', field: field('match_status') },
      match_rule: { value: 'bios_uuid', field: field('match_rule') },
      resource: { value: f.resources.vms[1], field: field('resource') },
      started_after: { value: iso(daysAgo(1.5)), check: (r) => new Date(r.started_at) >= daysAgo(1.51) },
      started_before: { value: iso(daysAgo(2.5)), check: (r) => new Date(r.started_at) <= daysAgo(2.49) },
      finished_after: {
        value: iso(daysAgo(2.5)),
        check: (r) => r.finished_at !== null && new Date(r.finished_at) >= daysAgo(2.51),
      },
      finished_before: {
        value: iso(daysAgo(2.5)),
        check: (r) => r.finished_at !== null && new Date(r.finished_at) <= daysAgo(2.49),
      },
      automated_after: { value: iso(daysAgo(1.5)), check: (r) => new Date(r.automated_at) >= daysAgo(1.51) },
      automated_before: { value: iso(daysAgo(2.5)), check: (r) => new Date(r.automated_at) <= daysAgo(2.49) },
    }),
    search: {
      term: 'SCAN',
      check: (r) => /scan/i.test(`${r.host_name} ${r.job_name} ${r.job_template} ${r.playbook}`),
    },
  },
  {
    name: 'pending matches',
    path: () => '/pending-matches/',
    spec: PENDING_MATCH_LIST,
    probes: (f) => ({
      organization: { value: String(f.orgB), field: field('organization') },
      status: { value: 'confirmed', field: field('status') },
      resource: { value: f.resources.vms[2], field: field('resource') },
      record: { value: f.automation.worker ?? '', field: field('record') },
      job: { value: 'job-a', field: field('job_id') },
      host_name: { value: 'api-prod-1.x', field: field('host_name') },
      match_rule: { value: 'bios_uuid', field: field('match_rule') },
      min_confidence: { value: '0.9', check: (r) => r.match_confidence >= 0.9 },
      max_confidence: { value: '0.5', check: (r) => r.match_confidence <= 0.5 },
      created_after: { value: iso(daysAgo(1)), check: (r) => new Date(r.created) >= daysAgo(1.01) },
      created_before: { value: iso(daysAgo(1)), check: (r) => new Date(r.created) <= daysAgo(0.99) },
    }),
    search: { term: 'API-PROD', check: (r) => /api-prod/i.test(`${r.host_name} ${r.resource_name}`) },
  },
];

/**
 * Automation records posted through the API: matched by BIOS UUID (rhel9-web02), by
 * host name and so pending (rhel8-db01, api-prod-1), ambiguous (the BIOS UUID the lab VM
 * shares with the Kubernetes node), unmatched, and one pending match confirmed (api-prod-2).
 */
async function seedAutomationFixture(
  t: TestApp,
  f: Awaited<ReturnType<typeof seedReadFixture>>,
): Promise<AutomationFixture & { worker: string }> {
  const at = (days: number, minutes = 0) =>
    new Date(daysAgo(days).getTime() + minutes * 60_000).toISOString();
  const job = (id: string, name: string, status: string, started: number, finished: number | null) => ({
    job_id: id,
    job_name: name,
    job_template: name.toLowerCase(),
    playbook: `${name.toLowerCase()}.yml`,
    status,
    started_at: at(started),
    finished_at: finished === null ? null : at(started, finished),
  });
  const post = async (organization: number, records: unknown[]) => {
    const res = await http(`${t.api}/automation-records/`, {
      method: 'POST',
      json: { organization, records },
    });
    expect(res.status).toBe(200);
    return res.body.records as { host_name: string; id: string; match_status: string }[];
  };
  const a = await post(f.orgA, [
    {
      ...job('job-a', 'Patch', 'ok', 3, 5),
      host_name: 'rhel9-web02',
      identity: { bios_uuid: '502e71fa-1c2d-4b3e-9f8a-000000000102' },
    },
    { ...job('job-a', 'Patch', 'changed', 3, 6), host_name: 'rhel8-db01.corp' },
    { ...job('job-b', 'Deploy', 'failed', 1, null), host_name: 'ghost' },
    {
      ...job('job-b', 'Deploy', 'ok', 0.5, 1),
      host_name: 'worker',
      identity: { bios_uuid: '502e71fa-1c2d-4b3e-9f8a-000000000101' },
    },
  ]);
  expect(a.map((r) => r.match_status)).toEqual(['matched', 'pending', 'unmatched', 'pending']);
  const b = await post(f.orgB, [
    { ...job('job-c', 'Scan', 'unreachable', 2, 1), host_name: 'api-prod-1.x' },
    { ...job('job-c', 'Scan', 'unreachable', 2, 1), host_name: 'api-prod-2' },
  ]);
  expect(b.map((r) => r.match_status)).toEqual(['pending', 'pending']);
  const queue = await http(`${t.api}/pending-matches/?host_name=api-prod-2`);
  const confirmed = await http(`${t.api}/pending-matches/${queue.body.results[0].id}/resolve/`, {
    method: 'POST',
    json: { action: 'confirm' },
  });
  expect(confirmed.status).toBe(200);
  await t.pool.query(`UPDATE pending_matches SET created = $2 WHERE record_id = $1`, [a[1].id, daysAgo(2)]);
  return { automated: [f.resources.vms[1], f.resources.ec2b], worker: a[3].id };
}

const PLATFORM_CASES: ListCase[] = [
  {
    name: 'organizations',
    path: () => '/organizations/',
    spec: ORGANIZATION_LIST,
    probes: (f) => ({
      name: { value: 'Default', field: field('name') },
      id: { value: String(f.orgA), field: field('id') },
    }),
    search: { term: 'LAB ', check: (r) => /lab /i.test(`${r.name} ${r.description}`) },
  },
  {
    name: 'teams',
    path: () => '/teams/',
    spec: TEAM_LIST,
    probes: (f) => ({
      organization: { value: String(f.orgB), field: field('organization') },
      name: { value: 'Network engineering', field: field('name') },
    }),
    search: { term: 'netw', check: (r) => /netw/i.test(`${r.name} ${r.description}`) },
  },
  {
    name: 'users',
    path: () => '/users/',
    spec: USER_LIST,
    probes: (f) => ({
      username: { value: f.platform.user.username, field: field('username') },
      is_superuser: { value: 'true', check: (r) => r.is_superuser === true },
      is_active: { value: 'false', check: (r) => r.is_active === false },
    }),
    search: {
      term: 'LIST-USER',
      check: (r) => /list-user/i.test(`${r.username} ${r.email} ${r.first_name} ${r.last_name}`),
    },
  },
  {
    name: 'role definitions',
    path: () => '/role_definitions/',
    spec: ROLE_DEFINITION_LIST,
    probes: () => ({
      content_type: { value: 'global', check: (r) => r.content_type === null },
      managed: { value: 'false', check: (r) => r.managed === false },
      name: { value: 'Team Admin', field: field('name') },
    }),
    search: { term: 'collect', check: (r) => /collect/i.test(`${r.name} ${r.description}`) },
  },
  {
    name: 'role user assignments',
    path: () => '/role_user_assignments/',
    spec: ROLE_USER_ASSIGNMENT_LIST,
    probes: (f) => ({
      role_definition: { value: String(f.platform.customRole), field: field('role_definition') },
      content_type: { value: 'team', field: field('content_type') },
      object_id: { value: String(f.orgA), field: field('object_id') },
      source: { value: 'jwt', field: field('source') },
      user: { value: String(f.platform.user.id), field: field('user') },
    }),
  },
  {
    name: 'role team assignments',
    path: () => '/role_team_assignments/',
    spec: ROLE_TEAM_ASSIGNMENT_LIST,
    probes: (f) => ({
      role_definition: { value: String(f.platform.customRole), field: field('role_definition') },
      content_type: { value: 'provider', field: field('content_type') },
      object_id: { value: String(f.orgB), field: field('object_id') },
      source: { value: 'jwt', field: field('source') },
      team: { value: String(f.platform.teamB), field: field('team') },
    }),
  },
  {
    name: 'activity stream',
    path: () => '/activitystream/',
    spec: ACTIVITY_LIST,
    probes: (f) => ({
      object_type: { value: 'team', field: field('object_type') },
      object_id: { value: String(f.platform.teamA), field: field('object_id') },
      actor: { value: String(f.platform.user.id), field: field('actor') },
      actor_username: { value: f.platform.user.username, field: field('actor_username') },
      operation: { value: 'update', field: field('operation') },
      organization: { value: String(f.orgB), field: field('organization') },
      timestamp_after: {
        value: f.platform.activityFrom,
        check: (r) => r.timestamp >= f.platform.activityFrom,
      },
      timestamp_before: {
        value: f.platform.activityFrom,
        check: (r) => r.timestamp <= f.platform.activityFrom,
      },
    }),
    orderBy: { id: (r) => Number(r.id) },
    search: {
      term: 'NETWORK ENG',
      check: (r) => /network eng/i.test(`${r.object_repr} ${r.actor_username}`),
    },
  },
];

/**
 * Platform objects for the platform lists: teams in two organizations, a second
 * superuser who acts, an inactive user, a custom role, assignments of both sources,
 * and activity entries on both sides of a known instant.
 */
async function seedPlatformFixture(
  t: TestApp,
  f: Awaited<ReturnType<typeof seedReadFixture>>,
): Promise<PlatformFixture> {
  const post = async (path: string, json: unknown, as?: string) => {
    const res = await http(`${t.api}${path}`, { method: 'POST', json, as });
    expect(res.status).toBeLessThan(300);
    return res.body;
  };
  const teamA = (
    await post('/teams/', { name: 'Platform engineering', organization: f.orgA, description: 'Runs the lab' })
  ).id;
  const user = await t.createUser('list-user-1', { superuser: true });
  await t.pool.query(
    `UPDATE users SET email = 'ops@example.com', last_login = now() - interval '1 day' WHERE id = $1`,
    [user.id],
  );
  const inactive = await t.createUser('list-user-2');
  await t.pool.query(`UPDATE users SET is_active = false, last_login = now() WHERE id = $1`, [inactive.id]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const activityFrom = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const teamB = (await post('/teams/', { name: 'Network engineering', organization: f.orgB }, user.bearer))
    .id;
  await http(`${t.api}/teams/${teamA}/`, {
    method: 'PATCH',
    json: { description: 'Runs the lab, and more' },
    as: user.bearer,
  });
  const customRole = (
    await post('/role_definitions/', {
      name: 'Collector',
      description: 'May collect',
      permissions: ['provider.view', 'provider.collect'],
      content_type: 'provider',
    })
  ).id;
  const roles = await http(`${t.api}/role_definitions/?page_size=100`);
  const role = (name: string) => roles.body.results.find((r: any) => r.name === name).id as number;
  const memberRole = role('Organization Member');
  const userAssignment = (
    await post('/role_user_assignments/', {
      role_definition: memberRole,
      user: user.id,
      object_id: String(f.orgA),
    })
  ).id;
  await post('/role_user_assignments/', {
    role_definition: customRole,
    user: inactive.id,
    object_id: f.providers.vcenter,
  });
  await post('/teams/' + String(teamA) + '/members/', { user: inactive.id });
  await t.pool.query(
    `INSERT INTO role_assignments (role_definition_id, user_id, object_type, object_id, source) VALUES ($1, $2, 'organization', $3, 'jwt')`,
    [role('Organization Admin'), user.id, String(f.orgB)],
  );
  const teamAssignment = (
    await post('/role_team_assignments/', {
      role_definition: memberRole,
      team: teamA,
      object_id: String(f.orgA),
    })
  ).id;
  await post('/role_team_assignments/', {
    role_definition: customRole,
    team: teamB,
    object_id: f.providers.aws,
  });
  await t.pool.query(
    `INSERT INTO role_assignments (role_definition_id, team_id, object_type, object_id, source) VALUES ($1, $2, 'organization', $3, 'jwt')`,
    [memberRole, teamB, String(f.orgB)],
  );
  return {
    teamA,
    teamB,
    user: { id: user.id, username: user.username },
    inactiveUser: inactive.id,
    customRole,
    memberRole,
    userAssignment,
    teamAssignment,
    activityFrom,
  };
}

const MALFORMED: Record<FilterDef['type'], string | null> = {
  string: null,
  uuid: 'not-a-uuid',
  int: 'twelve',
  number: 'lots',
  bool: 'maybe',
  enum: 'no_such_value',
  datetime: '2025-13-45T99:00:00Z',
};

function query(name: string, value: string | string[]): string {
  return [value]
    .flat()
    .map((v) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`)
    .join('&');
}

function sortedAscending(values: unknown[]): boolean {
  const present = values.filter((v) => v !== null && v !== undefined);
  // PostgreSQL puts NULLs last in ascending order.
  if (values.slice(present.length).some((v) => v !== null && v !== undefined)) return false;
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byLocale = (a: string, b: string) => a.localeCompare(b);
  const check = (compare: (a: string, b: string) => number) =>
    present.every((v, i) => {
      if (i === 0) return true;
      const prev = present[i - 1];
      if (typeof v === 'number' && typeof prev === 'number') return prev <= v;
      const [a, b] = [String(prev), String(v)];
      if (/^\d{4}-\d{2}-\d{2}T/.test(a) && /^\d{4}-\d{2}-\d{2}T/.test(b)) return new Date(a) <= new Date(b);
      return compare(a, b) <= 0;
    });
  return check(byCodePoint) || check(byLocale);
}

describe('every list endpoint', () => {
  let t: TestApp;
  let fixture: Fixture;
  beforeAll(async () => {
    t = await startTestApp();
    const read = await seedReadFixture(t.pool);
    fixture = {
      ...read,
      platform: await seedPlatformFixture(t, read),
      push: await seedPushFixture(t, read),
      machine: await seedMachineFixture(t, read),
      automation: { automated: [] },
      watchlist: await seedWatchlistFixture(t, read),
    };
    fixture.automation = await seedAutomationFixture(t, read);
    const categories = await http(`${t.api}/resource-categories/?page_size=100`);
    for (const c of categories.body.results) categorySortOrder.set(c.slug, c.sort_order);
  });
  afterAll(async () => {
    await t.close();
  });

  /** A static watchlist of two of the lab's VMs (the `watchlist` filter). */
  async function seedWatchlistFixture(app: TestApp, read: Awaited<ReturnType<typeof seedReadFixture>>) {
    const members = read.resources.vms.slice(0, 2);
    const { rows } = await app.pool.query<{ organization_id: number }>(
      `SELECT organization_id FROM resources WHERE id = $1`,
      [members[0]],
    );
    const created = await http(`${app.api}/watchlists/`, {
      method: 'POST',
      json: {
        organization: rows[0].organization_id,
        name: 'Lists test',
        watchlist_type: 'static',
        resource_ids: members,
      },
    });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, members };
  }

  /** A VM of the lab that the Kubernetes provider also sees as a node: a machine of two providers. */
  async function seedMachineFixture(app: TestApp, read: Awaited<ReturnType<typeof seedReadFixture>>) {
    const { rows } = await app.pool.query<{ canonical_id: string }>(
      `SELECT canonical_id FROM resources WHERE id = $1`,
      [read.resources.vms[0]],
    );
    const { rows: k8s } = await app.pool.query<{ organization_id: number }>(
      `SELECT organization_id FROM providers WHERE id = $1`,
      [read.providers.k8s],
    );
    await createResource(app.pool, {
      providerId: read.providers.k8s,
      organizationId: k8s[0].organization_id,
      type: 'virtual_machine',
      vendorType: 'Node',
      name: 'worker-1',
      canonicalId: rows[0].canonical_id,
      memoryMb: 15000,
    });
    return { sharedId: rows[0].canonical_id };
  }

  async function all(path: string): Promise<{ count: number; rows: Row[] }> {
    const res = await http(`${t.api}${path}?page_size=1000`);
    expect(res.status).toBe(200);
    return { count: res.body.count, rows: res.body.results };
  }

  for (const c of [...CASES, ...PLATFORM_CASES, ...PUSH_CASES, ...AUTOMATION_CASES]) {
    describe(c.name, () => {
      it('answers with the envelope', async () => {
        const res = await http(`${t.api}${c.path(fixture)}`);
        expect(res.status).toBe(200);
        expect(Object.keys(res.body).sort()).toEqual(['count', 'next', 'previous', 'results']);
        expect(res.body.results.length).toBeLessThanOrEqual(25);
        expect(res.body.count).toBeGreaterThanOrEqual(res.body.results.length);
      });

      it('has a probe for every declared filter', () => {
        expect(Object.keys(c.probes(fixture)).sort()).toEqual(Object.keys(c.spec.filters).sort());
      });

      it('narrows results with every declared filter', async () => {
        const base = await all(c.path(fixture));
        for (const [name, probe] of Object.entries(c.probes(fixture))) {
          const res = await http(`${t.api}${c.path(fixture)}?${query(name, probe.value)}&page_size=1000`);
          expect({ name, status: res.status }).toEqual({ name, status: 200 });
          const rows: Row[] = res.body.results;
          expect({ name, some: rows.length > 0, narrower: rows.length < base.count }).toEqual({
            name,
            some: true,
            narrower: true,
          });
          expect(res.body.count).toBe(rows.length);
          const matches =
            probe.check ?? ((row: Row) => [probe.value].flat().includes(String(probe.field!(row))));
          for (const row of rows) expect({ name, matches: matches(row) }).toEqual({ name, matches: true });
        }
      });

      it('honours the lookups derived from filters', async () => {
        const probes = c.probes(fixture);
        for (const [lookup, def] of Object.entries(allFilters(c.spec))) {
          const match = /^(.*)__(n|ic|isw|empty|gte|lte)$/.exec(lookup);
          if (!match || !(match[1] in c.spec.filters)) continue;
          const [, base, kind] = match;
          const probe = probes[base];
          expect({ lookup, probeHasField: Boolean(probe.field) }).toEqual({ lookup, probeHasField: true });
          const read = probe.field!;
          const value = [probe.value].flat()[0];
          let param = value;
          let ok: (row: Row) => boolean;
          switch (kind) {
            case 'n':
              ok = (row) => String(read(row)) !== value;
              break;
            case 'ic':
              param = value.slice(1, -1).toUpperCase();
              ok = (row) => String(read(row)).toUpperCase().includes(param);
              break;
            case 'isw':
              param = value.slice(0, 3);
              ok = (row) => String(read(row)).toLowerCase().startsWith(param.toLowerCase());
              break;
            case 'empty':
              param = 'false';
              ok = (row) => read(row) !== null && read(row) !== '';
              break;
            case 'gte':
              ok = (row) =>
                def.type === 'datetime'
                  ? new Date(read(row) as string) >= new Date(value)
                  : Number(read(row)) >= Number(value);
              break;
            default:
              ok = (row) =>
                def.type === 'datetime'
                  ? new Date(read(row) as string) <= new Date(value)
                  : Number(read(row)) <= Number(value);
          }
          const res = await http(`${t.api}${c.path(fixture)}?${query(lookup, param)}&page_size=1000`);
          expect({ lookup, status: res.status }).toEqual({ lookup, status: 200 });
          expect({ lookup, some: res.body.results.length > 0 }).toEqual({ lookup, some: true });
          for (const row of res.body.results)
            expect({ lookup, matches: ok(row) }).toEqual({ lookup, matches: true });
        }
      });

      it('orders by every declared field, both ways, stably', async () => {
        for (const name of Object.keys(c.spec.ordering)) {
          const read = c.orderBy?.[name] ?? field(name);
          const asc = await http(`${t.api}${c.path(fixture)}?ordering=${name}&page_size=1000`);
          const desc = await http(`${t.api}${c.path(fixture)}?ordering=-${name}&page_size=1000`);
          expect({ name, asc: asc.status, desc: desc.status }).toEqual({ name, asc: 200, desc: 200 });
          expect({ name, sorted: sortedAscending(asc.body.results.map(read)) }).toEqual({
            name,
            sorted: true,
          });
          // The id tie-breaker follows the direction, so descending is exactly ascending reversed.
          expect(desc.body.results.map(rowKey)).toEqual(asc.body.results.map(rowKey).reverse());
        }
        const combined = await http(
          `${t.api}${c.path(fixture)}?ordering=${Object.keys(c.spec.ordering).slice(0, 2).join(',-')}`,
        );
        expect(combined.status).toBe(200);
      });

      if (c.search) {
        const search = c.search;
        it('searches the documented fields, ignoring case', async () => {
          const base = await all(c.path(fixture));
          const res = await http(
            `${t.api}${c.path(fixture)}?search=${encodeURIComponent(search.term)}&page_size=1000`,
          );
          expect(res.status).toBe(200);
          expect(res.body.results.length).toBeGreaterThan(0);
          expect(res.body.results.length).toBeLessThan(base.count);
          for (const row of res.body.results) expect(search.check(row)).toBe(true);
        });
      } else {
        it('has no search, and says so', async () => {
          const res = await http(`${t.api}${c.path(fixture)}?search=x`);
          expect(res.status).toBe(400);
          expect(res.body.errors.search).toBeDefined();
        });
      }

      it('answers 400 naming the parameter for malformed values', async () => {
        for (const [name, def] of Object.entries(allFilters(c.spec))) {
          const bad = MALFORMED[def.type];
          if (bad === null) continue;
          const res = await http(`${t.api}${c.path(fixture)}?${query(name, bad)}`);
          expect({ name, status: res.status }).toEqual({ name, status: 400 });
          expect({ name, named: Object.keys(res.body.errors ?? {}) }).toEqual({ name, named: [name] });
        }
        const checks: [string, string][] = [
          ['ordering=no_such_field', 'ordering'],
          ['ordering=name,-bogus', 'ordering'],
          ['page=0', 'page'],
          ['page=abc', 'page'],
          ['page_size=0', 'page_size'],
          ['page_size=-5', 'page_size'],
          ['limit=0', 'limit'],
          ['offset=-1', 'offset'],
          ['limit=2&page=2', 'page'],
          ['no_such_filter=1', 'no_such_filter'],
        ];
        for (const [qs, param] of checks) {
          const res = await http(`${t.api}${c.path(fixture)}?${qs}`);
          expect({ qs, status: res.status, named: Object.keys(res.body.errors ?? {}) }).toEqual({
            qs,
            status: 400,
            named: [param],
          });
        }
      });

      it('pages with page and page_size, links included, and caps page_size at 1000', async () => {
        const first = await http(`${t.api}${c.path(fixture)}?page_size=2`);
        expect(first.body.results.length).toBeLessThanOrEqual(2);
        if (first.body.count > 2) {
          expect(first.body.next).toContain('page=2');
          const second = await http(first.body.next);
          expect(second.status).toBe(200);
          expect(second.body.previous).not.toContain('page=');
          expect(rowKey(second.body.results[0])).not.toBe(rowKey(first.body.results[0]));
          const last = Math.ceil(first.body.count / 2);
          const beyond = await http(`${t.api}${c.path(fixture)}?page_size=2&page=${last + 1}`);
          expect(beyond.status).toBe(404);
        }
        const big = await http(`${t.api}${c.path(fixture)}?page_size=5000`);
        expect(big.status).toBe(200);
        expect(big.body.results.length).toBe(Math.min(big.body.count, 1000));
      });

      it('pages NetBox-style with limit and offset, the links in the same style', async () => {
        const all = await http(`${t.api}${c.path(fixture)}?page_size=1000`);
        const first = await http(`${t.api}${c.path(fixture)}?limit=2`);
        expect(first.status).toBe(200);
        expect(first.body.results.map(rowKey)).toEqual(all.body.results.slice(0, 2).map(rowKey));
        expect(first.body.previous).toBeNull();
        if (first.body.count > 2) {
          expect(new URL(first.body.next).searchParams.toString()).toMatch(/(^|&)limit=2&offset=2$/);
          const second = await http(first.body.next);
          expect(second.body.results.map(rowKey)).toEqual(all.body.results.slice(2, 4).map(rowKey));
          expect(new URL(second.body.previous).searchParams.get('offset')).toBeNull();
          expect(second.body.previous).not.toContain('page');
        } else expect(first.body.next).toBeNull();
        const beyond = await http(`${t.api}${c.path(fixture)}?limit=2&offset=${all.body.count + 5}`);
        expect({ status: beyond.status, results: beyond.body.results }).toEqual({ status: 200, results: [] });
      });

      it('pages by keyset (cursor) in every ordering, both ways: the same rows as one page, each once', async () => {
        const withQuery = (qs: string) =>
          `${t.api}${c.path(fixture)}${c.path(fixture).includes('?') ? '&' : '?'}${qs}`;
        for (const ordering of ['', ...Object.keys(c.spec.ordering).flatMap((n) => [n, `-${n}`])]) {
          const order = ordering ? `ordering=${ordering}&` : '';
          const all = await http(withQuery(`${order}page_size=1000`));
          const seen: string[] = [];
          let url: string | null = withQuery(`${order}cursor=&page_size=2`);
          let pages = 0;
          while (url && pages++ < 1000) {
            const page: {
              status: number;
              body: { count: number; next: string | null; previous: unknown; results: Row[] };
            } = await http(url);
            expect({ ordering, status: page.status }).toEqual({ ordering, status: 200 });
            expect(page.body.count).toBe(all.body.count);
            expect(page.body.previous).toBeNull();
            expect(page.body.results.length).toBeLessThanOrEqual(2);
            seen.push(...page.body.results.map(rowKey));
            url = page.body.next;
            if (url) expect(new URL(url).searchParams.get('cursor')).toMatch(/^[A-Za-z0-9_-]+$/);
          }
          expect({ ordering, keys: seen }).toEqual({ ordering, keys: all.body.results.map(rowKey) });
        }
      });
    });
  }
});

describe('keyset cursors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses cursors it did not hand out, cursors of another ordering and mixed paging styles (400)', async () => {
    const first = await http(`${t.api}/resource-types/?cursor=&page_size=1&ordering=name`);
    expect(first.status).toBe(200);
    const cursor = new URL(first.body.next).searchParams.get('cursor')!;
    const bad = [
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from('{"o":"name","k":[1]}').toString('base64url')}&ordering=name`, 'cursor'],
      [`cursor=${cursor}&ordering=-name`, 'cursor'],
      [`cursor=${cursor}`, 'cursor'],
      [`cursor=${cursor}&ordering=name&page=2`, 'page'],
      [`cursor=&offset=3`, 'offset'],
      [`cursor=&cursor=`, 'cursor'],
    ];
    for (const [qs, param] of bad) {
      const res = await http(`${t.api}/resource-types/?${qs}`);
      expect({ qs, status: res.status, named: Object.keys(res.body.errors ?? {}) }).toEqual({
        qs,
        status: 400,
        named: [param],
      });
    }
    // A forged value of the wrong type is a 400 too, never a 500.
    const forged = Buffer.from(JSON.stringify({ o: 'sort_order', k: ['not-a-number', 'x'] })).toString(
      'base64url',
    );
    expect((await http(`${t.api}/resource-types/?cursor=${forged}&ordering=sort_order`)).status).toBe(400);
  });
});
