import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuthGuard } from './auth.guard.js';
import { AuthThrottle } from './auth-throttle.js';
import { AuthenticationService, LOCAL_TOKEN_KEYS } from './authentication.service.js';
import type { LocalTokenKeys } from './local-tokens.js';
import { createAuthenticator, INVENTORY_PASSPORT } from './passport.js';
import { GatewayTokenStrategy } from './strategies/gateway-token.strategy.js';
import { LocalTokenStrategy } from './strategies/local-token.strategy.js';
import { UserBasicStrategy } from './strategies/user-basic.strategy.js';

/**
 * Authentication for the inventory's routes. The AuthGuard is not an APP_GUARD: it is
 * put on each inventory controller (see scopeToInventory), so an application that
 * embeds the inventory keeps its own rules on its own routes.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(localKeys: LocalTokenKeys | (() => Promise<LocalTokenKeys>)): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        typeof localKeys === 'function'
          ? { provide: LOCAL_TOKEN_KEYS, useFactory: localKeys }
          : { provide: LOCAL_TOKEN_KEYS, useValue: localKeys },
        // This application's own Passport (see passport.ts) and its strategies.
        { provide: INVENTORY_PASSPORT, useFactory: createAuthenticator },
        AuthThrottle,
        AuthenticationService,
        LocalTokenStrategy,
        GatewayTokenStrategy,
        UserBasicStrategy,
        AuthGuard,
      ],
      exports: [AuthenticationService, AuthThrottle, LOCAL_TOKEN_KEYS, INVENTORY_PASSPORT, AuthGuard],
    };
  }
}
