import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EventsService } from '../events/events.service.js';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import type { DataSource } from 'typeorm';
import { ChangeRecorder } from '../changes/change-recorder.js';
import { SECRET_BOX, SecretBox } from '../common/crypto/secret-box.js';
import { DATABASE_URL } from '../common/tokens.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PluginsService } from '../plugins/plugins.service.js';
import { CollectionExecutor } from './collection-executor.js';

export const COLLECTION_QUEUE = 'collection-run';

/**
 * Collection runs travel through pg-boss (a durable queue in PostgreSQL's `pgboss`
 * schema). Every role can enqueue; the worker roles (`worker`, `all`) also execute.
 * The run row is the truth about a run; the job only carries its id.
 */
@Injectable()
export class CollectionQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Queue');
  private boss: PgBoss | null = null;
  private starting: Promise<void> | null = null;
  private readonly shutdown = new AbortController();
  readonly executor: CollectionExecutor;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    @Inject(SECRET_BOX) secrets: SecretBox,
    plugins: PluginsService,
    metrics: MetricsService,
    changes: ChangeRecorder,
    events: EventsService,
  ) {
    metrics.setQueueDepthSource(() => this.queueDepth());
    this.executor = new CollectionExecutor(db, plugins.registry, secrets, {
      leaseSeconds: config.collectionLeaseSeconds,
      observer: metrics,
      changes,
      events,
    });
  }

  get executes(): boolean {
    return this.config.role !== 'api';
  }

  async onModuleInit(): Promise<void> {
    if (!this.db.isInitialized) return; // built without a database (rendering the OpenAPI document)
    // Kept so a shutdown that comes while this is still starting (another module's init
    // failed) waits for it and then stops the queue, instead of missing it.
    this.starting = this.start();
    await this.starting;
  }

  private async start(): Promise<void> {
    const boss = new PgBoss({
      connectionString: this.databaseUrl,
      schema: 'pgboss',
      max: 3,
      application_name: 'inventory-queue',
      // Only workers maintain the queue tables (archiving, expiry).
      supervise: this.executes,
    });
    boss.on('error', (error: Error) => this.logger.error(`Queue error: ${error.message}`));
    await boss.start();
    await boss.createQueue(COLLECTION_QUEUE, {
      name: COLLECTION_QUEUE,
      retryLimit: 0,
      expireInSeconds: 12 * 3600,
    });
    this.boss = boss;
    if (this.executes) {
      await boss.work<{ runId: string }>(
        COLLECTION_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: 0.5 },
        async ([job]) => {
          await this.executor.execute(job.data.runId, { shutdown: this.shutdown.signal });
        },
      );
    }
  }

  /** Puts a pending run on the queue; returns the job id (stored as the run's task_id). */
  async enqueue(runId: string): Promise<string> {
    if (!this.boss) throw new Error('The queue is not started');
    const id = await this.boss.send(COLLECTION_QUEUE, { runId });
    if (!id) throw new Error('The queue refused the job');
    return id;
  }

  async queueDepth(): Promise<number> {
    return this.boss ? this.boss.getQueueSize(COLLECTION_QUEUE) : 0;
  }

  /** Stop taking jobs; a run in progress is released (it ends failed with a message), then the queue stops. */
  async onApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await this.starting?.catch(() => undefined);
    await this.boss?.stop({ graceful: true, wait: true, timeout: 20_000 }).catch(() => undefined);
    this.boss = null;
  }
}
