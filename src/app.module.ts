import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiIndexModule } from './api-index/api-index.module.js';
import { CollectionModule } from './collection/collection.module.js';
import { SECRET_BOX, SecretBox } from './common/crypto/secret-box.js';
import { INVENTORY_CONFIG, type InventoryConfig } from './config/config.js';
import { dataSourceOptions } from './database/data-source.js';
import { HealthModule } from './health/health.module.js';
import { PropertyDefinitionsModule } from './property-definitions/property-definitions.module.js';
import { ProvidersModule } from './providers/providers.module.js';
import { RelationshipsModule } from './relationships/relationships.module.js';
import { ResourcesModule } from './resources/resources.module.js';
import { SightingsModule } from './sightings/sightings.module.js';
import { TaxonomyModule } from './taxonomy/taxonomy.module.js';

export interface AppOptions {
  config: InventoryConfig;
  databaseUrl: string;
  secretBox: SecretBox;
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
      ],
      exports: [INVENTORY_CONFIG, SECRET_BOX],
    };
  }
}

/** The API modules; the worker role serves only health (its jobs arrive with the collection engine). */
const API_MODULES = [
  ApiIndexModule,
  ProvidersModule,
  CollectionModule,
  ResourcesModule,
  SightingsModule,
  RelationshipsModule,
  TaxonomyModule,
  PropertyDefinitionsModule,
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
        HealthModule,
        ...(options.config.role === 'worker' ? [] : API_MODULES),
      ],
    };
  }
}
