import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory.js';
import { LocalTokenKeys } from '../src/auth/local-tokens.js';
import { SecretBox } from '../src/common/crypto/secret-box.js';
import { loadConfig } from '../src/config/config.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { runMigrations } from '../src/database/migrations.js';
import { measureWebUi, webUiReport } from './web-ui.section.js';
import { intEnv } from './bench-support.js';

/**
 * Read-API latency benchmark: fills a large inventory with set-based SQL, starts the
 * real application in-process and measures the main read paths over HTTP, then prints
 * EXPLAIN (ANALYZE, BUFFERS) of the exact SQL each endpoint ran. See bench/README.md.
 */

// ---------------------------------------------------------------------------- options

const RESOURCES = intEnv('BENCH_RESOURCES', 1_000_000, 1_000);
const SIGHTINGS = intEnv('BENCH_SIGHTINGS', 5_000_000, 1_000);
const REQUESTS = intEnv('BENCH_REQUESTS', 200, 1);
const WARMUP = intEnv('BENCH_WARMUP', 20, 0);
const KEEP = process.env.BENCH_KEEP === '1';
/** The Authorization header of every request; default: a local token of the superuser `bench`. */
const AUTH = process.env.BENCH_AUTH?.trim() || undefined;
/** The superuser the requests are made as (created in the benchmark database when missing). */
const BENCH_USER = 'bench';
const DATABASE = 'inventory_bench';
/** Sightings of the one "hot" resource whose history and sightings are measured. */
const HOT_SIGHTINGS = Math.min(100_000, SIGHTINGS);
/** Rows per INSERT … SELECT statement (each its own transaction). */
const RESOURCE_CHUNK = 25_000;
const SIGHTING_CHUNK = 100_000;
const PAGE_SIZE = 25;
const DEEP_PAGE = 1000;
const API = '/api/inventory/v1';
/** Bumped when the generated data changes shape, so BENCH_KEEP refills an old database. */
const DATA_VERSION = 1;

interface BenchMeta {
  dataVersion: number;
  resources: number;
  sightings: number;
  hotSightings: number;
  hotResourceId: string;
  filledAt: string;
}

// ---------------------------------------------------------------------------- helpers

const log = (message: string) => process.stderr.write(`${message}\n`);
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'inventory-bench' });
  await client.connect();
  return client;
}

/** Runs `insert(lo, hi)` over [0, total) in chunks, with a progress line on stderr. */
async function inChunks(
  label: string,
  total: number,
  chunk: number,
  insert: (lo: number, hi: number) => Promise<void>,
): Promise<number> {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  for (let lo = 0; lo < total; lo += chunk) {
    const hi = Math.min(total, lo + chunk);
    await insert(lo, hi);
    const elapsed = performance.now() - started;
    const line =
      `  ${label}: ${fmtInt(hi)} / ${fmtInt(total)} rows (${((100 * hi) / total).toFixed(0)}%), ` +
      `${fmtInt((hi * 1000) / elapsed)} rows/s, ${seconds(elapsed)}`;
    process.stderr.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
  }
  if (tty) process.stderr.write('\n');
  return performance.now() - started;
}

// ---------------------------------------------------------------------------- data shape

type Vendor = 'vmware' | 'aws' | 'kubernetes';
type Kind = 'vm' | 'host' | 'container' | 'storage' | 'network';

interface ProviderSpec {
  name: string;
  vendor: Vendor;
  providerType: string;
  infrastructure: string;
  endpoint: string;
  /** 0: the datacenter organization, 1: the cloud organization. */
  org: 0 | 1;
  /** Share of all resources, in 1/1000. */
  weight: number;
  regions: string[];
  tenant: string;
}

const ORGANIZATIONS = ['Bench Datacenter', 'Bench Cloud'];

const vc = (name: string, weight: number, dc: string): ProviderSpec => ({
  name,
  vendor: 'vmware',
  providerType: 'vcenter',
  infrastructure: 'private_cloud',
  endpoint: `https://${name}.corp.example.com/sdk`,
  org: 0,
  weight,
  regions: [dc],
  tenant: '',
});
const aws = (name: string, weight: number, account: string, regions: string[]): ProviderSpec => ({
  name,
  vendor: 'aws',
  providerType: 'ec2',
  infrastructure: 'public_cloud',
  endpoint: `https://ec2.${regions[0]}.amazonaws.com`,
  org: 1,
  weight,
  regions,
  tenant: account,
});
const k8s = (name: string, weight: number, org: 0 | 1, region: string): ProviderSpec => ({
  name,
  vendor: 'kubernetes',
  providerType: 'cluster',
  infrastructure: 'container',
  endpoint: `https://${name}.k8s.example.com:6443`,
  org,
  weight,
  regions: [region],
  tenant: '',
});

/** 20 providers of very different sizes; weights add up to 1000. */
const PROVIDERS: ProviderSpec[] = [
  vc('vcsa-fra-prod', 120, 'DC-Frankfurt'),
  vc('vcsa-ams-prod', 90, 'DC-Amsterdam'),
  vc('vcsa-fra-dev', 80, 'DC-Frankfurt'),
  vc('vcsa-lon-prod', 60, 'DC-London'),
  vc('vcsa-ams-dr', 50, 'DC-Amsterdam'),
  vc('vcsa-lon-test', 40, 'DC-London'),
  vc('vcsa-edge-01', 30, 'DC-Edge'),
  vc('vcsa-lab', 20, 'DC-Lab'),
  aws('aws-prod', 110, '210987654321', ['us-east-1', 'us-west-2', 'eu-west-1']),
  aws('aws-data', 80, '318273645501', ['us-east-1', 'eu-central-1']),
  aws('aws-web', 60, '409182736455', ['eu-west-1', 'eu-central-1']),
  aws('aws-staging', 50, '512093847566', ['us-west-2']),
  aws('aws-ml', 40, '623904857677', ['us-east-1', 'ap-southeast-2']),
  aws('aws-sandbox', 30, '734815968788', ['eu-west-1']),
  aws('aws-security', 20, '845726079899', ['us-east-1']),
  k8s('k8s-prod-fra', 40, 0, 'DC-Frankfurt'),
  k8s('k8s-prod-ams', 30, 0, 'DC-Amsterdam'),
  k8s('eks-web', 20, 1, 'eu-west-1'),
  k8s('eks-data', 15, 1, 'us-east-1'),
  k8s('k8s-edge', 15, 0, 'DC-Edge'),
];

interface TypeSpec {
  vendor: Vendor;
  slug: string;
  kind: Kind;
  /** Share of the vendor's resources, in 1/100. */
  weight: number;
  vendorType: string;
  /** Name prefix: `<prefix>-<number>-<role>`. */
  prefix: string;
  /** ems_ref prefix (vmware MOID style, AWS id style; kubernetes uses a uid). */
  ems: string;
}

const t = (
  vendor: Vendor,
  slug: string,
  kind: Kind,
  weight: number,
  vendorType: string,
  prefix: string,
  ems: string,
): TypeSpec => ({ vendor, slug, kind, weight, vendorType, prefix, ems });

/** Resource types per vendor (weights per vendor add up to 100); ~70% virtual machines overall. */
const TYPES: TypeSpec[] = [
  t('vmware', 'virtual_machine', 'vm', 80, 'VirtualMachine', 'vm', 'vm-'),
  t('vmware', 'hypervisor_host', 'host', 4, 'HostSystem', 'esx', 'host-'),
  t('vmware', 'block_storage', 'storage', 8, 'Datastore', 'ds', 'datastore-'),
  t('vmware', 'vpc', 'network', 3, 'NSX-T Segment', 'seg', 'segment-'),
  t('vmware', 'subnet', 'network', 2, 'NSX-T Subnet', 'net', 'subnet-'),
  t('vmware', 'security_group', 'network', 3, 'NSX-T Group', 'grp', 'group-'),
  t('aws', 'virtual_machine', 'vm', 74, 'AWS::EC2::Instance', 'vm', 'i-'),
  t('aws', 'block_storage', 'storage', 14, 'AWS::EC2::Volume', 'vol', 'vol-'),
  t('aws', 'vpc', 'network', 2, 'AWS::EC2::VPC', 'vpc', 'vpc-'),
  t('aws', 'subnet', 'network', 5, 'AWS::EC2::Subnet', 'subnet', 'subnet-'),
  t('aws', 'security_group', 'network', 5, 'AWS::EC2::SecurityGroup', 'sg', 'sg-'),
  t('kubernetes', 'virtual_machine', 'vm', 6, 'Node', 'node', ''),
  t('kubernetes', 'container', 'container', 84, 'Pod', 'pod', ''),
  t('kubernetes', 'block_storage', 'storage', 10, 'PersistentVolume', 'pv', ''),
];

// ---------------------------------------------------------------------------- fill

/**
 * One chunk of resources, n in [$1, $2). Every value is derived from n with
 * hashint8extended (deterministic: the same n always gives the same row), and the id
 * is md5('bench-id-' || n)::uuid so sightings can find a resource from n alone.
 * $3: width of the zero-padded number in names, $4: the anchor time ("now").
 */
const INSERT_RESOURCES = `
INSERT INTO resources (id, provider_id, organization_id, resource_type_id, vendor_type, name, ems_ref, canonical_id,
  vendor_identifiers, state, power_state, region, availability_zone, cloud_tenant, flavor, fqdn, ip_addresses,
  os_type, os_name, cpu_count, memory_mb, disk_gb, properties, provider_tags, boot_time, ems_created_on,
  first_discovered_at, last_seen_at, seen_count, removed_at, created, modified)
SELECT md5('bench-id-' || g.n)::uuid, pb.provider_id, pb.organization_id, tb.type_id, tb.vendor_type, w.name,
  e.ems_ref, e.canonical_id,
  CASE pb.vendor
    WHEN 'vmware' THEN jsonb_strip_nulls(jsonb_build_object('moid', e.ems_ref, 'bios_uuid', e.canonical_id))
    WHEN 'aws' THEN jsonb_build_object('arn', 'arn:aws:ec2:' || w.region || ':' || pb.tenant || ':' || e.ems_ref)
    ELSE jsonb_build_object('uid', e.ems_ref) END,
  s.state, s.power_state, w.region,
  CASE pb.vendor
    WHEN 'aws' THEN w.region || chr(97 + ((g.h6 / 8) % 3)::int)
    WHEN 'vmware' THEN 'Cluster-0' || (1 + (g.h6 / 8) % 4)
    ELSE w.region || '-zone-' || chr(97 + ((g.h6 / 8) % 3)::int) END,
  CASE pb.vendor WHEN 'aws' THEN pb.tenant WHEN 'kubernetes' THEN w.namespace ELSE '' END,
  CASE WHEN pb.vendor = 'aws' AND tb.kind = 'vm' THEN
    CASE s.cpu WHEN 1 THEN 't3.small' WHEN 2 THEN 't3.large' WHEN 4 THEN 'm6i.xlarge' WHEN 8 THEN 'm6i.2xlarge'
      WHEN 16 THEN 'm6i.4xlarge' ELSE 'm6i.8xlarge' END
  ELSE '' END,
  CASE WHEN tb.kind IN ('vm', 'host') THEN
    CASE pb.vendor
      WHEN 'vmware' THEN w.name || '.' || w.env || '.corp.example.com'
      WHEN 'aws' THEN 'ip-' || replace(w.ip, '.', '-') || '.ec2.internal'
      ELSE w.name || '.nodes.cluster.local' END
  ELSE '' END,
  CASE WHEN tb.kind IN ('vm', 'host', 'container') THEN ARRAY[w.ip] ELSE '{}'::text[] END,
  s.os_type,
  CASE s.os_type
    WHEN 'linux' THEN CASE WHEN tb.kind = 'container'
      THEN (ARRAY['Alpine Linux 3.20', 'Debian GNU/Linux 12', 'Red Hat UBI 9'])[1 + (g.h5 / 4) % 3]
      ELSE (ARRAY['Red Hat Enterprise Linux 9.4', 'Red Hat Enterprise Linux 8.10', 'Ubuntu 22.04 LTS',
                  'Ubuntu 24.04 LTS', 'Rocky Linux 9.4', 'Amazon Linux 2023'])[1 + (g.h5 / 4) % 6] END
    WHEN 'windows' THEN (ARRAY['Microsoft Windows Server 2022', 'Microsoft Windows Server 2019',
                               'Microsoft Windows Server 2016'])[1 + (g.h5 / 4) % 3]
    WHEN 'esxi' THEN 'VMware ESXi 8.0.2'
    ELSE '' END,
  s.cpu,
  CASE tb.kind
    WHEN 'vm' THEN s.cpu * (ARRAY[2048, 4096, 4096, 8192])[1 + (g.h4 / 16) % 4]
    WHEN 'host' THEN s.cpu * 8192
    WHEN 'container' THEN s.cpu * 512 END,
  CASE tb.kind
    WHEN 'vm' THEN (ARRAY[40, 60, 80, 100, 120, 200, 250, 500, 1000])[1 + (g.h4 / 64) % 9]
    WHEN 'host' THEN 960
    WHEN 'storage' THEN (ARRAY[10, 20, 50, 100, 200, 500, 1000, 2000, 4096, 8192])[1 + (g.h4 / 64) % 10]
    END::float8,
  CASE tb.kind
    WHEN 'vm' THEN jsonb_build_object('architecture', CASE WHEN g.h5 % 10 = 0 THEN 'arm64' ELSE 'x86_64' END,
      'boot_firmware', CASE WHEN g.h5 % 3 = 0 THEN 'bios' ELSE 'efi' END, 'folder', '/' || w.env || '/' || w.role)
    WHEN 'host' THEN jsonb_build_object('hardware_vendor', 'Dell Inc.', 'hardware_model', 'PowerEdge R750',
      'cpu_sockets', 2)
    WHEN 'container' THEN jsonb_build_object('image', 'registry.example.com/' || w.role || ':1.' || (g.h5 % 40),
      'restart_count', g.h5 % 4)
    WHEN 'storage' THEN jsonb_build_object('storage_type',
      CASE pb.vendor WHEN 'aws' THEN 'gp3' WHEN 'vmware' THEN 'vSAN' ELSE 'csi-rbd' END, 'thin', g.h5 % 2 = 0)
    ELSE jsonb_build_object('cidr', '10.' || (g.n % 256) || '.0.0/16', 'mtu', 1500) END,
  jsonb_build_object('env', w.env, 'team', 'team-' || (g.h7 / 40) % 12, 'app', w.role),
  CASE WHEN s.state = 'running' AND tb.kind IN ('vm', 'host') THEN tm.last_seen_at - (g.h4 % 90) * interval '1 day' END,
  tm.first_discovered_at - (g.h5 % 200) * interval '1 day',
  tm.first_discovered_at, tm.last_seen_at, 1 + g.h8 % 500,
  CASE WHEN s.state = 'terminated' AND g.h3 % 2 = 0 THEN tm.last_seen_at + interval '1 hour' END,
  tm.first_discovered_at, tm.last_seen_at
FROM (
  SELECT n,
    hashint8extended(n, 1) & 2147483647 AS h1, hashint8extended(n, 2) & 2147483647 AS h2,
    hashint8extended(n, 3) & 2147483647 AS h3, hashint8extended(n, 4) & 2147483647 AS h4,
    hashint8extended(n, 5) & 2147483647 AS h5, hashint8extended(n, 6) & 2147483647 AS h6,
    hashint8extended(n, 7) & 2147483647 AS h7, hashint8extended(n, 8) & 2147483647 AS h8
  FROM generate_series($1::bigint, $2::bigint - 1) AS n
) g
JOIN bench_provider_buckets pb ON pb.bucket = g.h1 % 1000
JOIN bench_type_buckets tb ON tb.vendor = pb.vendor AND tb.bucket = g.h2 % 100
CROSS JOIN LATERAL (
  SELECT tb.prefix || '-' || lpad(g.n::text, $3::int, '0') || '-' || r.role AS name, r.role,
    (ARRAY['prod', 'prod', 'prod', 'staging', 'dev'])[1 + (g.h7 / 8) % 5] AS env,
    (ARRAY['default', 'payments', 'web', 'data', 'monitoring', 'ci'])[1 + (g.h7 / 8) % 6] AS namespace,
    pb.regions[1 + g.h6 % cardinality(pb.regions)] AS region,
    '10.' || ((g.n >> 16) & 255) || '.' || ((g.n >> 8) & 255) || '.' || (g.n & 255) AS ip
  FROM (SELECT (ARRAY['web', 'db', 'app', 'cache', 'api', 'worker', 'batch', 'mq'])[1 + g.h7 % 8] AS role) r
) w
CROSS JOIN LATERAL (
  SELECT CASE pb.vendor
      WHEN 'vmware' THEN tb.ems || g.n
      WHEN 'aws' THEN tb.ems || lpad(to_hex((g.n * 2654435761) & 281474976710655), 17, '0')
      ELSE (SELECT substr(m, 1, 8) || '-' || substr(m, 9, 4) || '-' || substr(m, 13, 4) || '-' || substr(m, 17, 4)
                   || '-' || substr(m, 21, 12) FROM md5('bench-k8s-' || g.n) AS m) END AS ems_ref,
    CASE WHEN tb.kind IN ('vm', 'host') AND pb.vendor <> 'kubernetes' THEN
      (SELECT CASE pb.vendor WHEN 'aws' THEN 'ec2' || substr(m, 4, 5) ELSE substr(m, 1, 8) END
              || '-' || substr(m, 9, 4) || '-' || substr(m, 13, 4) || '-' || substr(m, 17, 4) || '-' || substr(m, 21, 12)
       FROM md5('bench-' || g.n) AS m) END AS canonical_id
) e
CROSS JOIN LATERAL (
  SELECT st.state, st.cpu,
    CASE WHEN tb.kind NOT IN ('vm', 'host', 'container') THEN NULL
         WHEN st.state IN ('running', 'maintenance') THEN 'poweredOn'
         WHEN st.state = 'suspended' THEN 'suspended'
         WHEN st.state = 'pending' THEN 'unknown'
         ELSE 'poweredOff' END AS power_state,
    CASE tb.kind
      WHEN 'vm' THEN CASE WHEN g.h5 % 4 = 0 AND pb.vendor <> 'kubernetes' THEN 'windows' ELSE 'linux' END
      WHEN 'host' THEN CASE pb.vendor WHEN 'vmware' THEN 'esxi' ELSE 'linux' END
      WHEN 'container' THEN 'linux'
      ELSE '' END AS os_type
  FROM (SELECT
      CASE tb.kind
        WHEN 'vm' THEN CASE WHEN g.h3 % 100 < 80 THEN 'running' WHEN g.h3 % 100 < 92 THEN 'stopped'
          WHEN g.h3 % 100 < 96 THEN 'suspended' WHEN g.h3 % 100 < 99 THEN 'terminated' ELSE 'template' END
        WHEN 'container' THEN CASE WHEN g.h3 % 100 < 90 THEN 'running' WHEN g.h3 % 100 < 96 THEN 'terminated'
          WHEN g.h3 % 100 < 98 THEN 'pending' ELSE 'error' END
        WHEN 'host' THEN CASE WHEN g.h3 % 100 < 95 THEN 'running' ELSE 'maintenance' END
        WHEN 'storage' THEN CASE WHEN g.h3 % 100 < 97 THEN 'available' ELSE 'error' END
        ELSE 'available' END AS state,
      CASE tb.kind
        WHEN 'vm' THEN (ARRAY[1, 2, 2, 2, 4, 4, 4, 4, 8, 8, 8, 16, 16, 32])[1 + g.h4 % 14]
        WHEN 'host' THEN (ARRAY[32, 48, 64, 96, 128])[1 + g.h4 % 5]
        WHEN 'container' THEN (ARRAY[1, 1, 2, 2, 4])[1 + g.h4 % 5] END AS cpu) st
) s
CROSS JOIN LATERAL (
  SELECT first_discovered_at,
    CASE WHEN s.state = 'terminated' THEN $4::timestamptz - (3600 + g.h8 % 2592000) * interval '1 second'
         ELSE $4::timestamptz - (g.h8 % 3600) * interval '1 second' END AS last_seen_at
  FROM (SELECT $4::timestamptz - (2592000 + g.h8 % 28944000) * interval '1 second' AS first_discovered_at) f
) tm`;

/**
 * One chunk of sightings, i in [$1, $2). Every $3-th i (the first $4 of them) is a
 * sighting of the hot resource (n = $5, one every 5 minutes, with a few state and
 * sizing changes; pushed, so no collection run); the others go round-robin over the
 * other resources, one round per daily collection run ($6 resources, $7 rounds), and
 * copy the resource's current values. $8: the anchor time.
 */
const INSERT_SIGHTINGS = `
INSERT INTO resource_sightings (resource_id, provider_id, organization_id, collection_run_id, seen_at, state,
  power_state, cpu_count, memory_mb, disk_gb, metrics, created)
SELECT r.id, r.provider_id, r.organization_id,
  CASE WHEN g.hot THEN NULL ELSE md5('bench-run-' || r.provider_id || '-' || g.round)::uuid END,
  g.seen_at,
  CASE WHEN NOT g.hot THEN r.state WHEN (g.k / 288) % 20 = 7 THEN 'stopped' ELSE 'running' END,
  CASE WHEN NOT g.hot THEN r.power_state WHEN (g.k / 288) % 20 = 7 THEN 'poweredOff' ELSE 'poweredOn' END,
  CASE WHEN NOT g.hot THEN r.cpu_count WHEN g.k < $4::bigint / 2 THEN 4 ELSE 8 END,
  CASE WHEN NOT g.hot THEN r.memory_mb WHEN g.k < $4::bigint / 2 THEN 16384 ELSE 32768 END,
  CASE WHEN NOT g.hot THEN r.disk_gb ELSE 100 + (g.k / 1000) END,
  '{}'::jsonb, g.seen_at
FROM (
  SELECT h.hot, h.k, h.round,
    CASE WHEN h.hot THEN $5::bigint
         WHEN i % $6::bigint = $5::bigint THEN ($5::bigint + 1) % $6::bigint
         ELSE i % $6::bigint END AS n,
    CASE WHEN h.hot THEN $8::timestamptz - ($4::bigint - h.k) * interval '5 minutes'
         ELSE $8::timestamptz - ($7::bigint - h.round) * interval '1 day'
              + ((i % $6::bigint) * 86400.0 / $6::bigint) * interval '1 second' END AS seen_at
  FROM generate_series($1::bigint, $2::bigint - 1) AS i
  CROSS JOIN LATERAL (
    SELECT i % $3::bigint = 0 AND i / $3::bigint < $4::bigint AS hot, i / $3::bigint AS k, i / $6::bigint AS round
  ) h
) g
JOIN resources r ON r.id = md5('bench-id-' || g.n)::uuid`;

async function fill(url: string): Promise<BenchMeta> {
  const db = await connect(url);
  const anchor = new Date();
  const timings: [string, number][] = [];
  try {
    await db.query(`SET synchronous_commit TO off`);
    await db.query(`SET maintenance_work_mem TO '512MB'`);
    await db.query(`SET work_mem TO '64MB'`);

    let started = performance.now();
    const orgs = await db.query<{ id: number; name: string }>(
      `INSERT INTO organizations (name, description) SELECT name, 'Benchmark data' FROM unnest($1::text[]) AS name
       RETURNING id, name`,
      [ORGANIZATIONS],
    );
    const orgId = (index: 0 | 1) => orgs.rows.find((o) => o.name === ORGANIZATIONS[index])!.id;
    const rounds = Math.max(1, Math.ceil(SIGHTINGS / RESOURCES));
    await db.query(
      `INSERT INTO providers (name, organization_id, vendor, provider_type, infrastructure, endpoint, enabled,
         last_collection_at, created, modified)
       SELECT p.name, p.org, p.vendor, p.type, p.infra, p.endpoint, true, $2::timestamptz,
         $2::timestamptz - interval '400 days', $2::timestamptz
       FROM jsonb_to_recordset($1::jsonb) AS p(name text, org int, vendor text, type text, infra text, endpoint text)`,
      [
        JSON.stringify(
          PROVIDERS.map((p) => ({
            name: p.name,
            org: orgId(p.org),
            vendor: p.vendor,
            type: p.providerType,
            infra: p.infrastructure,
            endpoint: p.endpoint,
          })),
        ),
        anchor,
      ],
    );
    // One completed daily run per provider and round; sightings of a round point at it.
    await db.query(
      `INSERT INTO collection_runs (id, provider_id, status, collection_type, triggered_by, started_at, completed_at,
         duration_seconds, created, modified)
       SELECT md5('bench-run-' || p.id || '-' || rd)::uuid, p.id, 'completed', 'full', 'schedule',
         $1::timestamptz - ($2::int - rd) * interval '1 day',
         $1::timestamptz - ($2::int - rd) * interval '1 day' + interval '23 hours', 82800,
         $1::timestamptz - ($2::int - rd) * interval '1 day', $1::timestamptz - ($2::int - rd) * interval '1 day'
       FROM providers p CROSS JOIN generate_series(0, $2::int - 1) AS rd`,
      [anchor, rounds],
    );
    // Lookup tables for the set-based inserts: hash bucket -> provider, (vendor, bucket) -> type.
    await db.query(
      `CREATE TEMP TABLE bench_provider_buckets (bucket int PRIMARY KEY, provider_id uuid NOT NULL,
         organization_id int NOT NULL, vendor text NOT NULL, regions text[] NOT NULL, tenant text NOT NULL)`,
    );
    await db.query(
      `INSERT INTO bench_provider_buckets
       SELECT b.bucket, p.id, p.organization_id, p.vendor, s.regions, s.tenant
       FROM jsonb_to_recordset($1::jsonb) AS s(name text, lo int, hi int, regions text[], tenant text)
       JOIN providers p ON p.name = s.name
       CROSS JOIN LATERAL generate_series(s.lo, s.hi - 1) AS b(bucket)`,
      [
        JSON.stringify(
          bucketRanges(PROVIDERS, 1000, (p) => ({ name: p.name, regions: p.regions, tenant: p.tenant })),
        ),
      ],
    );
    await db.query(
      `CREATE TEMP TABLE bench_type_buckets (vendor text, bucket int, type_id uuid NOT NULL, kind text NOT NULL,
         vendor_type text NOT NULL, prefix text NOT NULL, ems text NOT NULL, PRIMARY KEY (vendor, bucket))`,
    );
    for (const vendor of ['vmware', 'aws', 'kubernetes'] as const) {
      const types = TYPES.filter((x) => x.vendor === vendor);
      await db.query(
        `INSERT INTO bench_type_buckets
         SELECT $2, b.bucket, rt.id, s.kind, s.vendor_type, s.prefix, s.ems
         FROM jsonb_to_recordset($1::jsonb) AS s(slug text, kind text, vendor_type text, prefix text, ems text, lo int, hi int)
         JOIN resource_types rt ON rt.slug = s.slug
         CROSS JOIN LATERAL generate_series(s.lo, s.hi - 1) AS b(bucket)`,
        [
          JSON.stringify(
            bucketRanges(types, 100, (x) => ({
              slug: x.slug,
              kind: x.kind,
              vendor_type: x.vendorType,
              prefix: x.prefix,
              ems: x.ems,
            })),
          ),
          vendor,
        ],
      );
    }
    const typeRows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM bench_type_buckets`);
    if (Number(typeRows.rows[0].n) !== 300) {
      throw new Error('A resource type slug used by the benchmark is missing from resource_types.');
    }
    await db.query(`ANALYZE bench_provider_buckets`);
    await db.query(`ANALYZE bench_type_buckets`);
    timings.push(['organizations, providers, runs', performance.now() - started]);

    const width = Math.max(6, String(RESOURCES - 1).length);
    timings.push([
      `resources (${fmtInt(RESOURCES)})`,
      await inChunks('resources', RESOURCES, RESOURCE_CHUNK, async (lo, hi) => {
        await db.query(INSERT_RESOURCES, [lo, hi, width, anchor]);
      }),
    ]);

    // The hot resource: the first running virtual machine (deterministic for a given size).
    const hot = await db.query<{ n: string; id: string }>(
      `SELECT n, r.id FROM generate_series(0, $1::bigint - 1) AS n
       JOIN resources r ON r.id = md5('bench-id-' || n)::uuid
       JOIN resource_types t ON t.id = r.resource_type_id
       WHERE t.slug = 'virtual_machine' AND r.state = 'running' ORDER BY n LIMIT 1`,
      [Math.min(RESOURCES, 10_000)],
    );
    if (!hot.rows[0]) throw new Error('No running virtual machine to use as the hot resource.');
    const hotN = Number(hot.rows[0].n);
    const hotResourceId = hot.rows[0].id;
    const step = Math.floor(SIGHTINGS / HOT_SIGHTINGS);

    timings.push([
      `sightings (${fmtInt(SIGHTINGS)})`,
      await inChunks('sightings', SIGHTINGS, SIGHTING_CHUNK, async (lo, hi) => {
        await db.query(INSERT_SIGHTINGS, [lo, hi, step, HOT_SIGHTINGS, hotN, RESOURCES, rounds, anchor]);
      }),
    ]);
    await db.query(
      `UPDATE resources r SET first_discovered_at = s.first_at, created = s.first_at, last_seen_at = s.last_at,
         seen_count = s.total
       FROM (SELECT min(seen_at) AS first_at, max(seen_at) AS last_at, count(*)::int AS total
             FROM resource_sightings WHERE resource_id = $1) s
       WHERE r.id = $1`,
      [hotResourceId],
    );

    started = performance.now();
    log('  VACUUM ANALYZE …');
    for (const table of [
      'organizations',
      'providers',
      'collection_runs',
      'resource_categories',
      'resource_types',
      'resources',
      'resource_sightings',
    ]) {
      await db.query(`VACUUM (ANALYZE) ${table}`);
    }
    timings.push(['VACUUM ANALYZE', performance.now() - started]);

    const hotCount = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM resource_sightings WHERE resource_id = $1`,
      [hotResourceId],
    );
    if (hotCount.rows[0].n !== HOT_SIGHTINGS) {
      throw new Error(`The hot resource has ${hotCount.rows[0].n} sightings, expected ${HOT_SIGHTINGS}.`);
    }
    const meta: BenchMeta = {
      dataVersion: DATA_VERSION,
      resources: RESOURCES,
      sightings: SIGHTINGS,
      hotSightings: HOT_SIGHTINGS,
      hotResourceId,
      filledAt: anchor.toISOString(),
    };
    // Written last: a database without it is incomplete and never reused.
    await db.query(`COMMENT ON DATABASE ${DATABASE} IS ${db.escapeLiteral(JSON.stringify(meta))}`);
    log('Fill timings:');
    for (const [what, ms] of timings) log(`  ${what.padEnd(34)} ${seconds(ms)}`);
    log(`  ${'total'.padEnd(34)} ${seconds(timings.reduce((sum, [, ms]) => sum + ms, 0))}`);
    return meta;
  } finally {
    await db.end();
  }
}

/** Splits [0, total) into consecutive ranges proportional to each item's weight. */
function bucketRanges<T extends { weight: number }, R>(
  items: T[],
  total: number,
  pick: (item: T) => R,
): (R & { lo: number; hi: number })[] {
  const sum = items.reduce((s, x) => s + x.weight, 0);
  if (sum !== total) throw new Error(`weights add up to ${sum}, expected ${total}`);
  let lo = 0;
  return items.map((item) => {
    const range = { ...pick(item), lo, hi: lo + item.weight };
    lo += item.weight;
    return range;
  });
}

// ---------------------------------------------------------------------------- database

/** Creates (or, with BENCH_KEEP=1, reuses) the filled benchmark database; returns its metadata. */
async function prepareDatabase(adminUrl: string, benchUrl: string): Promise<BenchMeta> {
  const admin = await connect(adminUrl);
  try {
    if (KEEP) {
      const found = await admin.query<{ comment: string | null }>(
        `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
        [DATABASE],
      );
      const reusable = await reusableMeta(found.rows[0]?.comment ?? null, benchUrl, found.rowCount === 1);
      if (reusable) {
        log(`Reusing ${DATABASE} (filled ${reusable.filledAt}); applying pending migrations`);
        await runMigrations(benchUrl, log);
        return reusable;
      }
    }
    log(`Creating database ${DATABASE}`);
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const started = performance.now();
  await runMigrations(benchUrl, (m) => log(`  ${m}`));
  log(`  migrations: ${seconds(performance.now() - started)}`);
  log(
    `Filling ${DATABASE}: ${fmtInt(RESOURCES)} resources, ${fmtInt(SIGHTINGS)} sightings ` +
      `(${fmtInt(HOT_SIGHTINGS)} of them for one resource)`,
  );
  return fill(benchUrl);
}

async function reusableMeta(
  comment: string | null,
  benchUrl: string,
  exists: boolean,
): Promise<BenchMeta | null> {
  if (!exists) {
    log(`BENCH_KEEP=1: ${DATABASE} does not exist yet; filling it`);
    return null;
  }
  let meta: BenchMeta | null;
  try {
    meta = comment ? (JSON.parse(comment) as BenchMeta) : null;
  } catch {
    meta = null;
  }
  if (
    !meta ||
    meta.dataVersion !== DATA_VERSION ||
    meta.resources !== RESOURCES ||
    meta.sightings !== SIGHTINGS ||
    meta.hotSightings !== HOT_SIGHTINGS
  ) {
    log(`BENCH_KEEP=1: ${DATABASE} is incomplete or was filled with other sizes; refilling it`);
    return null;
  }
  const db = await connect(benchUrl);
  try {
    const counts = await db.query<{ resources: number; sightings: number }>(
      `SELECT (SELECT count(*)::int FROM resources) AS resources, (SELECT count(*)::int FROM resource_sightings) AS sightings`,
    );
    const { resources, sightings } = counts.rows[0];
    if (resources !== RESOURCES || sightings !== SIGHTINGS) {
      log(`BENCH_KEEP=1: ${DATABASE} holds ${resources} resources / ${sightings} sightings; refilling it`);
      return null;
    }
  } finally {
    await db.end();
  }
  return meta;
}

// ---------------------------------------------------------------------------- measuring

interface Scenario {
  key: string;
  title: string;
  /** p95 goal in ms, if any. */
  goal?: number;
  /** Paths (below the API prefix) used in turn: the first WARMUP for warming up, then the measured ones. */
  paths: string[];
}

interface Result {
  scenario: Scenario;
  samples: number[];
  /** `count` of list answers (how many rows matched), for a sanity check. */
  counts: number[];
  example: string;
  statements: { sql: string; params: unknown[] }[];
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

let authorization = AUTH ?? '';

async function get(root: string, path: string, scenario: string): Promise<{ ms: number; body: unknown }> {
  const started = performance.now();
  const response = await fetch(`${root}${API}${path}`, { headers: { authorization } });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) {
    const hint =
      response.status === 401 || response.status === 403
        ? ' The API refused the credentials: check BENCH_AUTH (an Authorization header value) or the bench user.'
        : '';
    throw new Error(
      `Scenario "${scenario}": GET ${API}${path} answered HTTP ${response.status} (expected 200): ${text.slice(0, 500)}.${hint}`,
    );
  }
  return { ms, body: JSON.parse(text) as unknown };
}

/** Records the SQL the application sends through its DataSource while `capture` is on. */
function sqlRecorder(app: NestFastifyApplication) {
  const dataSource = app.get(DataSource);
  const original = dataSource.query.bind(dataSource);
  let recording: { sql: string; params: unknown[] }[] | null = null;
  dataSource.query = ((sql: string, parameters?: unknown[], runner?: never) => {
    recording?.push({ sql, params: parameters ?? [] });
    return original(sql, parameters, runner);
  }) as DataSource['query'];
  return {
    async capture(run: () => Promise<unknown>) {
      const statements: { sql: string; params: unknown[] }[] = [];
      recording = statements;
      try {
        await run();
      } finally {
        recording = null;
      }
      return statements;
    },
    restore() {
      dataSource.query = original;
    },
  };
}

async function measure(
  root: string,
  scenario: Scenario,
  recorder: ReturnType<typeof sqlRecorder>,
): Promise<Result> {
  const pathAt = (i: number) => scenario.paths[i % scenario.paths.length];
  for (let i = 0; i < WARMUP; i++) await get(root, pathAt(i), scenario.title);
  const samples: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const { ms, body } = await get(root, pathAt(WARMUP + i), scenario.title);
    samples.push(ms);
    const count = (body as { count?: unknown }).count;
    if (typeof count === 'number') counts.push(count);
  }
  // One more request (not timed) of the first measured path, to record the SQL it runs.
  const example = pathAt(WARMUP);
  const statements = await recorder.capture(() => get(root, example, scenario.title));
  const sorted = [...samples].sort((a, b) => a - b);
  log(
    `  ${scenario.key.padEnd(18)} p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, ` +
      `p95 ${percentile(sorted, 95).toFixed(1)} ms`,
  );
  return { scenario, samples, counts, example, statements };
}

/**
 * The whole inventory as CSV, read as a client would (chunks consumed as they arrive),
 * with the process's RSS sampled every 100 ms: the export must stream in constant memory.
 */
async function measureExport(
  root: string,
): Promise<{ rows: number; bytes: number; ms: number; rssBeforeMb: number; rssPeakMb: number }> {
  log('Export: every resource as CSV');
  const mb = (bytes: number) => Math.round(bytes / 1024 ** 2);
  const rssBeforeMb = mb(process.memoryUsage().rss);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const started = performance.now();
  let bytes = 0;
  let rows = -1; // the header line
  try {
    const response = await fetch(`${root}${API}/resources/?format=csv`, { headers: { authorization } });
    if (response.status !== 200 || !response.body) throw new Error(`Export answered HTTP ${response.status}`);
    const reader = response.body.getReader();
    let lastLog = started;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      for (const byte of value) if (byte === 10) rows++;
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(`  ${fmtInt(rows)} rows, ${mb(bytes)} MB, RSS ${mb(process.memoryUsage().rss)} MB`);
      }
    }
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  log(`  export: ${fmtInt(rows)} rows in ${seconds(ms)}, peak RSS ${mb(peak)} MB`);
  return { rows, bytes, ms, rssBeforeMb, rssPeakMb: mb(peak) };
}

/**
 * GET /ansible-inventory/ as Ansible's inventory plugin calls it (issue #15: 100,000 hosts
 * in ≤ 5 s, streamed): the whole inventory when it holds at most 200,000 resources,
 * else the provider with the most resources; grouped by provider, resource type and
 * cluster. Counts the hosts in the stream (one `"inventory_id"` host variable each)
 * without parsing the answer, and samples the service process's RSS.
 */
async function measureAnsibleInventory(
  root: string,
  fixtures: Fixtures,
): Promise<{
  query: string;
  hosts: number;
  bytes: number;
  firstByteMs: number;
  ms: number;
  rssPeakMb: number;
}> {
  const total = fixtures.providers.reduce((sum, p) => sum + p.resources, 0);
  const biggest = [...fixtures.providers].sort((a, b) => b.resources - a.resources)[0];
  const scope = total <= 200_000 ? '' : `provider=${biggest.id}&`;
  const query = `/ansible-inventory/?${scope}group_by=provider&group_by=resource_type&group_by=cluster`;
  log(`Ansible inventory: GET ${API}${query}`);
  const mb = (bytes: number) => Math.round(bytes / 1024 ** 2);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const marker = Buffer.from('"inventory_id"');
  const started = performance.now();
  let firstByteMs = 0;
  let bytes = 0;
  let hosts = 0;
  let tail = Buffer.alloc(0);
  try {
    const response = await fetch(`${root}${API}${query}`, { headers: { authorization } });
    if (response.status !== 200 || !response.body)
      throw new Error(`Ansible inventory answered HTTP ${response.status}`);
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (bytes === 0) firstByteMs = performance.now() - started;
      bytes += value.byteLength;
      // The marker may straddle two chunks: search the end of the last one too.
      const window = Buffer.concat([tail, Buffer.from(value.buffer, value.byteOffset, value.byteLength)]);
      for (let at = window.indexOf(marker); at >= 0; at = window.indexOf(marker, at + marker.length)) hosts++;
      tail = window.subarray(Math.max(0, window.length - (marker.length - 1)));
    }
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  log(`  ${fmtInt(hosts)} hosts, ${mb(bytes)} MB in ${seconds(ms)} (first byte ${seconds(firstByteMs)})`);
  return { query, hosts, bytes, firstByteMs, ms, rssPeakMb: mb(peak) };
}

interface Fixtures {
  providers: { id: string; name: string; resources: number; running: number }[];
  samples: { name: string; canonical_id: string | null }[];
}

async function loadFixtures(benchUrl: string): Promise<Fixtures & { userId: number }> {
  const db = await connect(benchUrl);
  try {
    // Requests are made as a superuser: RBAC adds no scope condition to its queries.
    const user = await db.query<{ id: number }>(
      `INSERT INTO users (username, is_superuser, is_active, first_name, last_name)
       VALUES ($1, true, true, 'Read API', 'Benchmark')
       ON CONFLICT (username) DO UPDATE SET is_superuser = true, is_active = true RETURNING id`,
      [BENCH_USER],
    );
    const providers = await db.query<{ id: string; name: string; resources: number; running: number }>(
      `SELECT p.id, p.name, count(r.id)::int AS resources, count(r.id) FILTER (WHERE r.state = 'running')::int AS running
       FROM providers p LEFT JOIN resources r ON r.provider_id = p.id
       GROUP BY p.id, p.name ORDER BY p.name`,
    );
    // Resources to search for: a deterministic but spread-out sample (ids are md5 hashes).
    const samples = await db.query<{ name: string; canonical_id: string | null }>(
      `SELECT name, canonical_id FROM resources WHERE id >= '80000000-0000-0000-0000-000000000000'
       ORDER BY id LIMIT $1`,
      [2 * (WARMUP + REQUESTS)],
    );
    return { providers: providers.rows, samples: samples.rows, userId: user.rows[0].id };
  } finally {
    await db.end();
  }
}

/**
 * Search terms that each match a handful of rows: name fragments such as "000123-w"
 * (one resource) or "00123-we" (up to ten), and 8 hex characters of a canonical_id.
 */
function searchTerms(samples: Fixtures['samples']): { names: string[]; canonical: string[] } {
  const wanted = WARMUP + REQUESTS;
  const names = samples.slice(0, wanted).map((row, i) => {
    const [, num, role] = row.name.split('-');
    return i % 2 === 1 ? `${num.slice(1)}-${role.slice(0, 2)}` : `${num}-${role.slice(0, 1)}`;
  });
  const canonical = samples
    .filter((row) => row.canonical_id !== null)
    .slice(0, wanted)
    .map((row) => row.canonical_id!.slice(24, 32));
  return { names, canonical };
}

function buildScenarios(fixtures: Fixtures, meta: BenchMeta): { scenarios: Scenario[]; notes: string[] } {
  const notes: string[] = [];
  const q = encodeURIComponent;
  const providers = fixtures.providers.filter((p) => p.resources > 0);
  const deep = providers.filter((p) => p.resources > DEEP_PAGE * PAGE_SIZE);
  let deepPaths: string[];
  if (deep.length > 0) {
    deepPaths = deep.map((p) => `/resources/?provider=${p.id}&page=${DEEP_PAGE}`);
  } else {
    const biggest = [...providers].sort((a, b) => b.resources - a.resources)[0];
    const lastPage = Math.max(1, Math.ceil(biggest.resources / PAGE_SIZE));
    deepPaths = [`/resources/?provider=${biggest.id}&page=${lastPage}`];
    notes.push(
      `No provider has more than ${DEEP_PAGE * PAGE_SIZE} resources: the provider deep page is ${lastPage}.`,
    );
  }
  const unfilteredPage = Math.min(DEEP_PAGE, Math.max(1, Math.ceil(meta.resources / PAGE_SIZE)));
  if (unfilteredPage !== DEEP_PAGE) notes.push(`The unfiltered deep page is ${unfilteredPage}.`);
  const terms = searchTerms(fixtures.samples);
  return {
    notes,
    scenarios: [
      {
        key: 'filtered_list',
        title: 'filtered list: provider + state=running, page 1 (25 rows)',
        goal: 50,
        paths: providers.map((p) => `/resources/?provider=${p.id}&state=running`),
      },
      {
        key: 'search_name',
        title: 'search: name fragment (e.g. 000123-w)',
        goal: 150,
        paths: terms.names.map((x) => `/resources/?search=${q(x)}`),
      },
      {
        key: 'search_canonical',
        title: 'search: canonical_id fragment (8 hex)',
        goal: 150,
        paths: terms.canonical.map((x) => `/resources/?search=${q(x)}`),
      },
      {
        key: 'deep_page_provider',
        title: `provider list, page ${DEEP_PAGE}`,
        paths: deepPaths,
      },
      {
        key: 'deep_page_all',
        title: `unfiltered list, page ${unfilteredPage}`,
        paths: [`/resources/?page=${unfilteredPage}`],
      },
      {
        key: 'history',
        title: `history of a resource with ${fmtInt(meta.hotSightings)} sightings`,
        goal: 50,
        paths: [`/resources/${meta.hotResourceId}/history/`],
      },
      {
        key: 'sightings',
        title: "that resource's sightings, page 1",
        paths: [`/resources/${meta.hotResourceId}/sightings/`],
      },
      {
        key: 'summary_type',
        title: 'dashboard summary: resources by resource type (all resources)',
        goal: 150,
        paths: ['/resources/summary/?group_by=resource_type'],
      },
      {
        key: 'summary_prov_state',
        title: 'dashboard summary: resources by provider and state',
        goal: 150,
        paths: ['/resources/summary/?group_by=provider&group_by=state'],
      },
      {
        key: 'summary_tag_filter',
        title: 'dashboard summary: running resources by tag env',
        goal: 150,
        paths: ['/resources/summary/?group_by=tag:env&state=running'],
      },
    ],
  };
}

// ---------------------------------------------------------------------------- reporting

function resultsTable(results: Result[]): string {
  const header = '| scenario | requests | p50 ms | p95 ms | p99 ms | max ms | goal (p95) | rows matched |';
  const rule = '|---|---:|---:|---:|---:|---:|---|---|';
  const rows = results.map(({ scenario, samples, counts }) => {
    const sorted = [...samples].sort((a, b) => a - b);
    const p95 = percentile(sorted, 95);
    const goal =
      scenario.goal === undefined ? '—' : `≤ ${scenario.goal} ${p95 <= scenario.goal ? 'met' : '**MISSED**'}`;
    const c = [...counts].sort((a, b) => a - b);
    const matched =
      c.length === 0
        ? '—'
        : c[0] === c[c.length - 1]
          ? fmtInt(c[0])
          : `${fmtInt(c[0])}–${fmtInt(c[c.length - 1])} (median ${fmtInt(c[Math.floor(c.length / 2)])})`;
    const cell = (v: number) => v.toFixed(1);
    return `| ${scenario.key} | ${samples.length} | ${cell(percentile(sorted, 50))} | ${cell(p95)} | ${cell(percentile(sorted, 99))} | ${cell(sorted[sorted.length - 1])} | ${goal} | ${matched} |`;
  });
  return [header, rule, ...rows].join('\n');
}

async function explainAll(benchUrl: string, results: Result[]): Promise<void> {
  const db = await connect(benchUrl);
  try {
    for (const { scenario, example, statements } of results) {
      console.log(`\n### ${scenario.key}: ${scenario.title}`);
      console.log(`GET ${API}${example}`);
      if (statements.length === 0) {
        console.log('(no SQL recorded: the endpoint did not query through the DataSource)');
        continue;
      }
      for (const [index, { sql, params }] of statements.entries()) {
        const flat = sql.replace(/\s+/g, ' ').trim();
        console.log(`\n-- statement ${index + 1}/${statements.length}: ${flat}`);
        console.log(`-- params: ${JSON.stringify(params)}`);
        if (/^\s*SET\s/i.test(sql)) {
          // A transaction-local setting the endpoint made (no plan): apply it to the session,
          // so the statements after it are explained as they ran.
          await db.query(sql.replace(/^\s*SET\s+LOCAL\s/i, 'SET '));
          continue;
        }
        if (/^\s*(BEGIN|START|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i.test(sql)) continue;
        const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        console.log(plan.rows.map((row) => row['QUERY PLAN']).join('\n'));
      }
      await db.query('RESET ALL');
    }
  } finally {
    await db.end();
  }
}

// ---------------------------------------------------------------------------- main

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      await fn().catch((error: unknown) => log(`cleanup: ${String(error)}`));
    }
  })();
  return cleaning;
}

async function main(): Promise<void> {
  const started = performance.now();
  let adminUrl = process.env.BENCH_DATABASE_URL?.trim();
  if (!adminUrl) {
    const dataDir = resolve('.data-bench');
    await mkdir(dataDir, { recursive: true, mode: 0o755 });
    await chmod(dataDir, 0o755);
    const cluster = await startEmbeddedPostgres({ dataDir, database: 'postgres', log, drainSeconds: 2 });
    cleanups.push(() => cluster.stop());
    adminUrl = cluster.url;
  }
  const benchUrl = withDatabase(adminUrl, DATABASE);
  log(`Database: ${redact(benchUrl)}`);
  const meta = await prepareDatabase(adminUrl, benchUrl);

  const fixtures = await loadFixtures(benchUrl);
  const { scenarios, notes } = buildScenarios(fixtures, meta);

  // An in-memory key pair: nothing is written to a data folder.
  const localTokenKeys = LocalTokenKeys.ephemeral();
  const app = await createApp({
    config: loadConfig({ DATABASE_URL: benchUrl, LOG_LEVEL: 'error' }),
    databaseUrl: benchUrl,
    secretBox: new SecretBox(randomBytes(32)),
    localTokenKeys,
    logger: false,
  });
  cleanups.push(() => app.close());
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const root = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const recorder = sqlRecorder(app);
  if (!AUTH) {
    authorization = `Bearer ${await localTokenKeys.sign({ userId: fixtures.userId, username: BENCH_USER }, 24 * 3600)}`;
  }

  log(`Measuring: ${WARMUP} warm-up + ${REQUESTS} sequential requests per scenario against ${root}`);
  const loadBefore = loadavg()[0];
  const results: Result[] = [];
  for (const scenario of scenarios) results.push(await measure(root, scenario, recorder));
  recorder.restore();
  const exported = await measureExport(root);
  const inventory = await measureAnsibleInventory(root, fixtures);
  const webUi = await measureWebUi(root, authorization, meta.hotResourceId, log);
  const loadAfter = loadavg()[0];

  const db = await connect(benchUrl);
  const server = await db.query<{ version: string; resources: number; sightings: number }>(
    `SELECT current_setting('server_version') AS version,
       (SELECT count(*)::int FROM resources) AS resources, (SELECT count(*)::int FROM resource_sightings) AS sightings`,
  );
  await db.end();
  const { version, resources, sightings } = server.rows[0];

  console.log(`\n## Read API benchmark — ${new Date().toISOString()}`);
  console.log(
    `Machine: ${availableParallelism()} cores, Node ${process.versions.node}, PostgreSQL ${version}. ` +
      `Data: ${fmtInt(resources)} resources, ${fmtInt(sightings)} sightings (${fmtInt(meta.hotSightings)} for ` +
      `resource ${meta.hotResourceId}), ${fixtures.providers.length} providers. ` +
      `${REQUESTS} sequential requests per scenario after ${WARMUP} warm-up; latency is the whole HTTP round trip. ` +
      `1-minute load average: ${loadBefore.toFixed(2)} before measuring, ${loadAfter.toFixed(2)} after ` +
      `(this includes the benchmark's own work; well above 2 means something else was competing for the CPU).`,
  );
  for (const note of notes) console.log(`Note: ${note}`);
  console.log('');
  console.log(resultsTable(results));
  console.log(
    `\nExport: GET ${API}/resources/?format=csv streamed ${fmtInt(exported.rows)} rows ` +
      `(${(exported.bytes / 1024 ** 2).toFixed(0)} MB) in ${seconds(exported.ms)} ` +
      `(goal ≤ 60 s: ${exported.ms <= 60_000 ? 'met' : '**MISSED**'}); the process's RSS was ` +
      `${exported.rssBeforeMb} MB before and at most ${exported.rssPeakMb} MB during it.`,
  );
  console.log(
    `\nAnsible inventory: GET ${API}${inventory.query} streamed ${fmtInt(inventory.hosts)} hosts ` +
      `(${(inventory.bytes / 1024 ** 2).toFixed(0)} MB) in ${seconds(inventory.ms)}, first byte after ` +
      `${seconds(inventory.firstByteMs)} (goal for 100,000 hosts ≤ 5 s: ` +
      `${inventory.hosts < 100_000 ? 'fewer hosts than the goal names' : inventory.ms <= 5000 ? 'met' : '**MISSED**'}); ` +
      `the process's RSS was at most ${inventory.rssPeakMb} MB during it.`,
  );
  if (webUi) console.log(webUiReport(webUi));
  console.log('\nScenarios:');
  for (const { scenario, example } of results)
    console.log(`- ${scenario.key}: ${scenario.title} — GET ${API}${example}`);

  console.log('\n## Query plans (EXPLAIN (ANALYZE, BUFFERS) of the SQL each endpoint ran)');
  await explainAll(benchUrl, results);
  log(
    `Done in ${seconds(performance.now() - started)}. Database kept: ${redact(benchUrl)} (reuse with BENCH_KEEP=1)`,
  );
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(async () => {
    await cleanup();
    process.exit(0);
  })
  .catch(async (error: unknown) => {
    log(`\nBenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanup();
    process.exit(1);
  });
