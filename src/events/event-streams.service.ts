import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Actor } from '../auth/actor.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import type { EventDto } from './dto/event.dto.js';
import { type EventFilters, EventsService } from './events.service.js';

/** A client this far behind (bytes written but not yet taken by its socket) is let go. */
export const MAX_STREAM_BUFFER_BYTES = 1024 * 1024;
/** Events read per query while a stream catches up. */
const PAGE = 500;
/** Read even without a notification this often (a NOTIFY lost while LISTEN reconnected). */
const POLL_MS = 5000;

const frame = (e: EventDto) => `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/**
 * `GET /events/stream/`: Server-Sent Events over the event log. Each stream reads with the
 * same cursor reader as the list (never past the horizon, so nothing is skipped and,
 * resuming after `Last-Event-ID`, nothing repeats), is woken by the log's commit
 * notifications, sends a comment line every EVENTS_STREAM_KEEPALIVE_SECONDS, lets a
 * client that stops reading go with a final `event: overflow` instead of buffering for
 * it without bound, and ends cleanly when the application shuts down.
 */
@Injectable()
export class EventStreamsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('EventStreams');
  private readonly open = new Set<() => void>();
  private readonly keepaliveMs: number;

  constructor(
    private readonly events: EventsService,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
  ) {
    this.keepaliveMs = config.eventsStreamKeepaliveSeconds * 1000;
  }

  /** Serves one stream until the client leaves, overflows or the application stops. */
  async serve(actor: Actor, after: number | null, filters: EventFilters, reply: FastifyReply): Promise<void> {
    // No cursor: from now on (what is already in the log is read with GET /events/).
    let cursor = after ?? Number(await this.events.horizon());
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.write(`retry: 2000\n: connected after ${cursor}\n\n`);

    let closed = false;
    let pending = true;
    let wake: (() => void) | null = null;
    const notify = () => {
      pending = true;
      wake?.();
    };
    const unsubscribe = this.events.onAppended(notify);
    const keepalive = setInterval(() => {
      if (!closed) res.write(': keep-alive\n\n');
    }, this.keepaliveMs);
    const poll = setInterval(notify, POLL_MS);
    const stop = () => {
      if (closed) return;
      closed = true;
      clearInterval(keepalive);
      clearInterval(poll);
      unsubscribe();
      wake?.();
    };
    const end = () => {
      stop();
      if (!res.writableEnded) res.end();
    };
    res.on('close', stop);
    this.open.add(end);
    try {
      while (!closed) {
        if (!pending) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (closed) break;
        pending = false;
        for (;;) {
          const page = await this.events.readVisible(actor, cursor, filters, PAGE);
          if (closed) break;
          if (page.events.length) res.write(page.events.map(frame).join(''));
          cursor = page.cursor;
          if (res.writableLength > MAX_STREAM_BUFFER_BYTES) {
            res.write(
              `event: overflow\ndata: ${JSON.stringify({
                detail: 'The client did not keep up; reconnect with Last-Event-ID to resume.',
                last_event_id: page.events.at(-1)?.id ?? null,
              })}\n\n`,
            );
            end();
            return;
          }
          if (page.caughtUp) break;
        }
      }
    } catch (error) {
      this.logger.warn(`Event stream ended by an error: ${(error as Error).message}`);
    } finally {
      this.open.delete(end);
      end();
    }
  }

  /** Shutdown: every open stream ends (clients reconnect, with Last-Event-ID, to another replica). */
  beforeApplicationShutdown(): void {
    for (const end of [...this.open]) end();
  }
}
