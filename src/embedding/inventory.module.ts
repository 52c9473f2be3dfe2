import { applySecurity } from '../auth/openapi-security.js';
import multipart from '@fastify/multipart';
import {
  type DynamicModule,
  type INestApplication,
  Inject,
  Logger,
  Module,
  type NestModule,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { ensureAdminAccount } from '../auth/admin-account.js';
import { scryptParams } from '../auth/passwords.js';
import { LocalTokenKeys } from '../auth/local-tokens.js';
import { loadOrCreateSecretKey, SecretBox } from '../common/crypto/secret-box.js';
import { ApiExceptionFilter } from '../common/http/exception.filter.js';
import { ROUTE_TABLE, type RouteTable } from '../common/http/method-not-allowed.js';
import { INVENTORY_CONFIG, type InventoryConfig, loadConfig } from '../config/config.js';
import { runMigrations, withDataSource } from '../database/migrations.js';
import { installHttpHooks, inventoryImports, routedModules } from '../inventory-core.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PushGate } from '../facts/push-gate.js';
import { API_PREFIX, VERSION } from '../version.js';

export interface InventoryModuleOptions {
  /**
   * Path the inventory's routes are mounted under (Nest's RouterModule), e.g.
   * `inventory/api/v1`: its resources are then at `/inventory/api/v1/resources/`.
   * Default `api/inventory/v1`, as in the standalone service. The parent's global prefix,
   * if it sets one, comes in front.
   */
  prefix?: string;
  /** The inventory's PostgreSQL 15+ database (it owns the schema its migrations create). */
  databaseUrl: string;
  /**
   * Settings by their environment-variable names (README, Configuration), e.g.
   * `{ INVENTORY_DATA_DIR: '/var/lib/app/inventory', GATEWAY_JWT_PUBLIC_KEY: pem }`.
   * Validated like the environment; process.env is not read (pass it yourself if wanted).
   * PORT, HOST, DATABASE_URL and the LOG_* settings have no effect here.
   */
  config?: Record<string, string | undefined>;
  /** Register the inventory's `GET ping/` and `GET health/`. Default true. */
  health?: boolean;
  /** Register the inventory's `GET metrics/` (Prometheus). Default true. */
  metrics?: boolean;
  /** Apply pending migrations before connecting. Default: MIGRATIONS_RUN of `config` (true). */
  migrationsRun?: boolean;
  /**
   * Create the `admin` superuser on first start (password from INVENTORY_ADMIN_PASSWORD or
   * generated into INVENTORY_DATA_DIR/admin-password), as the standalone service does.
   * Default true.
   */
  adminAccount?: boolean;
  /** Keys of the tokens the inventory signs itself. Default: the key pair in INVENTORY_DATA_DIR. */
  localTokenKeys?: LocalTokenKeys;
}

/** Fastify options the inventory's URLs expect (trailing slashes are optional, long ids fit). */
export const INVENTORY_FASTIFY_OPTIONS = {
  routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
} as const;

const EMBEDDING = Symbol('INVENTORY_EMBEDDING');

interface Embedding {
  prefix: string;
  health: boolean;
  metrics: boolean;
}

function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

/**
 * The inventory as a module of another NestJS application (Fastify platform):
 *
 * ```ts
 * @Module({
 *   imports: [
 *     InventoryModule.forRoot({ prefix: 'inventory/api/v1', databaseUrl, health: false, metrics: false }),
 *   ],
 *   controllers: [MyController],
 * })
 * class AppModule {}
 * ```
 *
 * Everything the inventory needs per request comes with it and applies to its routes
 * only: authentication (AuthGuard), the strict validation pipe, the `{"detail": ...}`
 * error filter (also for body-parsing and size errors on its routes), push body limits
 * and request metrics. The parent's routes, guards, pipes and filters are left alone.
 */
@Module({})
export class InventoryModule implements NestModule {
  private readonly logger = new Logger('Inventory');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
    @Inject(ROUTE_TABLE) private readonly routes: RouteTable,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    @Inject(EMBEDDING) private readonly embedding: Embedding,
  ) {}

  static forRoot(options: InventoryModuleOptions): DynamicModule {
    const config = loadConfig({ ...options.config, DATABASE_URL: options.databaseUrl });
    const embedding: Embedding = {
      prefix: normalizePrefix(options.prefix ?? API_PREFIX),
      health: options.health ?? true,
      metrics: options.metrics ?? true,
    };
    const logger = new Logger('Inventory');
    const log = (message: string) => logger.log(message);
    return {
      module: InventoryModule,
      imports: inventoryImports({
        config,
        databaseUrl: options.databaseUrl,
        secretBox: async () => {
          const secret = await loadOrCreateSecretKey(config.secretKey, config.dataDir);
          if (secret.created)
            log(`Generated the secret-encryption key in ${secret.path} (back it up with the database)`);
          return new SecretBox(secret.key, config.previousSecretKeys);
        },
        localTokenKeys: options.localTokenKeys ?? (() => LocalTokenKeys.load(config.dataDir)),
        beforeConnect: async () => {
          if (options.migrationsRun ?? config.migrationsRun) {
            const applied = await runMigrations(options.databaseUrl, log);
            if (applied.length) log(`Database migrated (${applied.length} migrations applied)`);
          }
          if ((options.adminAccount ?? true) && config.role !== 'worker') {
            const note = await withDataSource(options.databaseUrl, (db) =>
              ensureAdminAccount(
                db,
                config.dataDir,
                config.adminPassword,
                scryptParams(config.passwordScryptCost),
              ),
            );
            if (note) log(note);
          }
        },
        health: embedding.health,
        metrics: embedding.metrics,
        prefix: embedding.prefix,
      }),
      providers: [{ provide: EMBEDDING, useValue: embedding }],
    };
  }

  /**
   * Serves the inventory's OpenAPI document and browsable docs (only its routes) at
   * `<prefix>/openapi.json` and `<prefix>/docs/` (or `path`). Call before `app.init()`
   * or `app.listen()`; returns the document.
   */
  static setupDocs(app: INestApplication, options: { path?: string } = {}): OpenAPIObject {
    const { prefix, health, metrics } = app.get<Embedding>(EMBEDDING);
    const path = normalizePrefix(options.path ?? `${prefix}/docs`);
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Inventory API')
        .setDescription(
          'Unified infrastructure inventory (embedded). Lists answer `{count, next, previous, results}`; ' +
            'errors answer `{detail}`.',
        )
        .setVersion(VERSION)
        .build(),
      {
        include: routedModules({ health, metrics }),
        operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
      },
    );
    applySecurity(document);
    SwaggerModule.setup(path, app, document, {
      jsonDocumentUrl: `${prefix}/openapi.json`,
      raw: ['json'],
      customSiteTitle: 'Inventory API',
    });
    return document;
  }

  /** Runs while the application initializes, before Nest registers the routes. */
  async configure(): Promise<void> {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() !== 'fastify')
      throw new Error(
        'InventoryModule needs a NestJS application on the Fastify platform (new FastifyAdapter(...)).',
      );
    const fastify = adapter.getInstance<FastifyInstance>();
    const initial = fastify.initialConfig as {
      ignoreTrailingSlash?: boolean;
      routerOptions?: { ignoreTrailingSlash?: boolean };
    };
    if (!initial.routerOptions?.ignoreTrailingSlash && !initial.ignoreTrailingSlash)
      this.logger.warn(
        'The Fastify adapter does not ignore trailing slashes: inventory URLs ending in "/" will not match. ' +
          'Create it with INVENTORY_FASTIFY_OPTIONS.',
      );
    installHttpHooks(fastify, {
      routes: this.routes,
      maxPushBodyBytes: this.config.facts.maxBodyBytes,
      maxAutomationBodyBytes: this.config.automation.maxBodyBytes,
      maxJsonDepth: this.config.jsonMaxDepth,
      metrics: () => this.moduleRef.get(MetricsService, { strict: false }),
      pushGate: () => this.moduleRef.get(PushGate, { strict: false }),
      embedded: { errorFilter: new ApiExceptionFilter(this.routes) },
    });
    // Plugin uploads (POST provider-plugins/upload/) read multipart bodies.
    if (!fastify.hasContentTypeParser('multipart/form-data'))
      await fastify.register(multipart, { limits: { files: 1, fields: 10 } });
  }
}
