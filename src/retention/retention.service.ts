import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { EventsService } from '../events/events.service.js';
import { INVENTORY_CONFIG, type InventoryConfig, type RetentionConfig } from '../config/config.js';

const BATCH = 5000;
const STATEMENT_TIMEOUT = '60s';
const DAY_MS = 24 * 3600 * 1000;

export interface RetentionResult {
  snapshots_deleted: number;
  sightings_deleted: number;
  events_deleted: number;
}

/**
 * Retention of pushed history. Two jobs, each run once per cluster by the scheduler:
 *
 * - `purgeExpired`: snapshots and sightings older than RETENTION_DAYS go, and events
 *   older than EVENTS_RETENTION_DAYS (through EventsService, their owner);
 * - `pruneHistory`: exponential thinning of snapshots (all of the last 7 days, then one
 *   per day to 1 month, one per week to 3 months, one per month to 1 year, one per
 *   quarter beyond; the newest of each period stays) and, with HISTORY_MAX_ENTRIES,
 *   at most that many snapshots per host.
 *
 * The first and the latest snapshot of every host are always kept, and changes are
 * never deleted (their fact_snapshot link becomes null). Deletes run in batches of
 * 5,000 ids, each its own transaction with a statement timeout, so a large backlog
 * never holds long locks.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');
  private readonly config: RetentionConfig;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
    private readonly events: EventsService,
  ) {
    this.config = config.retention;
  }

  async purgeExpired(now: Date = new Date()): Promise<RetentionResult> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * DAY_MS);
    const snapshotIds = await this.db.query<{ id: string }[]>(
      `SELECT id FROM (
         SELECT id, received_at,
           row_number() OVER (PARTITION BY resource_id, kind ORDER BY received_at ASC, id ASC) AS from_first,
           row_number() OVER (PARTITION BY resource_id, kind ORDER BY received_at DESC, id DESC) AS from_latest
         FROM fact_snapshots) s
       WHERE received_at < $1 AND from_first > 1 AND from_latest > 1`,
      [cutoff],
    );
    const snapshots = await this.deleteIds(
      'fact_snapshots',
      snapshotIds.map((r) => r.id),
    );
    let sightings = 0;
    for (;;) {
      const deleted = await this.inBatch(
        `DELETE FROM resource_sightings WHERE id IN (SELECT id FROM resource_sightings WHERE seen_at < $1 LIMIT ${BATCH})`,
        [cutoff],
      );
      sightings += deleted;
      if (deleted < BATCH) break;
    }
    const eventsCutoff = new Date(now.getTime() - this.config.eventsRetentionDays * DAY_MS);
    const events = await this.events.deleteOlderThan(eventsCutoff, BATCH, STATEMENT_TIMEOUT);
    if (snapshots + sightings > 0)
      this.logger.log(
        `Retention: deleted ${snapshots} snapshots and ${sightings} sightings older than ${cutoff.toISOString()}`,
      );
    if (events > 0)
      this.logger.log(`Retention: deleted ${events} events older than ${eventsCutoff.toISOString()}`);
    return { snapshots_deleted: snapshots, sightings_deleted: sightings, events_deleted: events };
  }

  async pruneHistory(now: Date = new Date()): Promise<{ snapshots_deleted: number }> {
    const rows = await this.db.query<{ id: string }[]>(
      `WITH ranked AS (
         SELECT id, resource_id, kind, received_at,
           row_number() OVER (PARTITION BY resource_id, kind ORDER BY received_at ASC, id ASC) AS from_first,
           row_number() OVER (PARTITION BY resource_id, kind ORDER BY received_at DESC, id DESC) AS from_latest,
           CASE
             WHEN received_at >= $1::timestamptz - interval '7 days' THEN NULL
             WHEN received_at >= $1::timestamptz - interval '1 month' THEN date_trunc('day', received_at, 'UTC')
             WHEN received_at >= $1::timestamptz - interval '3 months' THEN date_trunc('week', received_at, 'UTC')
             WHEN received_at >= $1::timestamptz - interval '1 year' THEN date_trunc('month', received_at, 'UTC')
             ELSE date_trunc('quarter', received_at, 'UTC')
           END AS period
         FROM fact_snapshots
       ), bucketed AS (
         SELECT *, row_number() OVER (PARTITION BY resource_id, kind, period ORDER BY received_at DESC, id DESC) AS in_period
         FROM ranked
       )
       SELECT id FROM bucketed
       WHERE from_first > 1 AND from_latest > 1
         AND ((period IS NOT NULL AND in_period > 1) OR ($2::int > 0 AND from_latest > $2::int))`,
      [now, this.config.historyMaxEntries],
    );
    const deleted = await this.deleteIds(
      'fact_snapshots',
      rows.map((r) => r.id),
    );
    if (deleted > 0) this.logger.log(`History pruning: deleted ${deleted} snapshots`);
    return { snapshots_deleted: deleted };
  }

  private async deleteIds(table: 'fact_snapshots', ids: string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < ids.length; i += BATCH) {
      deleted += await this.inBatch(`DELETE FROM ${table} WHERE id = ANY($1::uuid[])`, [
        ids.slice(i, i + BATCH),
      ]);
    }
    return deleted;
  }

  private inBatch(sql: string, params: unknown[]): Promise<number> {
    return this.db.transaction(async (manager) => {
      await manager.query(`SET LOCAL statement_timeout = '${STATEMENT_TIMEOUT}'`);
      const [, count] = await manager.query<[unknown[], number]>(sql, params);
      return count;
    });
  }
}
