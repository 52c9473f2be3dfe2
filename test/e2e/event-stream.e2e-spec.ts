import { randomUUID } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { PluginsService } from '../../src/plugins/plugins.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait, ScriptedPlugin } from '../support/collection.js';
import { appendCommittedEvents, createOrganization } from '../support/factories.js';

interface SseEvent {
  id: string | null;
  event: string | null;
  data: string;
}

/** A real HTTP client on the SSE stream: parses frames and comments as they arrive. */
class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  ended = false;
  errored: Error | null = null;
  response: IncomingMessage | null = null;
  private request: ClientRequest;
  private buffer = '';
  private waiters: (() => void)[] = [];

  constructor(url: string, headers: Record<string, string>) {
    this.request = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      this.status = res.statusCode ?? 0;
      this.response = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.take(chunk));
      res.on('end', () => {
        this.ended = true;
        this.poke();
      });
      res.on('error', (error) => {
        this.errored = error;
        this.poke();
      });
      this.poke();
    });
    this.request.on('error', (error) => {
      this.errored = error;
      this.poke();
    });
    this.request.end();
  }

  private take(chunk: string) {
    this.buffer += chunk;
    let at: number;
    while ((at = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + 2);
      const frame: SseEvent = { id: null, event: null, data: '' };
      let isEvent = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments.push(line.slice(1).trim());
          continue;
        }
        if (line.startsWith('id: ')) frame.id = line.slice(4);
        else if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('data: ')) frame.data += line.slice(6);
        else continue;
        isEvent = true;
      }
      if (isEvent) this.events.push(frame);
    }
    this.poke();
  }

  private poke() {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out; ${this.events.length} events so far`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Drops the connection (as a client going away would). */
  disconnect() {
    this.request.destroy();
  }
}

describe('GET /events/stream/ (Server-Sent Events)', () => {
  let t: TestApp;
  const plugin = new ScriptedPlugin('streamed');
  beforeAll(async () => {
    t = await startTestApp({ EVENTS_STREAM_KEEPALIVE_SECONDS: '1' });
    t.app.get(PluginsService).register(plugin);
  });
  afterAll(async () => {
    await t.close();
  });

  const auth = () => ({ authorization: t.admin.bearer });
  const streamUrl = (query: string) => `${t.api}/events/stream/?${query}`;

  const newProvider = async (organization: number) => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: `streamed-${randomUUID().slice(0, 6)}`,
        vendor: 'test',
        provider_type: 'streamed',
        infrastructure: 'private_cloud',
        organization,
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('a client that disconnects and resumes with Last-Event-ID during collections sees every event once, in order', async () => {
    const org = await createOrganization(t.pool);
    const provider = await newProvider(org);
    const clients: SseClient[] = [];
    let client = new SseClient(streamUrl(`provider=${provider}&after=0`), auth());
    clients.push(client);
    await client.until(() => client.status !== 0);
    expect(client.status).toBe(200);
    expect(client.response!.headers['content-type']).toMatch(/^text\/event-stream/);

    // Collections in the background: each run creates, changes or removes resources.
    plugin.delayMs = 2;
    const collecting = (async () => {
      for (let run = 0; run < 4; run++) {
        plugin.resources = Array.from({ length: 40 }, (_, i) => ({
          ems_ref: `vm-${i}`,
          state: (i + run) % 3 === 0 ? ('stopped' as const) : ('running' as const),
          memory_mb: 1024 * (1 + ((i * run) % 4)),
        })).filter((_, i) => (i + run) % 7 !== 0);
        expect((await collectAndWait(t, provider)).status).toBe('completed');
      }
    })();

    const received: SseEvent[] = [];
    const lastId = () => received.at(-1)?.id ?? client.events.at(-1)?.id ?? null;
    for (let reconnect = 0; reconnect < 3; reconnect++) {
      const before = received.length;
      await client.until(() => client.events.length >= 5 || client.ended);
      client.disconnect();
      received.push(...client.events);
      await new Promise((resolve) => setTimeout(resolve, 150 + reconnect * 100));
      const last = received.at(-1)?.id ?? String(before);
      client = new SseClient(streamUrl(`provider=${provider}`), { ...auth(), 'last-event-id': last });
      clients.push(client);
    }
    await collecting;
    const expected = await (async () => {
      const all: any[] = [];
      let url: string | null = `${t.api}/events/?provider=${provider}&limit=1000`;
      while (url) {
        const page: any = await http(url);
        all.push(...page.body.results);
        url = page.body.next;
      }
      return all;
    })();
    await client.until(() => (client.events.at(-1)?.id ?? '0') === String(expected.at(-1).id));
    // An idle stream gets keep-alive comments (EVENTS_STREAM_KEEPALIVE_SECONDS=1 here; 15 by
    // default). Waited for, not assumed: on a fast machine every connection above may have
    // been shorter than one interval.
    await client.until(() => client.comments.includes('keep-alive'));
    client.disconnect();
    received.push(...client.events);
    expect(lastId()).toBe(String(expected.at(-1).id));

    expect(received.map((e) => Number(e.id))).toEqual(expected.map((e) => e.id));
    expect(received.map((e) => e.event)).toEqual(expected.map((e) => e.type));
    expect(JSON.parse(received[0].data)).toEqual(expected[0]);
    expect(expected.filter((e) => e.type === 'collection_run.completed')).toHaveLength(4);
    expect(expected.some((e) => e.type === 'resource.changed')).toBe(true);
    expect(clients.some((c) => c.comments.includes('keep-alive'))).toBe(true);
  });

  it('starts at the end of the log without a cursor, with the same filters and 400 on bad input', async () => {
    const org = await createOrganization(t.pool);
    const client = new SseClient(streamUrl(`organization=${org}&type=system.*`), auth());
    await client.until(() => client.comments.some((c) => c.startsWith('connected')));
    await appendCommittedEvents(t.pool, [
      { type: 'resource.created', organizationId: org, payload: { ems_ref: 'x', name: 'x' } },
      { type: 'system.enrolled', organizationId: org, payload: { name: 'live', system_key: 'k' } },
    ]);
    await client.until(() => client.events.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.disconnect();
    expect(client.events.map((e) => [e.event, JSON.parse(e.data).payload.name])).toEqual([
      ['system.enrolled', 'live'],
    ]);

    for (const [query, headers] of [
      ['type=nope', {}],
      ['limit=10', {}],
      ['after=x', {}],
      ['', { 'last-event-id': 'abc' }],
    ] as const) {
      const res = await http(streamUrl(query), { headers });
      expect([query, res.status]).toEqual([query, 400]);
    }
    const anonymous = await http(streamUrl(''), { anonymous: true });
    expect(anonymous.status).toBe(401);
  });

  it('lets a client that does not keep up go with a final overflow event', async () => {
    const org = await createOrganization(t.pool);
    const client = new SseClient(streamUrl(`organization=${org}&after=0`), auth());
    await client.until(() => client.response !== null);
    client.response!.pause();
    const filler = 'x'.repeat(400);
    for (let i = 0; i < 4; i++)
      await appendCommittedEvents(
        t.pool,
        Array.from({ length: 10_000 }, (_, n) => ({
          type: 'system.enrolled' as const,
          organizationId: org,
          payload: { name: `bulk-${i}-${n}`, system_key: filler },
        })),
      );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    client.response!.resume();
    await client.until(() => client.ended, 30_000);
    expect(client.events.at(-1)!.event).toBe('overflow');
    expect(client.events.length - 1).toBeLessThan(40_000);
    const ids = client.events.slice(0, -1).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(JSON.parse(client.events.at(-1)!.data).last_event_id).toBe(ids.at(-1));
  });
});

describe('GET /events/stream/ during shutdown', () => {
  it('ends open streams cleanly when the application closes', async () => {
    const t = await startTestApp();
    const client = new SseClient(`${t.api}/events/stream/`, { authorization: t.admin.bearer });
    await client.until(() => client.comments.some((c) => c.startsWith('connected')));
    const started = Date.now();
    await t.close();
    await client.until(() => client.ended || client.errored !== null, 10_000);
    expect(client.errored).toBeNull();
    expect(client.ended).toBe(true);
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
