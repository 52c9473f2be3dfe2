import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import type { LocalTokenKeys } from './auth/local-tokens.js';
import type { SecretBox } from './common/crypto/secret-box.js';
import type { RouteTable } from './common/http/method-not-allowed.js';
import type { InventoryConfig } from './config/config.js';
import { inventoryImports } from './inventory-core.js';

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
  /** The route table the 405 answers consult (app.factory.ts attaches it to Fastify). */
  routes?: RouteTable;
}

/**
 * The standalone service: the whole inventory with its health and metrics routes, under
 * the global prefix app.factory.ts sets. The embeddable form of the same modules is
 * InventoryModule (embedding/inventory.module.ts).
 */
@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: inventoryImports({
        config: options.config,
        databaseUrl: options.databaseUrl,
        secretBox: options.secretBox,
        localTokenKeys: options.localTokenKeys!,
        routes: options.routes,
        withoutDatabase: options.withoutDatabase,
        health: true,
        metrics: true,
      }),
    };
  }
}
