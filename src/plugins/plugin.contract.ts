import type { CollectionType } from '../collection/collection-run.enums.js';
import type { RelationshipType } from '../relationships/relationship.enums.js';
import type { PowerState, ResourceState } from '../resources/resource.enums.js';

/**
 * The contract between the collection engine and a provider plugin. A plugin is a
 * manifest plus two functions: `validateConnection` (can we reach and log in?) and
 * `collect` (an async stream of resource and relationship records, never one big
 * array). Plugins know nothing about the database: the engine resolves types, writes
 * in batches, detects changes and removals.
 */

/**
 * `list` is a list of strings (e.g. AWS regions, Kubernetes namespaces); `objects` a list
 * of mappings whose fields `fields` declares (e.g. several servers, each with a password).
 */
export type ConnectionParameterType = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'objects';

export interface ConnectionParameter {
  name: string;
  type: ConnectionParameterType;
  required: boolean;
  /** Encrypted at rest and masked in responses (whatever its name). */
  secret: boolean;
  default?: string | number | boolean | string[];
  description: string;
  /** For `objects`: the fields of each element (scalar types only); secret ones are sealed one by one. */
  fields?: ConnectionParameter[];
}

export interface PluginManifest {
  vendor: string;
  provider_type: string;
  version: string;
  display_name: string;
  description: string;
  /** The provider infrastructure this plugin collects (private_cloud, public_cloud, ...). */
  infrastructure: string;
  /** Canonical resource type slugs the plugin emits. */
  supported_resource_types: string[];
  connection_parameters: ConnectionParameter[];
  /** Whether the provider needs an endpoint (host name or URL). */
  requires_endpoint?: boolean;
}

export interface PluginLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface CollectOptions {
  collection_type: CollectionType;
  /** Resource type slugs a targeted run asks for; empty: everything. */
  target_resource_types: string[];
}

export interface PluginContext {
  provider: { id: string; name: string; endpoint: string };
  /** Connection settings with secrets decrypted and defaults applied. */
  config: Record<string, unknown>;
  options: CollectOptions;
  logger: PluginLogger;
  /** Aborted when the run is canceled or the worker shuts down: stop promptly. */
  signal: AbortSignal;
  /** "Now" for this run (the lab seed replays runs in the past). */
  clock: () => Date;
  /**
   * The document uploaded to this provider (`PUT /providers/{id}/document/`), or null when
   * none is stored. Read on demand: plugins that do not use one never load it.
   */
  document?: () => Promise<ProviderDocument | null>;
}

/** A file stored with a provider (a CMDB or bare-metal export for `file:import`). */
export interface ProviderDocument {
  filename: string;
  content_type: string;
  content: Buffer;
}

/** One observed object. `resource_type` is a canonical slug; or give `vendor_type` and the taxonomy maps it. */
export interface ResourceRecord {
  kind: 'resource';
  ems_ref: string;
  name: string;
  resource_type?: string;
  vendor_type?: string;
  /**
   * Whose type name `vendor_type` is, when it is not the provider's vendor (a file import
   * holds rows of several vendors). Defaults to the provider's vendor.
   */
  vendor?: string;
  canonical_id?: string | null;
  vendor_identifiers?: Record<string, unknown>;
  state?: ResourceState;
  power_state?: PowerState | null;
  region?: string;
  availability_zone?: string;
  cloud_tenant?: string;
  flavor?: string;
  fqdn?: string;
  ip_addresses?: string[];
  os_type?: string;
  os_name?: string;
  cpu_count?: number | null;
  memory_mb?: number | null;
  disk_gb?: number | null;
  properties?: Record<string, unknown>;
  provider_tags?: Record<string, unknown>;
  description?: string;
  boot_time?: string | Date | null;
  ems_created_on?: string | Date | null;
  /** Measurements for this sighting only (not stored on the resource). */
  metrics?: Record<string, unknown>;
  /** Where the record came from (`line 12`), prefixed to its rejection message; not stored. */
  origin?: string;
}

/** An edge between two records of the same collection, by their ems_refs. */
export interface RelationshipRecord {
  kind: 'relationship';
  source: string;
  target: string;
  type: RelationshipType;
}

/** Something the plugin read and could not use (a bad row of a file): counted as rejected, with the reason. */
export interface RejectedRecord {
  kind: 'rejected';
  /** Where and why, e.g. `line 12: cpu_count "four" is not a whole number`. */
  reason: string;
}

export type CollectRecord = ResourceRecord | RelationshipRecord | RejectedRecord;

export interface ProviderPlugin {
  manifest: PluginManifest;
  validateConnection(ctx: PluginContext): Promise<{ ok: boolean; message: string }>;
  collect(ctx: PluginContext): AsyncIterable<CollectRecord>;
}

/** `vendor:provider_type`, the key providers and the API name plugins by. */
export const pluginKey = (manifest: Pick<PluginManifest, 'vendor' | 'provider_type'>) =>
  `${manifest.vendor}:${manifest.provider_type}`;
