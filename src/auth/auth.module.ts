import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { AuthenticationService, LOCAL_TOKEN_KEYS } from './authentication.service.js';
import type { LocalTokenKeys } from './local-tokens.js';

@Global()
@Module({})
export class AuthModule {
  static forRoot(localKeys: LocalTokenKeys): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: LOCAL_TOKEN_KEYS, useValue: localKeys },
        AuthenticationService,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AuthenticationService, LOCAL_TOKEN_KEYS],
    };
  }
}
