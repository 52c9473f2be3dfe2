import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import http from 'node:http';
import https from 'node:https';
import PgBoss from 'pg-boss';
import type { DataSource } from 'typeorm';
import { SECRET_BOX, SecretBox, webhookSecrets } from '../common/crypto/secret-box.js';
import type { Queryable } from '../common/list/list-runner.js';
import { DATABASE_URL } from '../common/tokens.js';
import { INVENTORY_CONFIG, type InventoryConfig, type WebhooksConfig } from '../config/config.js';
import { modifyReturning } from '../database/modify-returning.js';
import { EventsService, matchesEventType } from '../events/events.service.js';
import { guardedLookup, PrivateTargetError } from './webhook-targets.js';
import { signWebhookBody } from './webhook-signature.js';

export const WEBHOOK_QUEUE = 'webhook-delivery';
/** Advisory lock keys: one dispatcher and one sweeper per cluster at a time. */
const DISPATCH_LOCK = '111533268710101';
const SWEEP_LOCK = '111533268710102';
/** Events read from the log per dispatcher transaction. */
const DISPATCH_BATCH = 500;
/** At most this much of an answer is read (and dropped); receivers should answer quickly and briefly. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A new delivery row (its body is what every attempt sends). */
export interface NewDelivery {
  webhook_id: string;
  event_id: string | null;
  event_type: string;
  body: string;
  redelivery_of?: string | null;
}

/** What one attempt gave. */
interface AttemptResult {
  ok: boolean;
  responseCode: number | null;
  durationMs: number;
  error: string | null;
  /** A target that can never succeed (a private address): dead-lettered at once. */
  permanent: boolean;
}

/**
 * The delay before retry `attempt` (1 = after the first failure): base × 2^(attempt−1),
 * capped, with "equal jitter" (50–100 % of it) so a burst of failures spreads out.
 */
export function backoffDelayMs(config: WebhooksConfig, attempt: number, random = Math.random()): number {
  const exp = Math.min(config.backoffMaxMs, config.backoffBaseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exp / 2 + (exp / 2) * random);
}

/** Inserts deliveries (one statement) and answers their ids, in list order. */
export async function insertDeliveries(db: Queryable, deliveries: NewDelivery[]): Promise<string[]> {
  if (deliveries.length === 0) return [];
  const rows = await db.query<{ id: string }[]>(
    `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, body, redelivery_of)
     SELECT d.webhook_id, d.event_id, d.event_type, d.body, d.redelivery_of
     FROM jsonb_to_recordset($1::jsonb) AS d(webhook_id uuid, event_id bigint, event_type text, body text, redelivery_of uuid)
     RETURNING id`,
    [JSON.stringify(deliveries.map((d) => ({ ...d, redelivery_of: d.redelivery_of ?? null })))],
  );
  return rows.map((r) => r.id);
}

/**
 * Webhook deliveries, at least once.
 *
 * - The **dispatcher** (one per cluster, advisory lock) reads the event log from its
 *   durable cursor (`webhook_dispatch_cursor`, never past the log's horizon, so no late
 *   commit is skipped), and in one transaction inserts a delivery row per matching
 *   webhook and moves the cursor: an event gets its deliveries exactly once, across
 *   restarts. It runs when events are appended (LISTEN) and every WEBHOOK_SWEEP_SECONDS.
 * - Each delivery row then gets a pg-boss job carrying its id. A **worker** claims the
 *   row (status `delivering` with a lease of the timeout + 5 s) before it sends, so a
 *   duplicate or stale job does nothing; it signs and POSTs the body and records the
 *   answer; a failure schedules the next attempt with exponential backoff and jitter
 *   (a job with `startAfter`), and after WEBHOOK_MAX_ATTEMPTS the delivery is `dead`.
 * - The **sweeper** (one per cluster) gives new jobs to deliveries whose job was lost:
 *   pending ones overdue by a sweep interval, and `delivering` ones whose lease ran out
 *   (their worker was killed mid-flight). Nothing is lost; a receiver may see a
 *   delivery twice and drops the repeat by `X-Inventory-Delivery`.
 */
@Injectable()
export class WebhookDeliveries implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private boss: PgBoss | null = null;
  private starting: Promise<void> | null = null;
  private readonly config: WebhooksConfig;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private dispatching: Promise<void> | null = null;
  private dispatchAgain = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(INVENTORY_CONFIG) private readonly inventoryConfig: InventoryConfig,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    private readonly events: EventsService,
  ) {
    this.config = inventoryConfig.webhooks;
  }

  private get executes(): boolean {
    return this.inventoryConfig.role !== 'api';
  }

  async onModuleInit(): Promise<void> {
    if (!this.db.isInitialized) return;
    this.starting = this.start();
    await this.starting;
  }

  private async start(): Promise<void> {
    const boss = new PgBoss({
      connectionString: this.databaseUrl,
      schema: 'pgboss',
      max: 2,
      application_name: 'inventory-webhooks',
      // The collection queue's instance maintains the shared pg-boss schema.
      supervise: false,
    });
    boss.on('error', (error: Error) => this.logger.error(`Queue error: ${error.message}`));
    await boss.start();
    await boss.createQueue(WEBHOOK_QUEUE, {
      name: WEBHOOK_QUEUE,
      retryLimit: 0,
      expireInSeconds: Math.ceil(this.config.timeoutMs / 1000) + 60,
    });
    this.boss = boss;
    if (!this.executes) return;
    for (let i = 0; i < 4; i++)
      await boss.work<{ deliveryId: string }>(
        WEBHOOK_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: 0.5 },
        async ([job]) => {
          await this.deliver(job.data.deliveryId);
        },
      );
    this.unsubscribe = this.events.onAppended(() => this.kick());
    this.timer = setInterval(() => {
      this.kick();
      void this.sweep().catch((error: Error) => this.logger.warn(`Sweep failed: ${error.message}`));
    }, this.config.sweepSeconds * 1000);
    this.timer.unref();
    this.kick();
  }

  /** Queues deliveries made outside the dispatcher (tests, redeliveries) for their first attempt. */
  async enqueue(ids: string[]): Promise<void> {
    if (!this.boss) throw new Error('The webhook queue is not started');
    for (const id of ids) await this.boss.send(WEBHOOK_QUEUE, { deliveryId: id });
  }

  /** Runs the dispatcher now (again after the current pass, if one is running). */
  kick(): void {
    if (this.stopped) return;
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = (async () => {
      do {
        this.dispatchAgain = false;
        await this.dispatch().catch((error: Error) => this.logger.warn(`Dispatch failed: ${error.message}`));
      } while (this.dispatchAgain && !this.stopped);
    })().finally(() => (this.dispatching = null));
  }

  /** Reads the log from the cursor until caught up, creating and queueing deliveries. */
  async dispatch(): Promise<void> {
    for (;;) {
      const pass = await this.db.transaction(async (manager) => {
        const [{ locked }] = await manager.query<{ locked: boolean }[]>(
          `SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`,
          [DISPATCH_LOCK],
        );
        if (!locked) return null; // another replica is dispatching
        const [{ cursor }] = await manager.query<{ cursor: string }[]>(
          `SELECT cursor::text AS cursor FROM webhook_dispatch_cursor WHERE id = 1 FOR UPDATE`,
        );
        const page = await this.events.readAfter(cursor, {}, DISPATCH_BATCH);
        let ids: string[] = [];
        if (page.events.length) {
          const organizations = [...new Set(page.events.map((e) => e.organization))];
          const hooks = await manager.query<{ id: string; organization_id: number; event_types: string[] }[]>(
            `SELECT id, organization_id, event_types FROM webhooks WHERE enabled AND organization_id = ANY($1::int[])`,
            [organizations],
          );
          const deliveries: NewDelivery[] = [];
          for (const event of page.events)
            for (const hook of hooks)
              if (
                hook.organization_id === event.organization &&
                matchesEventType(hook.event_types, event.type)
              )
                deliveries.push({
                  webhook_id: hook.id,
                  event_id: String(event.id),
                  event_type: event.type,
                  body: JSON.stringify({ type: event.type, event }),
                });
          ids = await insertDeliveries(manager, deliveries);
        }
        await manager.query(`UPDATE webhook_dispatch_cursor SET cursor = $1, modified = now() WHERE id = 1`, [
          String(page.cursor),
        ]);
        return { ids, caughtUp: page.caughtUp };
      });
      if (!pass) return;
      // After the commit: if this fails (or the process dies here), the sweeper queues them.
      await this.enqueue(pass.ids);
      if (pass.caughtUp) return;
    }
  }

  /** Queues deliveries whose job was lost (overdue pending ones, expired leases); once per cluster. */
  async sweep(): Promise<number> {
    const ids = await this.db.transaction(async (manager) => {
      const [{ locked }] = await manager.query<{ locked: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`,
        [SWEEP_LOCK],
      );
      if (!locked) return [];
      const rows = await manager.query<{ id: string }[]>(
        `SELECT id FROM webhook_deliveries
         WHERE (status = 'pending' AND next_attempt_at < now() - make_interval(secs => $1))
            OR (status = 'delivering' AND lease_until < now())
         ORDER BY next_attempt_at LIMIT 1000`,
        [this.config.sweepSeconds],
      );
      return rows.map((r) => r.id);
    });
    if (!this.boss) return 0;
    for (const id of ids)
      await this.boss.send(
        WEBHOOK_QUEUE,
        { deliveryId: id },
        { singletonKey: id, singletonSeconds: this.config.sweepSeconds },
      );
    return ids.length;
  }

  /** One attempt of one delivery, if it is due and nobody else holds it. */
  async deliver(deliveryId: string): Promise<void> {
    const leaseSeconds = this.config.timeoutMs / 1000 + 5;
    const [claimed] = await modifyReturning<{
      attempt: number;
      body: string;
      webhook_id: string;
      url: string;
      secret: string;
      enabled: boolean;
    }>(
      this.db,
      `UPDATE webhook_deliveries d SET status = 'delivering', attempt = d.attempt + 1,
         lease_until = now() + make_interval(secs => $2), modified = now()
       FROM webhooks w
       WHERE d.id = $1 AND w.id = d.webhook_id AND d.next_attempt_at <= now() + interval '1 second'
         AND (d.status = 'pending' OR (d.status = 'delivering' AND d.lease_until < now()))
       RETURNING d.attempt, d.body, w.id AS webhook_id, w.url, w.secret, w.enabled`,
      [deliveryId, leaseSeconds],
    );
    if (!claimed) return; // done, dead, not yet due, or being delivered by another worker
    const result: AttemptResult = claimed.enabled
      ? await this.post(
          deliveryId,
          claimed.url,
          String(webhookSecrets(this.secrets, claimed.webhook_id).open(claimed.secret, 'secret')),
          claimed.body,
        )
      : { ok: false, responseCode: null, durationMs: 0, error: 'the webhook is disabled', permanent: true };
    if (result.ok) {
      await this.db.query(
        `UPDATE webhook_deliveries SET status = 'succeeded', delivered_at = now(), lease_until = NULL,
           response_code = $2, duration_ms = $3, error = NULL, modified = now() WHERE id = $1`,
        [deliveryId, result.responseCode, result.durationMs],
      );
      return;
    }
    const dead = result.permanent || claimed.attempt >= this.config.maxAttempts;
    const next = new Date(Date.now() + (dead ? 0 : backoffDelayMs(this.config, claimed.attempt)));
    await this.db.query(
      `UPDATE webhook_deliveries SET status = $2, next_attempt_at = $3, lease_until = NULL,
         response_code = $4, duration_ms = $5, error = $6, modified = now() WHERE id = $1`,
      [deliveryId, dead ? 'dead' : 'pending', next, result.responseCode, result.durationMs, result.error],
    );
    if (dead) {
      this.logger.warn(
        `Webhook delivery ${deliveryId} dead after ${claimed.attempt} attempt(s): ${result.error}`,
      );
      return;
    }
    await this.boss?.send(WEBHOOK_QUEUE, { deliveryId }, { startAfter: next });
  }

  /** POSTs the signed body; never throws. */
  private post(deliveryId: string, rawUrl: string, secret: string, body: string): Promise<AttemptResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<AttemptResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...result, durationMs: elapsed() });
      };
      const url = new URL(rawUrl);
      const client = url.protocol === 'https:' ? https : http;
      const request = client.request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'inventory-webhooks/1',
          'x-inventory-delivery': deliveryId,
          'x-inventory-signature': signWebhookBody(secret, body, Math.floor(Date.now() / 1000)),
        },
        lookup: guardedLookup(this.config.allowPrivateTargets),
      });
      const timer = setTimeout(() => {
        request.destroy();
        finish({
          ok: false,
          responseCode: null,
          error: `timed out after ${this.config.timeoutMs / 1000} s`,
          permanent: false,
        });
      }, this.config.timeoutMs);
      request.on('error', (error: Error) =>
        finish({
          ok: false,
          responseCode: null,
          error: error.message || String(error),
          permanent: error instanceof PrivateTargetError,
        }),
      );
      request.on('response', (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) response.destroy();
        });
        const done = () => {
          const code = response.statusCode ?? 0;
          const ok = code >= 200 && code < 300;
          finish({ ok, responseCode: code, error: ok ? null : `answered ${code}`, permanent: false });
        };
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      });
      request.end(body);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.starting?.catch(() => undefined);
    await this.dispatching?.catch(() => undefined);
    await this.boss?.stop({ graceful: true, wait: true, timeout: 20_000 }).catch(() => undefined);
    this.boss = null;
  }
}
