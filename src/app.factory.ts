import 'reflect-metadata';
import { type LogLevel as NestLogLevel, type LoggerService, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppModule, type AppOptions } from './app.module.js';
import multipart from '@fastify/multipart';
import { applySecurity } from './auth/openapi-security.js';
import { LocalTokenKeys } from './auth/local-tokens.js';
import { ApiExceptionFilter } from './common/http/exception.filter.js';
import { RouteTable } from './common/http/method-not-allowed.js';
import { MetricsService } from './metrics/metrics.service.js';
import { registerRequestLogging } from './logging/logging.js';
import { COMPAT_ROUTES } from './facts/facts.controller.js';
import { PushGate } from './facts/push-gate.js';
import { installHttpHooks } from './inventory-core.js';
import type { LogLevel } from './config/config.js';
import { ALIAS_PREFIX, API_PREFIX, VERSION } from './version.js';
import { registerWebUi } from './web-ui/web-ui.js';

const LEVELS: NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const LEVEL_INDEX: Record<LogLevel, number> = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  return LEVELS.slice(0, LEVEL_INDEX[level] + 1);
}

/** `/api/v1/...` (a gateway that strips the service slug) is served by the canonical routes. */
export function rewriteAliasPrefix(url: string): string {
  return url.startsWith(ALIAS_PREFIX) ||
    url === ALIAS_PREFIX.slice(0, -1) ||
    url.startsWith(`${ALIAS_PREFIX.slice(0, -1)}?`)
    ? `/${API_PREFIX}${url.slice(ALIAS_PREFIX.length - 1)}`
    : url;
}

/** The only paths a worker answers (probes and scraping), compared exactly. */
const WORKER_PATHS = new Set(['ping', 'health', 'metrics'].map((name) => `/${API_PREFIX}/${name}`));

/**
 * Whether a (rewritten) request URL is one a worker process answers: its path alone, the
 * part before `?` (and `#`), must be a probe path, with or without the trailing slash;
 * the query string never decides (`/providers/?x=/ping` is not a probe).
 */
export function isWorkerPath(url: string): boolean {
  let path = url.split(/[?#]/, 1)[0];
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return WORKER_PATHS.has(path);
}

/**
 * Builds the standalone Nest application (not yet listening): Fastify with optional
 * trailing slashes and the /api/v1 alias, the global prefix, error mapping, 405s and the
 * OpenAPI docs around AppModule (the same modules InventoryModule embeds). Shared by
 * `serve`, the tests and the `openapi` command.
 */
export async function createApp(
  options: AppOptions & { logger?: LoggerService | false },
): Promise<NestFastifyApplication> {
  const localTokenKeys = options.localTokenKeys ?? (await LocalTokenKeys.load(options.config.dataDir));
  options = { ...options, localTokenKeys };
  const routes = new RouteTable();
  const adapter = new FastifyAdapter({
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    rewriteUrl: (request: { url?: string }) => rewriteAliasPrefix(request.url ?? '/'),
    trustProxy: false,
  });
  let metrics: MetricsService | null = null;
  let pushGate: PushGate | null = null;
  installHttpHooks(adapter.getInstance(), {
    routes,
    maxPushBodyBytes: options.config.facts.maxBodyBytes,
    maxAutomationBodyBytes: options.config.automation.maxBodyBytes,
    maxJsonDepth: options.config.jsonMaxDepth,
    metrics: () => metrics,
    pushGate: () => pushGate,
  });
  if (options.requestLogger) registerRequestLogging(adapter.getInstance(), options.requestLogger);
  await adapter.getInstance().register(multipart, { limits: { files: 1, fields: 10 } });
  // The web UI (dist/ui, built by `npm run build`) at /ui/, outside the API prefix.
  registerWebUi(adapter.getInstance());
  if (options.config.role === 'worker') {
    // A worker runs jobs; it answers health probes and metrics only.
    adapter.getInstance().addHook('onRequest', async (request, reply) => {
      if (!isWorkerPath(request.url))
        await reply
          .code(404)
          .send({ detail: 'This process runs background jobs only (INVENTORY_ROLE=worker).' });
    });
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ ...options, routes }),
    adapter,
    { logger: options.logger ?? nestLogLevels(options.config.logLevel), abortOnError: false },
  );
  metrics = app.get(MetricsService);
  pushGate = app.get(PushGate);
  if (options.config.corsOrigins.length > 0) {
    // Browsers on these origins may call the API with a token header (no cookies, so no
    // credentials mode); preflights are answered by @fastify/cors before any route.
    app.enableCors({
      origin: options.config.corsOrigins.includes('*') ? true : options.config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Accept',
        'X-DAB-JW-TOKEN',
        'Last-Event-ID',
        'X-Requested-With',
      ],
      exposedHeaders: ['Content-Disposition', 'Retry-After', 'X-Request-Id'],
      maxAge: 600,
    });
  }
  // The existing push clients' paths (fact_inventory, the collector agent) live outside the prefix.
  app.setGlobalPrefix(API_PREFIX, {
    exclude: COMPAT_ROUTES.map((path) => ({ path, method: RequestMethod.ALL })),
  });
  // The guard, validation pipe and error filter sit on each inventory controller (see
  // scopeToInventory); the global filter answers what no controller does (404, 405,
  // errors Fastify raises before a controller runs) in the same shape.
  app.useGlobalFilters(new ApiExceptionFilter(routes));
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(`${API_PREFIX}/docs`, app, document, {
    jsonDocumentUrl: `${API_PREFIX}/openapi.json`,
    raw: ['json'],
    customSiteTitle: 'Inventory API',
  });
  try {
    await app.init();
  } catch (error) {
    // Close what started before the failing hook (say a bad CHANGE_RULES_FILE): the
    // queue's workers would otherwise keep polling behind the error.
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Inventory API')
    .setDescription(
      'Unified infrastructure inventory: providers and their collection runs, resources with identity, ' +
        'relationships and history, and the taxonomy. Lists answer `{count, next, previous, results}`; ' +
        'errors answer `{detail}`. Every route is also served under `/api/v1/`.',
    )
    .setVersion(VERSION)
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  return applySecurity(document);
}
