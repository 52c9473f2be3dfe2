import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { ChangeRecorder } from '../changes/change-recorder.js';
import { EVENT_LOG, type EventAppender } from '../events/event-log.sql.js';
import { appendRunEvents } from './collection-run-events.sql.js';
import { providerSecrets, type SecretBox } from '../common/crypto/secret-box.js';
import type { CollectionObserver } from '../metrics/metrics.service.js';
import { modifyReturning } from '../database/modify-returning.js';
import { withDefaults } from '../plugins/connection-parameters.js';
import type { PluginContext } from '../plugins/plugin.contract.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { maskUrlCredentials } from '../common/crypto/scrub.js';
import { openSecrets, scrubberFor } from '../providers/connection-config.js';
import { readProviderDocument } from '../providers/provider-document.sql.js';
import { RELATIONSHIP_TYPES } from '../relationships/relationship.enums.js';
import type { CollectionType } from './collection-run.enums.js';
import { prepareResource, TypeResolver } from './record-preparer.js';
import {
  type BatchSinks,
  type BatchTarget,
  type PreparedResource,
  writeResourceBatch,
} from '../inventory-writer/resource-batch.sql.js';
import { stageRelationships, writeStagedRelationships } from '../inventory-writer/relationship-batch.sql.js';
import { markUnseenRemoved } from '../inventory-writer/resource-removal.sql.js';

export interface ExecutorOptions {
  batchSize?: number;
  /** How long a run stays "ours" without a renewal. */
  leaseSeconds?: number;
  /** Told about finished runs and written resources (metrics). */
  observer?: CollectionObserver;
  /** Classifies and writes the changes runs detect (the built-in rules when not given). */
  changes?: ChangeRecorder;
  /** The event log (EVENT_LOG when not given). */
  events?: EventAppender;
}

export interface ExecuteOptions {
  /** "Now" for the run (the lab seed replays runs in the past). */
  clock?: () => Date;
  /** Aborted on worker shutdown: the run is released (failed with a message), not left running. */
  shutdown?: AbortSignal;
  /** Filled with where the run's time went (the collection benchmark prints it). */
  phases?: RunPhases;
}

/** Milliseconds a run spent in each part of its work. */
export interface RunPhases {
  /** The resource batch statements (overlapping with the plugin producing the next batch). */
  resourceBatches: number;
  /** Adding the relationship records to the staging table. */
  edgeStaging: number;
  /** Time the plugin loop waited for the previous batch's statements: 0 when the plugin is the bottleneck. */
  waitingForDatabase: number;
  /** Resolving and writing the staged relationships at the end. */
  relationships: number;
  /** Marking unseen resources removed (successful full runs). */
  removal: number;
}

export const emptyRunPhases = (): RunPhases => ({
  resourceBatches: 0,
  edgeStaging: 0,
  waitingForDatabase: 0,
  relationships: 0,
  removal: 0,
});

interface ClaimedRun {
  id: string;
  provider_id: string;
  collection_type: CollectionType;
  target_resource_types: string[];
}

interface ProviderRow {
  id: string;
  name: string;
  organization_id: number;
  vendor: string;
  provider_type: string;
  endpoint: string;
  connection_config: Record<string, unknown>;
}

const MAX_WARNINGS = 20;

interface RunCounters {
  found: number;
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
  rejected: number;
}

class RunAborted extends Error {}

/**
 * Executes one collection run: claims it (pending → running, with a lease), streams the
 * plugin's records through the batch writer, keeps the lease alive and honours cancel
 * requests between batches, then finishes: relationships, removals (successful full
 * runs only) and the final status. A late "completed" never overwrites "canceled".
 */
export class CollectionExecutor {
  private readonly logger = new Logger('Collection');
  private readonly batchSize: number;
  private readonly leaseSeconds: number;
  private readonly observer: CollectionObserver | undefined;
  private readonly sinks: BatchSinks;

  constructor(
    private readonly db: DataSource,
    private readonly registry: PluginRegistry,
    private readonly secrets: SecretBox,
    options: ExecutorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.leaseSeconds = options.leaseSeconds ?? 60;
    this.observer = options.observer;
    this.sinks = { changes: options.changes ?? new ChangeRecorder(), events: options.events ?? EVENT_LOG };
  }

  /** Runs `runId` if it is still pending; returns its final status (or null if it was not ours to run). */
  async execute(runId: string, options: ExecuteOptions = {}): Promise<string | null> {
    const clock = options.clock ?? (() => new Date());
    const run = await this.db.transaction(async (manager) => {
      const [claimed] = await modifyReturning<ClaimedRun>(
        manager,
        `UPDATE collection_runs SET status = 'running', started_at = now(), lease_expires_at = now() + make_interval(secs => $2), modified = now()
         WHERE id = $1 AND status = 'pending'
         RETURNING id, provider_id, collection_type, target_resource_types`,
        [runId, this.leaseSeconds],
      );
      if (claimed) await appendRunEvents(this.sinks.events, manager, [claimed.id]);
      return claimed;
    });
    if (!run) return null;
    const started = performance.now();
    const phases = options.phases ?? emptyRunPhases();
    const timed = async <T>(phase: keyof RunPhases, work: () => Promise<T>): Promise<T> => {
      const from = performance.now();
      try {
        return await work();
      } finally {
        phases[phase] += performance.now() - from;
      }
    };
    const counters = { found: 0, created: 0, updated: 0, unchanged: 0, removed: 0, rejected: 0 };
    const warnings: string[] = [];
    // Plugin text (errors, warnings, log lines) loses the provider's secrets before it is
    // stored or logged; until the provider is read, URL credentials are still masked.
    let scrub = (text: string) => maskUrlCredentials(text, true);
    const warn = (message: string) => {
      counters.rejected++;
      if (warnings.length < MAX_WARNINGS) warnings.push(scrub(message));
    };
    const abort = new AbortController();
    const onShutdown = () => abort.abort(new RunAborted('The worker is shutting down.'));
    options.shutdown?.addEventListener('abort', onShutdown);
    // Keep the lease while the plugin is slow to produce records.
    const renewal = setInterval(
      () => void this.renewLease(run.id, counters.found).then((state) => this.react(state, abort)),
      (this.leaseSeconds * 1000) / 3,
    );
    renewal.unref();
    let provider: ProviderRow | undefined;
    let inFlight: Promise<void> | undefined;
    try {
      [provider] = await this.db.query<ProviderRow[]>(
        `SELECT id, name, organization_id, vendor, provider_type, endpoint, connection_config FROM providers WHERE id = $1`,
        [run.provider_id],
      );
      if (!provider) throw new Error('The provider no longer exists.');
      const scrubber = scrubberFor(
        provider.connection_config,
        providerSecrets(this.secrets, provider.id),
        provider.endpoint,
      );
      scrub = (text: string) => scrubber.scrub(text);
      const key = `${provider.vendor}:${provider.provider_type}`;
      const registered = this.registry.get(key);
      if (!registered) throw new Error(`No plugin "${key}" is installed; see /provider-plugins/.`);
      const types = await TypeResolver.load(this.db, provider.vendor);
      const runStart = clock();
      const target: BatchTarget = {
        providerId: provider.id,
        organizationId: provider.organization_id,
        runId: run.id,
        seenAt: runStart,
      };
      const ctx: PluginContext = {
        provider: { id: provider.id, name: provider.name, endpoint: provider.endpoint },
        config: withDefaults(
          registered.plugin.manifest,
          openSecrets(provider.connection_config, providerSecrets(this.secrets, provider.id)),
        ),
        options: { collection_type: run.collection_type, target_resource_types: run.target_resource_types },
        logger: {
          debug: (m) => this.logger.debug(`[${provider!.name}] ${scrub(String(m))}`),
          info: (m) => this.logger.log(`[${provider!.name}] ${scrub(String(m))}`),
          warn: (m) => this.logger.warn(`[${provider!.name}] ${scrub(String(m))}`),
        },
        signal: abort.signal,
        clock: () => runStart,
        document: () => readProviderDocument(this.db, provider!.id),
      };

      const seen = new Set<string>();
      let resources: PreparedResource[] = [];
      let edges: { source: string; target: string; type: string }[] = [];
      // One batch is written while the next is collected and prepared (the plugin and the
      // hashing run in Node, the batch statement in PostgreSQL): at most one write in flight,
      // and the lease and cancel check still happen between batches.
      const write = async (batch: PreparedResource[], batchEdges: typeof edges) => {
        if (batch.length) {
          const outcome = await timed('resourceBatches', () =>
            writeResourceBatch(this.db, target, batch, this.sinks),
          );
          counters.created += outcome.created;
          counters.updated += outcome.updated;
          counters.unchanged += outcome.unchanged;
          this.observer?.resourcesWritten('collection', 'created', outcome.created);
          this.observer?.resourcesWritten('collection', 'updated', outcome.updated);
        }
        if (batchEdges.length)
          await timed('edgeStaging', () => stageRelationships(this.db, run.id, batchEdges));
      };
      const settle = async () => {
        const pending = inFlight;
        inFlight = undefined;
        if (pending) await timed('waitingForDatabase', () => pending);
      };
      const checkpoint = async () => {
        this.react(await this.renewLease(run.id, counters.found), abort);
        if (abort.signal.aborted) throw abort.signal.reason;
      };
      const flush = async (last = false) => {
        await settle();
        await checkpoint();
        if (resources.length || edges.length) {
          inFlight = write(resources, edges);
          inFlight.catch(() => undefined); // awaited by the next flush (or the error path)
          resources = [];
          edges = [];
        }
        if (last) {
          await settle();
          await checkpoint();
        }
      };
      for await (const record of registered.plugin.collect(ctx)) {
        if (abort.signal.aborted) throw abort.signal.reason;
        if (record.kind === 'rejected') {
          warn(record.reason);
          continue;
        }
        if (record.kind === 'relationship') {
          if (!(RELATIONSHIP_TYPES as readonly string[]).includes(record.type))
            warn(`relationship ${record.source} → ${record.target}: unknown type "${record.type}"`);
          else
            edges.push({ source: String(record.source), target: String(record.target), type: record.type });
        } else {
          const prepared = prepareResource(record, types);
          if ('error' in prepared) {
            warn(record.origin ? `${record.origin}: ${prepared.error}` : prepared.error);
            continue;
          }
          // The same object twice in one run counts once (the latest record wins within a batch).
          if (seen.has(prepared.ems_ref)) {
            const index = resources.findIndex((r) => r.ems_ref === prepared.ems_ref);
            if (index >= 0) resources[index] = prepared;
            continue;
          }
          seen.add(prepared.ems_ref);
          counters.found++;
          resources.push(prepared);
        }
        if (resources.length >= this.batchSize || edges.length >= this.batchSize * 3) await flush();
      }
      await flush(true);
      const full = run.collection_type === 'full' && run.target_resource_types.length === 0;
      const relationships = await timed('relationships', () =>
        writeStagedRelationships(this.db, target, full, this.sinks.events),
      );
      if (relationships.dangling > 0)
        warn(`${relationships.dangling} relationship(s) name a resource this run did not report`);
      if (full)
        counters.removed = await timed('removal', () =>
          markUnseenRemoved(this.db, target, runStart, this.sinks),
        );
      this.logger.debug(
        `Run ${run.id}: ${counters.found} resources in ${Math.round(performance.now() - started)} ms; ` +
          (Object.entries(phases) as [string, number][])
            .map(([phase, ms]) => `${phase} ${Math.round(ms)} ms`)
            .join(', '),
      );
      return await this.finish(run.id, provider.id, 'completed', counters, warnings, '', started, runStart);
    } catch (error) {
      await inFlight?.catch(() => undefined);
      const canceled = abort.signal.aborted && !(abort.signal.reason instanceof RunAborted);
      await this.db
        .query(`DELETE FROM collection_relationship_staging WHERE run_id = $1`, [run.id])
        .catch(() => undefined);
      if (canceled)
        return await this.finish(
          run.id,
          provider?.id ?? null,
          'canceled',
          counters,
          warnings,
          '',
          started,
          null,
        );
      const message = scrub(error instanceof Error ? error.message : String(error));
      // Stopped on purpose (the worker shuts down, the lease was taken over): an expected
      // ending, said in one line; anything else is a failure with its stack.
      const reason: unknown = abort.signal.reason;
      if (abort.signal.aborted && reason instanceof RunAborted)
        this.logger.log(`Run ${run.id} stopped: ${reason.message}`);
      else
        this.logger.error(
          `Run ${run.id} failed: ${error instanceof Error ? scrub(error.stack ?? message) : message}`,
        );
      return await this.finish(
        run.id,
        provider?.id ?? null,
        'failed',
        counters,
        warnings,
        message.slice(0, 2000),
        started,
        null,
      );
    } finally {
      clearInterval(renewal);
      options.shutdown?.removeEventListener('abort', onShutdown);
    }
  }

  /** Extends the lease and reads whether a cancel was asked for; null when the run is no longer ours. */
  private async renewLease(runId: string, found: number): Promise<'ok' | 'cancel' | 'lost'> {
    const [row] = await modifyReturning<{ cancel_requested_at: Date | null }>(
      this.db,
      `UPDATE collection_runs SET lease_expires_at = now() + make_interval(secs => $2), resources_found = $3
       WHERE id = $1 AND status = 'running' RETURNING cancel_requested_at`,
      [runId, this.leaseSeconds, found],
    ).catch(() => [] as { cancel_requested_at: Date | null }[]);
    if (!row) return 'lost';
    return row.cancel_requested_at ? 'cancel' : 'ok';
  }

  private react(state: 'ok' | 'cancel' | 'lost', abort: AbortController): void {
    if (abort.signal.aborted) return;
    if (state === 'cancel') abort.abort(new Error('canceled'));
    if (state === 'lost') abort.abort(new RunAborted('The run was taken over (its lease expired).'));
  }

  private async finish(...args: Parameters<CollectionExecutor['finishRun']>): Promise<string> {
    const status = await this.finishRun(...args);
    this.observer?.runFinished(status, (performance.now() - args[6]) / 1000);
    return status;
  }

  private async finishRun(
    runId: string,
    providerId: string | null,
    status: 'completed' | 'failed' | 'canceled',
    counters: RunCounters,
    warnings: string[],
    errorMessage: string,
    started: number,
    collectedAt: Date | null,
  ): Promise<string> {
    return this.db.transaction((manager) =>
      this.finishRunIn(
        manager,
        runId,
        providerId,
        status,
        counters,
        warnings,
        errorMessage,
        started,
        collectedAt,
      ),
    );
  }

  /** The final status and its collection_run.* event, in one transaction. */
  private async finishRunIn(
    manager: EntityManager,
    runId: string,
    providerId: string | null,
    status: 'completed' | 'failed' | 'canceled',
    counters: RunCounters,
    warnings: string[],
    errorMessage: string,
    started: number,
    collectedAt: Date | null,
  ): Promise<string> {
    const params = [
      runId,
      (performance.now() - started) / 1000,
      counters.found,
      counters.created,
      counters.updated,
      counters.unchanged,
      counters.removed,
      counters.rejected,
      JSON.stringify(warnings),
      errorMessage,
    ];
    const set = `completed_at = now(), duration_seconds = $2, resources_found = $3, resources_created = $4,
      resources_updated = $5, resources_unchanged = $6, resources_removed = $7, resources_rejected = $8, warnings = $9,
      error_message = $10, lease_expires_at = NULL, modified = now()`;
    if (status === 'completed') {
      // Only a run nobody asked to cancel completes; otherwise it ends canceled.
      const done = await modifyReturning<{ id: string }>(
        manager,
        `UPDATE collection_runs SET status = 'completed', ${set} WHERE id = $1 AND status = 'running' AND cancel_requested_at IS NULL RETURNING id`,
        params,
      );
      if (done.length) {
        await this.runEvent(manager, runId);
        if (providerId)
          await manager.query(`UPDATE providers SET last_collection_at = $2 WHERE id = $1`, [
            providerId,
            collectedAt ?? new Date(),
          ]);
        return 'completed';
      }
      status = 'canceled';
    }
    const final = await modifyReturning<{ status: string }>(
      manager,
      `UPDATE collection_runs SET status = $11, ${set} WHERE id = $1 AND status = 'running' RETURNING status`,
      [...params, status],
    );
    if (final.length > 0) await this.runEvent(manager, runId);
    if (final.length === 0) {
      const [row] = await manager.query<{ status: string }[]>(
        `SELECT status FROM collection_runs WHERE id = $1`,
        [runId],
      );
      return row?.status ?? status;
    }
    return status;
  }

  private async runEvent(manager: EntityManager, runId: string): Promise<void> {
    await appendRunEvents(this.sinks.events, manager, [runId]);
  }
}
