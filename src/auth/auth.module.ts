import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuthGuard } from './auth.guard.js';
import { AuthThrottle } from './auth-throttle.js';
import { AuthenticationService, LOCAL_TOKEN_KEYS } from './authentication.service.js';
import type { LocalTokenKeys } from './local-tokens.js';

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
        AuthThrottle,
        AuthenticationService,
        AuthGuard,
      ],
      exports: [AuthenticationService, AuthThrottle, LOCAL_TOKEN_KEYS, AuthGuard],
    };
  }
}
