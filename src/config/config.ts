import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { type AutomationConfig, parseConfidence, parseMatchRules } from '../automation/match-rules.js';

export type InventoryRole = 'all' | 'api' | 'worker';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Every setting the service reads from its environment, typed and validated once at start. */
export interface InventoryConfig {
  port: number;
  host: string;
  /** Null means: start (or attach to) the embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  role: InventoryRole;
  logLevel: LogLevel;
  /** `json`, `pretty` or `auto` (pretty when stdout is a terminal). */
  logFormat: 'json' | 'pretty' | 'auto';
  migrationsRun: boolean;
  /** 32-byte key for AES-256-GCM; null means "generate one into the data folder". */
  secretKey: Buffer | null;
  /** Keys secrets may still be sealed with (INVENTORY_SECRET_KEY_PREVIOUS): read, never used to seal. */
  previousSecretKeys: Buffer[];
  databasePoolSize: number;
  gateway: GatewayJwtConfig;
  /** Password for the `admin` user created on first start; null: generate one into the data folder. */
  adminPassword: string | null;
  /** Folder of plugin folders (manifest.yml + module). */
  pluginsDir: string;
  pluginUploadEnabled: boolean;
  pluginUploadMaxBytes: number;
  /** Seconds a worker holds a run without renewing before it counts as dead. */
  collectionLeaseSeconds: number;
  /** How often workers look for due schedules and expired leases. */
  scheduleCheckSeconds: number;
  /** Named feature flags from INVENTORY_FEATURE_<NAME>=true|false. */
  featureFlags: Record<string, boolean>;
  facts: FactsConfig;
  retention: RetentionConfig;
  /** Bearer token GET /metrics/ requires; null: the metrics are public. */
  metricsToken: string | null;
  alerting: AlertingConfig;
  webhooks: WebhooksConfig;
  /** Automation records and how they are matched to resources (src/automation/). */
  automation: AutomationConfig;
  /** Origins (`https://dash.example.com`) whose browsers may call the API; `*` any; empty: none (no CORS headers). */
  corsOrigins: string[];
  /** On SIGTERM keep serving (with `Connection: close`) this long before closing the listener. */
  shutdownDrainSeconds: number;
  /** Lifetime of the tokens POST /auth/login/ issues. */
  loginTokenTtlMinutes: number;
  /** log2 of scrypt's N for new password hashes (PASSWORD_SCRYPT_COST, default 17: OWASP's N=2^17, r=8, p=1). */
  passwordScryptCost: number;
  authThrottle: AuthThrottleConfig;
  /** `GET /events/stream/` sends a comment line this often (EVENTS_STREAM_KEEPALIVE_SECONDS, 1-15). */
  eventsStreamKeepaliveSeconds: number;
  /** How often dynamic watchlists are evaluated, once per cluster (WATCHLIST_EVALUATION_SECONDS). */
  watchlistEvaluationSeconds: number;
  /** JSON bodies nesting objects/arrays deeper than this are refused with a 400 (JSON_MAX_DEPTH). */
  jsonMaxDepth: number;
}

/**
 * The failed-authentication throttle (AUTH_THROTTLE_*): counters in PostgreSQL, shared
 * by every replica. A cap of 0 turns that counter off.
 */
export interface AuthThrottleConfig {
  /** Failures of one username (or system key) from one client address before it is locked. */
  maxFailures: number;
  /** Failures from one client address, whatever the username or system key, before the address is locked. */
  addressMaxFailures: number;
  /** The window the failures are counted in, from the first one. */
  windowSeconds: number;
  /** How long a locked counter answers 429 (then it starts again from zero). */
  lockoutSeconds: number;
  /** IPv6 clients share one counter per network of this prefix length. */
  ipv6Prefix: number;
}

/** Pushed inventory: who may push anonymously, how often, how much. */
export interface FactsConfig {
  /** Organization (id or name) anonymous fact_inventory pushes belong to; null: anonymous pushes are refused (401). */
  anonymousOrganization: string | null;
  /** One accepted anonymous submission per client address per this many minutes. */
  rateLimitMinutes: number;
  /** IPv6 clients share one rate-limit bucket per network of this prefix length (an IPv4 address is its own). */
  rateLimitIpv6Prefix: number;
  /** Total request body limit, bytes. */
  maxBodyBytes: number;
  /** Limit of each of system_facts, package_facts, local_facts (serialized), bytes. */
  maxFieldBytes: number;
  /** CIDRs whose X-Forwarded-For / X-Real-IP headers are believed. */
  trustedProxies: string[];
  /** A system without a heartbeat (or push) for this long becomes inactive. */
  heartbeatTimeoutMinutes: number;
  /** JSON or YAML file of change rules tried before the built-in ones; null: built-ins only. */
  changeRulesFile: string | null;
}

/** Where alerts go and come from. */
export interface AlertingConfig {
  /** Alertmanager (or Mimir's `/alertmanager`) base URL the per-system proxy forwards to; null: not configured (503). */
  alertmanagerUrl: string | null;
  alertmanagerTimeoutSeconds: number;
  /** Credentials for Alertmanager (the proxy and the sender): Basic, Bearer, or none. */
  alertmanagerAuth:
    { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string } | null;
  /** X-Scope-OrgID of every call (Mimir's tenant); null: each organization's id (the platform's own alerts: `platform`). */
  alertmanagerTenant: string | null;
  /** Bearer token Alertmanager's webhook must send to POST /alert_history; null: the endpoint refuses everything. */
  alertHistoryToken: string | null;
}

/** Webhook deliveries (src/webhooks/). */
export interface WebhooksConfig {
  /** Attempts before a delivery is dead-lettered. */
  maxAttempts: number;
  /** Timeout of one attempt (connect to the last byte of the answer). */
  timeoutMs: number;
  /** First retry delay; each further one doubles, capped at backoffMaxMs, then jittered (50–100 %). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Deliver to loopback, link-local and private addresses too (tests, labs). */
  allowPrivateTargets: boolean;
  /** How often the cluster looks for due deliveries whose queue job was lost (a worker killed). */
  sweepSeconds: number;
}

/** Retention of snapshots and sightings (changes are never deleted). */
export interface RetentionConfig {
  /** Snapshots and sightings older than this go (first and latest snapshot of a host stay). */
  retentionDays: number;
  /** At most this many snapshots per host (0: no limit). */
  historyMaxEntries: number;
  retentionCheckIntervalHours: number;
  historyCheckIntervalHours: number;
  /** Events older than this are deleted (EVENTS_RETENTION_DAYS). */
  eventsRetentionDays: number;
}

/** How gateway (Ansible Automation Platform) tokens are verified. */
export interface GatewayJwtConfig {
  /** PEM text, or a path to a PEM file (public key or certificate). */
  publicKey: string | null;
  /** URL serving the PEM; fetched, cached, fetched again once when a signature fails. */
  publicKeyUrl: string | null;
  audience: string;
  issuer: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const ROLES: readonly InventoryRole[] = ['all', 'api', 'worker'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** Exit code for a configuration the service refuses to start with. */
export const CONFIG_ERROR_EXIT_CODE = 2;

/** Reads and validates the environment. Throws ConfigError listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const lowered = raw.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
    if (['false', '0', 'no', 'off'].includes(lowered)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw.toLowerCase())) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw.toLowerCase() as T;
  };

  const cidrList = (name: string): string[] => {
    const raw = text(name);
    if (raw === undefined) return [];
    const entries = raw
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const bad = entries.filter((entry) => !isCidr(entry));
    if (bad.length > 0)
      problems.push(`${name} must be a comma-separated list of CIDRs (bad: ${bad.join(', ')})`);
    return entries.filter((entry) => isCidr(entry));
  };

  const originList = (name: string): string[] => {
    const entries = (text(name) ?? '')
      .split(',')
      .map((entry) => entry.trim().replace(/\/$/, ''))
      .filter(Boolean);
    const bad = entries.filter((entry) => entry !== '*' && !/^https?:\/\/[^/\s?#@]+$/i.test(entry));
    if (bad.length > 0)
      problems.push(
        `${name} must be a comma-separated list of origins like https://dash.example.com, or * (bad: ${bad.join(', ')})`,
      );
    return entries.filter((entry) => !bad.includes(entry));
  };

  const httpUrl = (name: string): string | null => {
    const raw = text(name);
    if (raw === undefined) return null;
    if (!/^https?:\/\/[^\s]+$/i.test(raw)) {
      problems.push(`${name} must be an http:// or https:// URL`);
      return null;
    }
    return raw.replace(/\/+$/, '');
  };

  const alertmanagerAuth = (): AlertingConfig['alertmanagerAuth'] => {
    const username = text('ALERTMANAGER_USERNAME');
    const password = text('ALERTMANAGER_PASSWORD');
    const token = text('ALERTMANAGER_BEARER_TOKEN');
    if (token !== undefined && (username !== undefined || password !== undefined)) {
      problems.push(
        'ALERTMANAGER_BEARER_TOKEN and ALERTMANAGER_USERNAME/ALERTMANAGER_PASSWORD exclude each other',
      );
      return null;
    }
    if (token !== undefined) return { kind: 'bearer', token };
    if (username === undefined && password === undefined) return null;
    if (username === undefined || password === undefined) {
      problems.push('ALERTMANAGER_USERNAME and ALERTMANAGER_PASSWORD go together');
      return null;
    }
    return { kind: 'basic', username, password };
  };

  const databaseUrl = text('DATABASE_URL') ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  let secretKey: Buffer | null = null;
  const rawKey = text('INVENTORY_SECRET_KEY');
  if (rawKey !== undefined) {
    secretKey = parseSecretKey(rawKey);
    if (secretKey === null) {
      problems.push(
        'INVENTORY_SECRET_KEY must be 32 bytes as 64 hex characters or base64 (openssl rand -hex 32)',
      );
    }
  }

  const previousSecretKeys: Buffer[] = [];
  for (const raw of (text('INVENTORY_SECRET_KEY_PREVIOUS') ?? '').split(',')) {
    if (raw.trim() === '') continue;
    const key = parseSecretKey(raw.trim());
    if (key) previousSecretKeys.push(key);
    else
      problems.push(
        'INVENTORY_SECRET_KEY_PREVIOUS must be a comma-separated list of 32-byte keys (64 hex characters or base64)',
      );
  }

  const config: InventoryConfig = {
    port: int('PORT', 8000, 0, 65535),
    host: text('HOST') ?? '0.0.0.0',
    databaseUrl,
    dataDir: resolve(text('INVENTORY_DATA_DIR') ?? './.data'),
    role: oneOf('INVENTORY_ROLE', ROLES, 'all'),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: oneOf('LOG_FORMAT', ['json', 'pretty', 'auto'] as const, 'auto'),
    migrationsRun: bool('MIGRATIONS_RUN', true),
    secretKey,
    previousSecretKeys,
    databasePoolSize: int('DATABASE_POOL_SIZE', 10, 1, 500),
    gateway: {
      publicKey: text('GATEWAY_JWT_PUBLIC_KEY') ?? null,
      publicKeyUrl: text('GATEWAY_JWT_PUBLIC_KEY_URL') ?? null,
      audience: text('GATEWAY_JWT_AUDIENCE') ?? 'ansible-services',
      issuer: text('GATEWAY_JWT_ISSUER') ?? 'ansible-issuer',
    },
    adminPassword: env.INVENTORY_ADMIN_PASSWORD ? env.INVENTORY_ADMIN_PASSWORD : null,
    featureFlags: {},
    pluginsDir: '',
    pluginUploadEnabled: bool('PLUGIN_UPLOAD_ENABLED', false),
    pluginUploadMaxBytes: int('PLUGIN_UPLOAD_MAX_MB', 10, 1, 512) * 1024 * 1024,
    collectionLeaseSeconds: int('COLLECTION_LEASE_SECONDS', 60, 5, 3600),
    scheduleCheckSeconds: int('SCHEDULE_CHECK_SECONDS', 15, 1, 3600),
    facts: {
      anonymousOrganization: text('FACTS_ANONYMOUS_ORGANIZATION') ?? null,
      rateLimitMinutes: int('FACTS_RATE_LIMIT_MINUTES', 30, 0, 525600),
      rateLimitIpv6Prefix: int('FACTS_RATE_LIMIT_IPV6_PREFIX', 64, 1, 128),
      maxBodyBytes: int('FACTS_MAX_BODY_MB', 16, 1, 1024) * MIB,
      maxFieldBytes: int('FACTS_MAX_FIELD_MB', 4, 1, 1024) * MIB,
      trustedProxies: cidrList('TRUSTED_PROXIES'),
      heartbeatTimeoutMinutes: int('HEARTBEAT_TIMEOUT_MINUTES', 20, 1, 100000),
      changeRulesFile: text('CHANGE_RULES_FILE') ?? null,
    },
    metricsToken: text('METRICS_TOKEN') ?? null,
    alerting: {
      alertmanagerUrl: httpUrl('ALERTMANAGER_URL'),
      alertmanagerTimeoutSeconds: int('ALERTMANAGER_TIMEOUT_SECONDS', 30, 1, 600),
      alertmanagerAuth: alertmanagerAuth(),
      alertmanagerTenant: text('ALERTMANAGER_TENANT') ?? null,
      alertHistoryToken: text('ALERT_HISTORY_TOKEN') ?? null,
    },
    webhooks: {
      maxAttempts: int('WEBHOOK_MAX_ATTEMPTS', 10, 1, 100),
      timeoutMs: int('WEBHOOK_TIMEOUT_SECONDS', 10, 1, 300) * 1000,
      backoffBaseMs: int('WEBHOOK_BACKOFF_BASE_MS', 10_000, 1, 3_600_000),
      backoffMaxMs: int('WEBHOOK_BACKOFF_MAX_SECONDS', 3600, 1, 86400) * 1000,
      allowPrivateTargets: bool('WEBHOOK_ALLOW_PRIVATE_TARGETS', false),
      sweepSeconds: int('WEBHOOK_SWEEP_SECONDS', 30, 1, 3600),
    },
    automation: {
      rules: parseMatchRules('AUTOMATION_MATCH_RULES', text('AUTOMATION_MATCH_RULES'), problems),
      autoMatchThreshold: parseConfidence(
        'AUTOMATION_AUTO_MATCH_THRESHOLD',
        text('AUTOMATION_AUTO_MATCH_THRESHOLD'),
        0.5,
        problems,
      ),
      maxBodyBytes: int('AUTOMATION_MAX_BODY_MB', 32, 1, 1024) * MIB,
    },
    corsOrigins: originList('CORS_ORIGINS'),
    shutdownDrainSeconds: int('SHUTDOWN_DRAIN_SECONDS', 2, 0, 300),
    loginTokenTtlMinutes: int('LOGIN_TOKEN_TTL_MINUTES', 60, 1, 1440),
    passwordScryptCost: int('PASSWORD_SCRYPT_COST', 17, 10, 20),
    authThrottle: {
      maxFailures: int('AUTH_THROTTLE_MAX_FAILURES', 10, 0, 1_000_000),
      addressMaxFailures: int('AUTH_THROTTLE_ADDRESS_MAX_FAILURES', 100, 0, 1_000_000),
      windowSeconds: int('AUTH_THROTTLE_WINDOW_SECONDS', 900, 1, 86400),
      lockoutSeconds: int('AUTH_THROTTLE_LOCKOUT_SECONDS', 900, 1, 86400),
      ipv6Prefix: int('AUTH_THROTTLE_IPV6_PREFIX', 64, 1, 128),
    },
    eventsStreamKeepaliveSeconds: int('EVENTS_STREAM_KEEPALIVE_SECONDS', 15, 1, 15),
    watchlistEvaluationSeconds: int('WATCHLIST_EVALUATION_SECONDS', 60, 5, 86400),
    jsonMaxDepth: int('JSON_MAX_DEPTH', 64, 1, 256),
    retention: {
      retentionDays: int('RETENTION_DAYS', 400, 1, 100000),
      historyMaxEntries: int('HISTORY_MAX_ENTRIES', 0, 0, 10000000),
      retentionCheckIntervalHours: int('RETENTION_CHECK_INTERVAL_HOURS', 24, 1, 8760),
      historyCheckIntervalHours: int('HISTORY_CHECK_INTERVAL_HOURS', 24, 1, 8760),
      eventsRetentionDays: int('EVENTS_RETENTION_DAYS', 30, 1, 100000),
    },
  };
  config.pluginsDir = resolve(text('INVENTORY_PLUGINS_DIR') ?? `${config.dataDir}/plugins`);
  const keyUrl = config.gateway.publicKeyUrl;
  if (keyUrl !== null && !/^https?:\/\//i.test(keyUrl))
    problems.push('GATEWAY_JWT_PUBLIC_KEY_URL must be an https:// URL');
  else if (
    keyUrl !== null &&
    /^http:\/\//i.test(keyUrl) &&
    !bool('GATEWAY_JWT_PUBLIC_KEY_URL_ALLOW_HTTP', false)
  )
    problems.push(
      'GATEWAY_JWT_PUBLIC_KEY_URL must be https:// (whoever can change a plain http:// answer can sign tokens); set GATEWAY_JWT_PUBLIC_KEY_URL_ALLOW_HTTP=true to accept http:// knowingly',
    );
  if (config.adminPassword !== null && config.adminPassword.length < 8) {
    problems.push('INVENTORY_ADMIN_PASSWORD must be at least 8 characters');
  }
  for (const [name, value] of Object.entries(env)) {
    const match = /^INVENTORY_FEATURE_([A-Z0-9_]+)$/.exec(name);
    if (match && value !== undefined) config.featureFlags[match[1].toLowerCase()] = bool(name, false);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const MIB = 1024 * 1024;

/** `10.0.0.0/8`, `fd00::/8` or a single address (a /32 or /128). */
export function isCidr(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** Accepts 64 hex characters or base64 of exactly 32 bytes. */
export function parseSecretKey(raw: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return Buffer.from(raw, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) {
    const decoded = Buffer.from(raw, 'base64');
    if (decoded.length === 32) return decoded;
  }
  return null;
}

/** The Nest injection token for InventoryConfig. */
export const INVENTORY_CONFIG = Symbol('INVENTORY_CONFIG');
