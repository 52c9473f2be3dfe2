import {
  type DynamicModule,
  Global,
  Module,
  type Provider,
  type Type,
  UseFilters,
  UseInterceptors,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/internal';
import { RouterModule } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiIndexModule } from './api-index/api-index.module.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthModule } from './auth/auth.module.js';
import { AuthRoutesModule } from './auth/auth-routes.module.js';
import type { LocalTokenKeys } from './auth/local-tokens.js';
import { ChangesModule } from './changes/changes.module.js';
import { CollectionModule } from './collection/collection.module.js';
import { SECRET_BOX, type SecretBox } from './common/crypto/secret-box.js';
import { AlertingModule } from './alerting/alerting.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { AutomationModule } from './automation/automation.module.js';
import { ApiExceptionFilter } from './common/http/exception.filter.js';
import { DEFAULT_JSON_MAX_DEPTH, installJsonDepthLimit } from './common/http/json-depth.js';
import { ListExportInterceptor } from './common/list/list-export.interceptor.js';
import { ROUTE_TABLE, RouteTable } from './common/http/method-not-allowed.js';
import { createValidationPipe } from './common/http/validation.pipe.js';
import { DATABASE_URL } from './common/tokens.js';
import { INVENTORY_CONFIG, type InventoryConfig } from './config/config.js';
import { dataSourceOptions } from './database/data-source.js';
import { PUSH_ROUTE } from './facts/facts.controller.js';
import { AUTOMATION_RECORDS_ROUTE } from './automation/automation-records.controller.js';
import { type PushGate, pushGateMode } from './facts/push-gate.js';
import { EventsModule } from './events/events.module.js';
import { FactsModule } from './facts/facts.module.js';
import { HealthModule } from './health/health.module.js';
import type { MetricsService } from './metrics/metrics.service.js';
import { MetricsModule, MetricsRoutesModule } from './metrics/metrics.module.js';
import { PlatformModule } from './platform/platform.module.js';
import { PluginsModule } from './plugins/plugins.module.js';
import { PropertyDefinitionsModule } from './property-definitions/property-definitions.module.js';
import { ProvidersModule } from './providers/providers.module.js';
import { RbacModule } from './rbac/rbac.module.js';
import { RelationshipsModule } from './relationships/relationships.module.js';
import { ResourcesModule } from './resources/resources.module.js';
import { RetentionModule } from './retention/retention.module.js';
import { SightingsModule } from './sightings/sightings.module.js';
import { TagsModule } from './tags/tags.module.js';
import { WatchlistsModule } from './watchlists/watchlists.module.js';
import { TaxonomyModule } from './taxonomy/taxonomy.module.js';

/**
 * The inventory's feature modules. Every role loads every module: the api role answers
 * HTTP, the worker role executes jobs (and answers only health probes, see
 * app.factory.ts), `all` does both.
 */
export const FEATURE_MODULES: Type[] = [
  ApiIndexModule,
  AuthRoutesModule,
  PlatformModule,
  PluginsModule,
  ProvidersModule,
  CollectionModule,
  ResourcesModule,
  SightingsModule,
  RelationshipsModule,
  TaxonomyModule,
  PropertyDefinitionsModule,
  FactsModule,
  ChangesModule,
  EventsModule,
  AlertingModule,
  WebhooksModule,
  TagsModule,
  AutomationModule,
  WatchlistsModule,
];

/** A value, or how to make it once the module starts (e.g. read from the data folder). */
export type Resolvable<T> = T | (() => Promise<T>);

function resolvable<T>(provide: string | symbol, value: Resolvable<T>): Provider {
  return typeof value === 'function'
    ? { provide, useFactory: value as () => Promise<T> }
    : { provide, useValue: value };
}

export interface InventoryParts {
  config: InventoryConfig;
  databaseUrl: string;
  secretBox: Resolvable<SecretBox>;
  localTokenKeys: Resolvable<LocalTokenKeys>;
  /** The application's route table (405 answers); default: a new, empty one per application. */
  routes?: RouteTable;
  /** Build without connecting (to render the OpenAPI document). */
  withoutDatabase?: boolean;
  /** Runs before the database pool connects (embedded: migrations, the admin account). */
  beforeConnect?: () => Promise<void>;
  /** Register GET /ping/ and GET /health/. */
  health: boolean;
  /** Register GET /metrics/ (the metrics registry exists either way). */
  metrics: boolean;
  /** Mount every inventory controller under this path (RouterModule); none: the app's global prefix applies. */
  prefix?: string;
}

/** Settings every inventory module may inject. */
@Global()
@Module({})
class InventoryCoreModule {
  static forRoot(parts: InventoryParts): DynamicModule {
    return {
      module: InventoryCoreModule,
      providers: [
        { provide: INVENTORY_CONFIG, useValue: parts.config },
        resolvable(SECRET_BOX, parts.secretBox),
        { provide: DATABASE_URL, useValue: parts.databaseUrl },
        parts.routes
          ? { provide: ROUTE_TABLE, useValue: parts.routes }
          : { provide: ROUTE_TABLE, useFactory: () => new RouteTable() },
      ],
      exports: [INVENTORY_CONFIG, SECRET_BOX, DATABASE_URL, ROUTE_TABLE],
    };
  }
}

/** Modules declared by `module` (its class metadata), recursively, each once. */
function moduleTree(modules: Type[], seen = new Set<Type>()): Type[] {
  for (const module of modules) {
    if (seen.has(module)) continue;
    seen.add(module);
    const imports = (Reflect.getMetadata('imports', module) ?? []) as unknown[];
    moduleTree(
      imports.filter((imported): imported is Type => typeof imported === 'function'),
      seen,
    );
  }
  return [...seen];
}

function controllersOf(module: Type): Type[] {
  return (Reflect.getMetadata('controllers', module) ?? []) as Type[];
}

const SCOPED = Symbol('inventory:scoped');
/** Set in the Fastify route config of every inventory route (found by hooks whatever the prefix). */
const INVENTORY_ROUTE = 'inventoryRoute';

function isInventoryRoute(config: unknown): boolean {
  return (config as Record<string, unknown> | undefined)?.[INVENTORY_ROUTE] === true;
}

const validationPipe = createValidationPipe();

/**
 * Gives each inventory controller what the inventory needs per request: the AuthGuard
 * (credentials unless @Public()), the strict validation pipe and the `{"detail": ...}`
 * exception filter; and marks its routes in their Fastify route config. They are
 * controller-scoped (not APP_GUARD, global pipes or filters), so a parent application
 * that embeds the inventory keeps its own behaviour on its own routes. Idempotent: the
 * metadata is set once per class.
 */
export function scopeToInventory(controllers: Type[]): void {
  for (const controller of controllers) {
    if (Reflect.getMetadata(SCOPED, controller)) continue;
    UseGuards(AuthGuard)(controller);
    UsePipes(validationPipe)(controller);
    UseFilters(ApiExceptionFilter)(controller);
    UseInterceptors(ListExportInterceptor)(controller);
    const prototype = controller.prototype as object;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      const handler: unknown = descriptor?.value;
      if (typeof handler === 'function' && Reflect.getMetadata(METHOD_METADATA, handler) !== undefined) {
        // Merged with the handler's own route config (say @GatedPush), which RouteConfig would replace.
        const own = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as object;
        RouteConfig({ ...own, [INVENTORY_ROUTE]: true })(prototype, name, descriptor!);
      }
    }
    Reflect.defineMetadata(SCOPED, true, controller);
  }
}

/** The modules whose controllers answer HTTP, given which optional routes are on. */
export function routedModules(options: { health: boolean; metrics: boolean }): Type[] {
  return [
    ...(options.health ? [HealthModule] : []),
    ...(options.metrics ? [MetricsRoutesModule] : []),
    ...FEATURE_MODULES,
  ];
}

/**
 * The whole inventory as a list of imports: core settings, TypeORM, auth, RBAC, metrics,
 * retention and the feature modules, optionally health/metrics routes and a route
 * prefix. Shared by the standalone application (app.module.ts) and the embeddable
 * InventoryModule (embedding/inventory.module.ts).
 */
export function inventoryImports(parts: InventoryParts): DynamicModule['imports'] {
  const routed = routedModules(parts);
  scopeToInventory(moduleTree(routed).flatMap(controllersOf));
  // RouterModule prefixes only the listed modules' own controllers (not their imports'),
  // so every module that declares controllers is listed.
  const withControllers = moduleTree(routed).filter((module) => controllersOf(module).length > 0);
  return [
    InventoryCoreModule.forRoot(parts),
    TypeOrmModule.forRootAsync({
      useFactory: async () => {
        if (!parts.withoutDatabase) await parts.beforeConnect?.();
        return {
          ...dataSourceOptions({ url: parts.databaseUrl, poolSize: parts.config.databasePoolSize }),
          manualInitialization: parts.withoutDatabase ?? false,
          retryAttempts: 2,
          retryDelay: 1000,
        };
      },
    }),
    AuthModule.forRoot(parts.localTokenKeys),
    RbacModule,
    MetricsModule,
    RetentionModule,
    ...routed,
    ...(parts.prefix ? [RouterModule.register([{ path: parts.prefix, children: withControllers }])] : []),
  ];
}

export interface HttpHookOptions {
  routes: RouteTable;
  /** Body limit of the push routes (FACTS_MAX_BODY_MB). */
  maxPushBodyBytes: number;
  /** Body limit of POST /automation-records/ (AUTOMATION_MAX_BODY_MB); unset: Fastify's default. */
  maxAutomationBodyBytes?: number;
  /** Deepest nesting of objects/arrays a JSON body may have (JSON_MAX_DEPTH); default 64. */
  maxJsonDepth?: number;
  /** Where request metrics go (resolved late: the app is created after the hooks). */
  metrics: () => MetricsService | null;
  /** Admits push routes (@GatedPush) before their body is read (resolved late, like metrics). */
  pushGate: () => PushGate | null;
  /**
   * Embedded in another application: only the inventory's routes (marked by
   * scopeToInventory) are handled; errors Fastify raises before their controller runs
   * (body parsing, 413) get the inventory's error shape from `errorFilter`. Unset
   * (standalone): every route is the inventory's.
   */
  embedded?: { errorFilter: ApiExceptionFilter };
}

/**
 * Fastify hooks the inventory needs: the route table for 405s, the push routes' body
 * limit and gate (credentials and rate limit before the body), request count/latency metrics by route pattern and (embedded) the inventory's
 * error shape for errors Fastify raises before a controller runs. They must be added
 * before Nest registers the routes.
 */
export function installHttpHooks(fastify: FastifyInstance, options: HttpHookOptions): void {
  const embedded = options.embedded;
  const owns = (config: unknown) => !embedded || isInventoryRoute(config);
  options.routes.attach(fastify);
  installJsonDepthLimit(fastify, { maxDepth: options.maxJsonDepth ?? DEFAULT_JSON_MAX_DEPTH, owns });
  fastify.addHook('onRoute', (route) => {
    if (!owns(route.config)) return;
    if (PUSH_ROUTE.test(route.url)) route.bodyLimit = options.maxPushBodyBytes;
    if (options.maxAutomationBodyBytes !== undefined && AUTOMATION_RECORDS_ROUTE.test(route.url))
      route.bodyLimit = options.maxAutomationBodyBytes;
    const gateMode = pushGateMode(route.config);
    if (gateMode) {
      // Credentials and the rate limit before the body is read (issue #11 item 3): onRequest
      // runs before Fastify reads and parses the body.
      const admit = async (request: FastifyRequest, reply: FastifyReply) => {
        await options.pushGate()?.admit(request, reply, gateMode);
      };
      const existing = route.onRequest;
      route.onRequest = existing === undefined ? [admit] : [...[existing].flat(), admit];
    }
    if (embedded)
      route.errorHandler = (error: unknown, request: FastifyRequest, reply: FastifyReply) =>
        embedded.errorFilter.respond(error, request, reply);
  });
  // Request count and latency by route pattern (standalone: unmatched paths count as one route).
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions?.url;
    if (route === undefined ? embedded : !owns(request.routeOptions.config)) return;
    options
      .metrics()
      ?.observeRequest(request.method, route ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
}
