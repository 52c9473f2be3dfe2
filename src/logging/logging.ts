import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { InventoryConfig } from '../config/config.js';

/** Fields never written in clear, wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'password',
  'secret',
  'token',
  'authorization',
  'connection_config',
  '*.password',
  '*.secret',
  '*.token',
  '*.authorization',
  '*.connection_config',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-dab-jw-token"]',
];

const SECRET_QUERY = /^(.*(token|password|secret|key).*)$/i;

export interface LoggerOptions {
  /** `json` (one object per line), `pretty` (human readable) or `auto` (pretty on a TTY). */
  format?: 'json' | 'pretty' | 'auto';
  destination?: DestinationStream | NodeJS.WritableStream;
}

/** The service's structured logger: JSON lines, secrets redacted, human-readable on a terminal. */
export function createLogger(
  config: Pick<InventoryConfig, 'logLevel' | 'role'>,
  options: LoggerOptions = {},
) {
  const destination = options.destination ?? process.stdout;
  const format = options.format ?? 'auto';
  const pretty =
    format === 'pretty' || (format === 'auto' && (destination as { isTTY?: boolean }).isTTY === true);
  return pino(
    {
      level: config.logLevel,
      base: { service: 'inventory', role: config.role, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    pretty ? prettyStream(destination as NodeJS.WritableStream) : destination,
  );
}

const LEVEL_COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
};

/** One JSON log line as a readable line: `10:04:05.123 INFO  [context] message key=value ...`. */
export function prettyLine(line: string, colors = true): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, context, service: _service, role: _role, pid: _pid, ...rest } = entry;
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? ''));
  const label = typeof level === 'string' ? level : 'info';
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const tint = colors ? (LEVEL_COLORS[label] ?? '') : '';
  const reset = colors ? '\x1b[0m' : '';
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${clock} ${tint}${label.toUpperCase().padEnd(5)}${reset} ${context ? `[${text(context)}] ` : ''}${typeof msg === 'string' ? msg : text(msg)}${fields ? `  ${fields}` : ''}`;
}

function prettyStream(out: NodeJS.WritableStream): Writable {
  // LOG_FORMAT=pretty into a pipe or file: readable lines, without ANSI colours.
  const colors = (out as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR;
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line) out.write(`${prettyLine(line, colors)}\n`);
      callback();
    },
  });
}

/**
 * Nest's own start-up narration (module wiring, every mapped route, "application started"):
 * about a hundred lines on every start, useful when debugging the wiring only.
 */
const NEST_WIRING = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** Nest's logger interface over pino: framework and service messages become structured too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  private write(
    level: 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    params: unknown[],
  ) {
    const context = params.length && typeof params[params.length - 1] === 'string' ? params.pop() : undefined;
    const stack = level === 'error' && typeof params[0] === 'string' ? params[0] : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null)
      this.logger[level]({ context, ...message } as object);
    else this.logger[level]({ context, ...(stack ? { stack } : {}) }, String(message));
  }
  log(message: unknown, ...params: unknown[]) {
    const context = params[params.length - 1];
    this.write(typeof context === 'string' && NEST_WIRING.has(context) ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }
}

const REQUEST_ID = /^[\w.:@/+=-]{1,200}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface RequestContext {
  requestId: string;
  traceId?: string;
  parentSpanId?: string;
  traceFlags?: string;
}

type RequestWithContext = FastifyRequest & { inventoryLog?: RequestContext; actor?: { username: string } };

/** The W3C trace context of a `traceparent` header, or null when it is absent or malformed. */
export function parseTraceparent(header: string | undefined) {
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2]) || /^0+$/.test(match[3])) return null;
  return { traceId: match[2], parentSpanId: match[3], traceFlags: match[4] };
}

/** The URL as logged: values of secret-looking query parameters are replaced. */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = new URLSearchParams(url.slice(at + 1));
  for (const key of [...query.keys()]) if (SECRET_QUERY.test(key)) query.set(key, '[Redacted]');
  return `${url.slice(0, at)}?${query.toString()}`;
}

/**
 * One log line per request: request id (X-Request-ID honoured, else generated; always
 * returned), W3C trace id from `traceparent`, user, method, route, status, latency.
 */
export function registerRequestLogging(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const given = request.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    const trace = parseTraceparent(request.headers.traceparent as string | undefined);
    (request as RequestWithContext).inventoryLog = { requestId, ...(trace ?? {}) };
    reply.header('X-Request-ID', requestId);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const context = (request as RequestWithContext).inventoryLog;
    const status = reply.statusCode;
    const entry = {
      request_id: context?.requestId,
      trace_id: context?.traceId,
      parent_span_id: context?.parentSpanId,
      user: (request as RequestWithContext).actor?.username ?? null,
      method: request.method,
      url: loggableUrl(request.url),
      route: request.routeOptions?.url ?? null,
      status,
      latency_ms: Math.round(reply.elapsedTime * 10) / 10,
      remote_address: request.ip,
    };
    const message = `${request.method} ${entry.url} ${status}`;
    if (status >= 500) logger.error({ context: 'HTTP', ...entry }, message);
    else logger.info({ context: 'HTTP', ...entry }, message);
  });
}
