import { Writable } from 'node:stream';
import { createLogger, loggableUrl, parseTraceparent, prettyLine } from '../../src/logging/logging.js';
import { http, startTestApp, type TestApp } from '../support/app.js';

/** Collects what a logger writes, one parsed JSON object per line. */
function memoryStream() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { stream, lines, entries: () => lines.map((line) => JSON.parse(line) as Record<string, any>) };
}

describe('structured request logs', () => {
  let t: TestApp;
  const out = memoryStream();
  beforeAll(async () => {
    const logger = createLogger(
      { logLevel: 'info', role: 'all' },
      { format: 'json', destination: out.stream },
    );
    t = await startTestApp({}, { requestLogger: logger });
  });
  afterAll(async () => {
    await t.close();
  });

  const entryFor = (requestId: string) => out.entries().find((entry) => entry.request_id === requestId);

  it('honours and returns X-Request-ID and logs user, route, status and latency', async () => {
    const res = await http(`${t.api}/resource-types/?page_size=1`, {
      headers: { 'X-Request-ID': 'req-abc-1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-abc-1');
    const entry = entryFor('req-abc-1');
    expect(entry).toMatchObject({
      level: 'info',
      service: 'inventory',
      context: 'HTTP',
      user: t.admin.username,
      method: 'GET',
      route: '/api/inventory/v1/resource-types',
      status: 200,
    });
    expect(entry!.latency_ms).toEqual(expect.any(Number));
    expect(new Date(entry!.time).getTime()).not.toBeNaN();
  });

  it('generates a request id when none (or a malformed one) is given', async () => {
    const res = await http(`${t.api}/ping/`, {
      anonymous: true,
      headers: { 'X-Request-ID': 'bad id\twith spaces' },
    });
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(entryFor(id)).toMatchObject({ user: null, status: 200, route: '/api/inventory/v1/ping' });
  });

  it('carries the W3C traceparent trace id into the log', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await http(`${t.api}/ping/`, { headers: { traceparent, 'X-Request-ID': 'traced-1' } });
    expect(res.status).toBe(200);
    expect(entryFor('traced-1')).toMatchObject({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      parent_span_id: '00f067aa0ba902b7',
    });
  });

  it('never writes credentials: headers are not logged, secret query values are redacted', async () => {
    await http(`${t.api}/resource-types/?token=supersecret&page_size=1`, {
      headers: { 'X-Request-ID': 'secret-1' },
    });
    const entry = entryFor('secret-1')!;
    expect(entry.url).toContain('token=%5BRedacted%5D');
    const all = out.lines.join('\n');
    expect(all).not.toContain('supersecret');
    expect(all).not.toContain(t.admin.bearer.slice(7));
  });
});

describe('the logger', () => {
  it('redacts secret fields wherever they appear', () => {
    const out = memoryStream();
    const logger = createLogger(
      { logLevel: 'info', role: 'api' },
      { format: 'json', destination: out.stream },
    );
    logger.info(
      {
        password: 'p1',
        provider: { connection_config: { password: 'p2' }, name: 'vc' },
        headers: { authorization: 'Basic x' },
      },
      'hello',
    );
    const [entry] = out.entries();
    expect(entry.password).toBe('[Redacted]');
    expect(entry.provider).toEqual({ connection_config: '[Redacted]', name: 'vc' });
    expect(entry.headers.authorization).toBe('[Redacted]');
  });

  it('prints readable lines in pretty mode', () => {
    const out = memoryStream();
    const logger = createLogger(
      { logLevel: 'info', role: 'api' },
      { format: 'pretty', destination: out.stream },
    );
    logger.info({ context: 'HTTP', status: 200 }, 'GET /ping/ 200');
    expect(out.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} .*INFO.* \[HTTP\] GET \/ping\/ 200 {2}status=200$/);
    // Not a terminal: no ANSI colours.
    expect(out.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[HTTP\] GET \/ping\/ 200 {2}status=200$/);
    expect(prettyLine('not json')).toBe('not json');
  });

  it('parses traceparent and cleans URLs', () => {
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceparent('garbage')).toBeNull();
    expect(loggableUrl('/x/?password=a&name=b')).toBe('/x/?password=%5BRedacted%5D&name=b');
    expect(loggableUrl('/x/')).toBe('/x/');
  });
});
