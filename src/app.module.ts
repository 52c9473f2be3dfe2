import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger as PinoLogger } from 'pino';
import { ApiIndexModule } from './api-index/api-index.module.js';
import { AuthModule } from './auth/auth.module.js';
import type { LocalTokenKeys } from './auth/local-tokens.js';
import { ChangesModule } from './changes/changes.module.js';
import { CollectionModule } from './collection/collection.module.js';
import { SECRET_BOX, SecretBox } from './common/crypto/secret-box.js';
import { DATABASE_URL } from './common/tokens.js';
import { PluginsModule } from './plugins/plugins.module.js';
import { INVENTORY_CONFIG, type InventoryConfig } from './config/config.js';
import { dataSourceOptions } from './database/data-source.js';
import { FactsModule } from './facts/facts.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule, MetricsRoutesModule } from './metrics/metrics.module.js';
import { PlatformModule } from './platform/platform.module.js';
import { RbacModule } from './rbac/rbac.module.js';
import { PropertyDefinitionsModule } from './property-definitions/property-definitions.module.js';
import { ProvidersModule } from './providers/providers.module.js';
import { RelationshipsModule } from './relationships/relationships.module.js';
import { ResourcesModule } from './resources/resources.module.js';
import { RetentionModule } from './retention/retention.module.js';
import { SightingsModule } from './sightings/sightings.module.js';
import { TaxonomyModule } from './taxonomy/taxonomy.module.js';

export interface AppOptions {
  config: InventoryConfig;
  databaseUrl: string;
  secretBox: SecretBox;
  /** Signs and verifies the tokens the service issues itself; default: the key pair in the data folder. */
  localTokenKeys?: LocalTokenKeys;
  /** Writes one structured line per request (request id, trace id, user, route, status, latency). */
  requestLogger?: PinoLogger;
  /** Build the app without connecting (to render the OpenAPI document). */
  withoutDatabase?: boolean;
}

/** Settings every module may inject. */
@Global()
@Module({})
class CoreModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: INVENTORY_CONFIG, useValue: options.config },
        { provide: SECRET_BOX, useValue: options.secretBox },
        { provide: DATABASE_URL, useValue: options.databaseUrl },
      ],
      exports: [INVENTORY_CONFIG, SECRET_BOX, DATABASE_URL],
    };
  }
}

/**
 * Every role loads every module: the api role answers HTTP, the worker role executes
 * jobs (and answers only health probes, see app.factory.ts), `all` does both.
 */
const MODULES = [
  ApiIndexModule,
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
];

@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(options),
        TypeOrmModule.forRoot({
          ...dataSourceOptions({ url: options.databaseUrl, poolSize: options.config.databasePoolSize }),
          manualInitialization: options.withoutDatabase ?? false,
          retryAttempts: 2,
          retryDelay: 1000,
        }),
        AuthModule.forRoot(options.localTokenKeys!),
        RbacModule,
        MetricsModule,
        HealthModule,
        MetricsRoutesModule,
        RetentionModule,
        ...MODULES,
      ],
    };
  }
}
