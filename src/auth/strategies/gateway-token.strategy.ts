import type { KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { Strategy as JwtStrategy } from 'passport-jwt';
import { UnauthorizedError } from '../../common/errors.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../../config/config.js';
import type { Actor } from '../actor.js';
import type { CredentialRequest } from '../auth-throttle.js';
import { AuthenticationService } from '../authentication.service.js';
import type { GatewayKeyProvider } from '../gateway-key.js';
import {
  type Authenticator,
  GATEWAY_TOKEN,
  gatewayTokenFromRequest,
  INVENTORY_PASSPORT,
  REGISTER_LATER,
  rs256SignatureVerifies,
} from '../passport.js';

/**
 * The platform gateway's tokens (X-DAB-JW-TOKEN or `Authorization: Bearer`): passport-jwt,
 * RS256 only, the configured audience and issuer, the key from GATEWAY_JWT_PUBLIC_KEY
 * (PEM or file) or GATEWAY_JWT_PUBLIC_KEY_URL through secretOrKeyProvider. A signature
 * that does not verify with a cached URL key makes it fetch the key once more (the
 * gateway may have rotated it); a failed fetch keeps the last good key.
 */
@Injectable()
export class GatewayTokenStrategy extends PassportStrategy(JwtStrategy, GATEWAY_TOKEN) {
  private static readonly logger = new Logger('Auth');

  constructor(
    @Inject(INVENTORY_PASSPORT) authenticator: Authenticator,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
    private readonly authentication: AuthenticationService,
  ) {
    const gatewayKey = authentication.gatewayKey;
    super({
      jwtFromRequest: gatewayTokenFromRequest,
      secretOrKeyProvider: (
        _request: unknown,
        token: string,
        done: (error: unknown, key?: string) => void,
      ) => {
        GatewayTokenStrategy.keyFor(gatewayKey, token).then(
          // jsonwebtoken verifies with a KeyObject as well as with PEM text.
          (key) => done(null, key as unknown as string),
          (error: unknown) => done(error),
        );
      },
      algorithms: ['RS256'],
      audience: config.gateway.audience,
      issuer: config.gateway.issuer,
      passReqToCallback: true,
    });
    authenticator.use(GATEWAY_TOKEN, this);
  }

  getPassportInstance() {
    return REGISTER_LATER;
  }

  private static async keyFor(gatewayKey: GatewayKeyProvider, token: string): Promise<KeyObject> {
    if (!gatewayKey.configured)
      throw new UnauthorizedError(
        'Gateway tokens are not accepted: no gateway key is configured (GATEWAY_JWT_PUBLIC_KEY).',
      );
    let key: KeyObject;
    try {
      key = await gatewayKey.key();
    } catch (error) {
      GatewayTokenStrategy.logger.error(`Cannot load the gateway key: ${(error as Error).message}`);
      throw new UnauthorizedError('Cannot verify the token: the gateway key is unavailable.');
    }
    let rs256: boolean;
    try {
      decodeJwt(token);
      rs256 = decodeProtectedHeader(token).alg === 'RS256';
    } catch {
      throw new UnauthorizedError('Malformed token.');
    }
    if (rs256 && gatewayKey.refreshable && !rs256SignatureVerifies(token, key))
      key = await gatewayKey.refresh().catch(() => key);
    return key;
  }

  async validate(request: CredentialRequest, payload: Record<string, unknown>): Promise<Actor> {
    for (const claim of ['exp', 'sub'])
      if (payload[claim] === undefined)
        throw new UnauthorizedError(`Token rejected: missing required "${claim}" claim.`);
    const token = gatewayTokenFromRequest(request);
    return this.authentication.gatewayActor(token ?? '', payload);
  }
}
