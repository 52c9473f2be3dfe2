import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

/** What the collection executor reports (kept free of prom-client so the executor stays plain). */
export interface CollectionObserver {
  runFinished(status: string, durationSeconds: number): void;
  resourcesWritten(source: 'collection' | 'push', outcome: 'created' | 'updated', count: number): void;
}

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/**
 * The service's Prometheus series, in a registry of its own (several apps may share a
 * process: tests, an embedding host). Served by MetricsController at /metrics/.
 */
@Injectable()
export class MetricsService implements CollectionObserver {
  readonly registry = new Registry();
  private queueDepthSource: (() => Promise<number>) | null = null;

  readonly httpRequests = new Counter({
    name: 'inventory_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'inventory_http_request_duration_seconds',
    help: 'HTTP request latency, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly collectionRuns = new Counter({
    name: 'inventory_collection_runs_total',
    help: 'Collection runs finished by this process, by final status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly collectionDuration = new Histogram({
    name: 'inventory_collection_run_duration_seconds',
    help: 'Duration of finished collection runs, by final status',
    labelNames: ['status'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  readonly resources = new Counter({
    name: 'inventory_resources_written_total',
    help: 'Resources created or updated (rate() gives resources written per second), by source and outcome',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly pushes = new Counter({
    name: 'inventory_push_submissions_total',
    help: 'Accepted fact pushes, by outcome (created: new host, changed, unchanged)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly credentialChecks = new Counter({
    name: 'inventory_credential_checks_total',
    help:
      'Password (HTTP Basic, POST /auth/login/) and system-secret checks, by kind (user, system) and outcome: ' +
      'verified or rejected (a hash was computed), remembered (a recent success, no hash), ' +
      'throttled (429 before any hash: the failed-authentication throttle)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(@Optional() @InjectDataSource() private readonly db?: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'inventory_' });
    const queueDepth = () => (this.queueDepthSource ? this.queueDepthSource().catch(() => 0) : 0);
    const currentPool = () => this.pool();
    new Gauge({
      name: 'inventory_collection_queue_depth',
      help: 'Collection jobs waiting in the queue',
      registers: [this.registry],
      async collect() {
        this.set(await queueDepth());
      },
    });
    new Gauge({
      name: 'inventory_db_pool_connections',
      help: 'Database connections of this process: total, idle, in use, waiting clients and the maximum',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const pool = currentPool();
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
        if (pool.options?.max) this.set({ state: 'max' }, pool.options.max);
      },
    });
  }

  setQueueDepthSource(source: () => Promise<number>): void {
    this.queueDepthSource = source;
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  runFinished(status: string, durationSeconds: number): void {
    this.collectionRuns.inc({ status });
    this.collectionDuration.observe({ status }, durationSeconds);
  }

  resourcesWritten(source: 'collection' | 'push', outcome: 'created' | 'updated', count: number): void {
    if (count > 0) this.resources.inc({ source, outcome }, count);
  }

  pushAccepted(result: { created: boolean; changed: boolean }): void {
    const outcome = result.created ? 'created' : result.changed ? 'changed' : 'unchanged';
    this.pushes.inc({ outcome });
    if (result.created) this.resourcesWritten('push', 'created', 1);
    else if (result.changed) this.resourcesWritten('push', 'updated', 1);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private pool(): PgPool | null {
    if (!this.db?.isInitialized) return null;
    const driver = this.db.driver as unknown as { master?: PgPool };
    return driver.master ?? null;
  }
}
