import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy as JwtStrategy } from 'passport-jwt';
import { UnauthorizedError } from '../../common/errors.js';
import type { Actor } from '../actor.js';
import { AuthenticationService, LOCAL_TOKEN_KEYS } from '../authentication.service.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, type LocalTokenKeys } from '../local-tokens.js';
import {
  type Authenticator,
  INVENTORY_PASSPORT,
  LOCAL_TOKEN,
  localTokenFromRequest,
  REGISTER_LATER,
} from '../passport.js';

/** The service's own tokens (POST /auth/login/, `inventory token`): passport-jwt, RS256, our issuer and audience. */
@Injectable()
export class LocalTokenStrategy extends PassportStrategy(JwtStrategy, LOCAL_TOKEN) {
  constructor(
    @Inject(INVENTORY_PASSPORT) authenticator: Authenticator,
    @Inject(LOCAL_TOKEN_KEYS) keys: LocalTokenKeys,
    private readonly authentication: AuthenticationService,
  ) {
    super({
      jwtFromRequest: localTokenFromRequest,
      secretOrKey: keys.verificationKey,
      algorithms: ['RS256'],
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
    });
    authenticator.use(LOCAL_TOKEN, this);
  }

  getPassportInstance() {
    return REGISTER_LATER;
  }

  async validate(payload: Record<string, unknown>): Promise<Actor> {
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number')
      throw new UnauthorizedError('Token rejected: it must carry "sub" and "exp".');
    return this.authentication.localTokenActor({
      userId: Number(payload.sub),
      username: typeof payload.username === 'string' ? payload.username : '',
      jti: typeof payload.jti === 'string' ? payload.jti : null,
      expiresAt: new Date(payload.exp * 1000),
      issuedAt: typeof payload.iat === 'number' ? payload.iat : null,
    });
  }
}
