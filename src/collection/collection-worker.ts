import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EventsService } from '../events/events.service.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConflictError } from '../common/errors.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { modifyReturning } from '../database/modify-returning.js';
import { appendRunEvents } from './collection-run-events.sql.js';
import { CollectionService } from './collection.service.js';
import { nextRun } from './schedule.js';

/**
 * The worker role's periodic duties, each safe to run in every replica at once:
 * - schedules: due providers are claimed with FOR UPDATE SKIP LOCKED and their next
 *   time moved in the same transaction, so each due run is enqueued exactly once;
 * - leases: a running run whose worker stopped renewing ends `failed` with a message.
 */
@Injectable()
export class CollectionWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    private readonly collection: CollectionService,
    private readonly events: EventsService,
  ) {}

  onModuleInit(): void {
    if (this.config.role === 'api') return;
    this.timer = setInterval(() => {
      void this.tick().catch((error: Error) => this.logger.error(`Scheduler tick failed: ${error.message}`));
    }, this.config.scheduleCheckSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(now = new Date()): Promise<{ started: string[]; expired: number }> {
    const expired = await this.expireLeases();
    const started = await this.startDueRuns(now);
    return { started, expired };
  }

  /** Fails runs whose worker stopped renewing the lease (killed, out of memory, network cut). */
  async expireLeases(): Promise<number> {
    const rows = await this.db.transaction(async (manager) => {
      const failed = await modifyReturning<{ id: string }>(
        manager,
        `UPDATE collection_runs SET status = 'failed', completed_at = now(), modified = now(),
         duration_seconds = extract(epoch FROM now() - started_at),
         error_message = 'The worker running this collection stopped responding (its lease expired at ' || to_char(lease_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ').'
       WHERE status = 'running' AND lease_expires_at < now() RETURNING id`,
        [],
      );
      await appendRunEvents(
        this.events,
        manager,
        failed.map((r) => r.id),
      );
      return failed;
    });
    for (const row of rows) this.logger.warn(`Run ${row.id} failed: its lease expired`);
    return rows.length;
  }

  /** Claims due providers and starts their runs; returns the run ids. */
  async startDueRuns(now = new Date()): Promise<string[]> {
    const due = await this.db.transaction(async (manager) => {
      const providers = await manager.query<{ id: string; schedule: string }[]>(
        `SELECT id, schedule FROM providers
         WHERE enabled AND schedule IS NOT NULL AND next_collection_at <= $1
         ORDER BY next_collection_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      for (const provider of providers) {
        const next = nextRun(provider.schedule, now);
        await manager.query(`UPDATE providers SET next_collection_at = $2 WHERE id = $1`, [
          provider.id,
          next instanceof Date ? next : null,
        ]);
      }
      return providers;
    });
    const started: string[] = [];
    for (const provider of due) {
      try {
        const run = await this.collection.start(provider.id, {
          collectionType: 'full',
          targetResourceTypes: [],
          triggeredBy: 'schedule',
          userId: null,
        });
        started.push(run.id);
      } catch (error) {
        // A run still going: skip this slot (the next one is already set).
        if (!(error instanceof ConflictError))
          this.logger.error(`Scheduled run of ${provider.id} failed to start: ${(error as Error).message}`);
      }
    }
    return started;
  }
}
