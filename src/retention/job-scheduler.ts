import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { LINK_FAILED_INTERVAL_MS, LinkFailedMonitor } from '../alerting/link-failed-monitor.js';
import { pruneExpiredAuthThrottle } from '../auth/auth-throttle.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { modifyReturning } from '../database/modify-returning.js';
import { HeartbeatsService } from '../facts/heartbeats.service.js';
import { pruneExpiredRateLimits } from '../facts/push-rate-limits.sql.js';
import { WatchlistsService } from '../watchlists/watchlists.service.js';
import { RetentionService } from './retention.service.js';

export interface PeriodicJob {
  name: string;
  intervalMs: number;
  /** Up to this much is added to each wait, so replicas do not fire together. */
  jitterMs: number;
  run: () => Promise<unknown>;
}

/**
 * Runs the periodic jobs of the worker role, once per cluster: every replica keeps a
 * timer (first run after one interval plus jitter, never at start-up), and a timer
 * that fires runs the job only if it wins the job's lease row in `scheduled_jobs`
 * (an UPDATE whose WHERE requires next_run_at to have passed). Tests call the jobs'
 * functions directly.
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Jobs');
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  readonly jobs: PeriodicJob[];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    retention: RetentionService,
    heartbeats: HeartbeatsService,
    linkFailed: LinkFailedMonitor,
    watchlists: WatchlistsService,
  ) {
    const hour = 3600_000;
    this.jobs = [
      {
        name: 'heartbeat-check',
        intervalMs: 60_000,
        jitterMs: 5_000,
        run: () => heartbeats.markSilentSystemsInactive(),
      },
      {
        name: 'retention',
        intervalMs: config.retention.retentionCheckIntervalHours * hour,
        jitterMs: Math.min(config.retention.retentionCheckIntervalHours * hour * 0.1, 15 * 60_000),
        run: () => retention.purgeExpired(),
      },
      {
        name: 'history-pruning',
        intervalMs: config.retention.historyCheckIntervalHours * hour,
        jitterMs: Math.min(config.retention.historyCheckIntervalHours * hour * 0.1, 15 * 60_000),
        run: () => retention.pruneHistory(),
      },
      {
        // Rows whose window has passed limit nothing; without this the table grows by one row per address ever seen.
        name: 'push-rate-limit-pruning',
        intervalMs: hour,
        jitterMs: 5 * 60_000,
        run: async () => ({
          rate_limits_deleted: await pruneExpiredRateLimits(db, config.facts.rateLimitMinutes),
        }),
      },
      {
        name: 'link-failed-check',
        intervalMs: LINK_FAILED_INTERVAL_MS,
        jitterMs: 10_000,
        run: async () => (await linkFailed.check()) ?? { skipped: 'another replica is checking' },
      },
      {
        // Failed-authentication counters whose window and lockout have passed (one row per address and username tried).
        name: 'auth-throttle-pruning',
        intervalMs: hour,
        jitterMs: 5 * 60_000,
        run: async () => ({ auth_throttle_deleted: await pruneExpiredAuthThrottle(db) }),
      },
      {
        // Dynamic watchlists' stored membership follows collections and pushes this often (membership events).
        name: 'watchlist-evaluation',
        intervalMs: config.watchlistEvaluationSeconds * 1000,
        jitterMs: Math.min(config.watchlistEvaluationSeconds * 100, 5_000),
        run: () => watchlists.evaluateAll(),
      },
    ];
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    for (const job of this.jobs) this.schedule(job);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(job: PeriodicJob): void {
    if (this.stopped) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        void this.runIfLeased(job)
          .catch((error: unknown) => this.logger.error(`Job ${job.name} failed: ${(error as Error).message}`))
          .finally(() => this.schedule(job));
      },
      job.intervalMs + Math.random() * job.jitterMs,
    );
    timer.unref();
    this.timers.add(timer);
  }

  /** Runs the job if this replica wins this interval's lease; returns whether it ran. */
  async runIfLeased(job: PeriodicJob): Promise<boolean> {
    await this.db.query(
      `INSERT INTO scheduled_jobs (name, next_run_at) VALUES ($1, now()) ON CONFLICT DO NOTHING`,
      [job.name],
    );
    // The next run is due a little before one interval from now, so the winner's own next timer is not refused.
    const won = await modifyReturning(
      this.db,
      `UPDATE scheduled_jobs SET next_run_at = now() + make_interval(secs => $2), last_started_at = now()
       WHERE name = $1 AND next_run_at <= now() RETURNING name`,
      [job.name, (job.intervalMs * 0.9) / 1000],
    );
    if (won.length === 0) return false;
    const result = await job.run();
    await this.db.query(
      `UPDATE scheduled_jobs SET last_finished_at = now(), last_result = $2 WHERE name = $1`,
      [job.name, JSON.stringify(typeof result === 'object' && result !== null ? result : { result })],
    );
    return true;
  }
}
