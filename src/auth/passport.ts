import { createVerify, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import passport from 'passport';
import { ExtractJwt, type JwtFromRequestFunction } from 'passport-jwt';
import { Strategy } from 'passport-strategy';
import { RateLimitedError, UnauthorizedError } from '../common/errors.js';
import type { CredentialRequest } from './auth-throttle.js';
import { LOCAL_ISSUER } from './local-tokens.js';

/**
 * Authentication runs on Passport: one strategy per kind of credentials (src/auth/strategies/
 * and, for systems, src/facts/system-credentials.strategy.ts), tried in order.
 *
 * The strategies register on this application's own Authenticator, not on passport's
 * process-wide singleton (which @nestjs/passport's AuthGuard uses): two applications in
 * one process (an embedding parent with two inventories, or two test apps) would
 * otherwise authenticate against each other's databases and keys.
 */
export const INVENTORY_PASSPORT = Symbol('INVENTORY_PASSPORT');
export type Authenticator = passport.Authenticator;
export const createAuthenticator = (): Authenticator => new passport.Passport();

/** Strategy names. */
export const LOCAL_TOKEN = 'inventory-local-token';
export const GATEWAY_TOKEN = 'inventory-gateway-token';
export const USER_BASIC = 'inventory-user-basic';
export const SYSTEM_BASIC = 'inventory-system-basic';

/**
 * What PassportStrategy's constructor registers the strategy on: nothing. (It runs
 * before the subclass's own fields exist; each strategy registers itself on the
 * application's Authenticator right after.)
 */
export const REGISTER_LATER = { use: () => REGISTER_LATER } as unknown as passport.PassportStatic;

/** The token a request presents: X-DAB-JW-TOKEN first (the gateway's), else `Authorization: Bearer` or `Token` (NetBox's scheme). */
const presented: JwtFromRequestFunction = ExtractJwt.fromExtractors([
  ExtractJwt.fromHeader('x-dab-jw-token'),
  ExtractJwt.fromAuthHeaderAsBearerToken(),
  ExtractJwt.fromAuthHeaderWithScheme('token'),
]);

export const presentedToken = (request: CredentialRequest): string | null => presented(request) || null;

function tokenIssuer(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** Tokens this service issued (POST /auth/login/, `inventory token`). */
export const localTokenFromRequest: JwtFromRequestFunction = (request) => {
  const token = presentedToken(request as CredentialRequest);
  return token && tokenIssuer(token) === LOCAL_ISSUER ? token : null;
};

/** Every other token (the gateway's; a malformed one fails here with its reason). */
export const gatewayTokenFromRequest: JwtFromRequestFunction = (request) => {
  const token = presentedToken(request as CredentialRequest);
  return token && tokenIssuer(token) !== LOCAL_ISSUER ? token : null;
};

/** Whether an RS256 token's signature verifies with `key` (before asking a rotated key). */
export function rs256SignatureVerifies(token: string, key: KeyObject): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  try {
    return createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * HTTP Basic (RFC 7617) as a Passport strategy: the user id ends at the FIRST colon, the
 * password is everything after it (colons included). Requests that present a token are
 * left to the token strategies, so a token always wins over Basic, as it always has.
 */
export class HttpBasicStrategy extends Strategy {
  constructor(
    readonly name: string,
    private readonly verify: (
      request: CredentialRequest,
      userId: string,
      password: string,
    ) => Promise<unknown>,
    /** Whether this strategy is for these credentials (false: leave them to the next one). */
    private readonly accepts: (userId: string) => boolean = () => true,
  ) {
    super();
  }

  override authenticate(req: Parameters<Strategy['authenticate']>[0]): void {
    const request = req as unknown as CredentialRequest;
    const authorization = [request.headers.authorization].flat()[0];
    if (!authorization || !/^Basic\s+/i.test(authorization) || presentedToken(request)) return this.fail(401);
    const decoded = Buffer.from(authorization.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) return this.fail(new UnauthorizedError('Malformed Basic credentials.') as never);
    const userId = decoded.slice(0, colon);
    if (!this.accepts(userId)) return this.fail(401);
    this.verify(request, userId, decoded.slice(colon + 1)).then(
      (principal) =>
        principal
          ? this.success(principal)
          : this.fail(new UnauthorizedError('Invalid credentials.') as never),
      (error: unknown) => this.error(error as Error),
    );
  }
}

/** An Error, also one made in another realm (instanceof Error fails for those). */
const isErrorLike = (value: unknown): value is Error =>
  typeof value === 'object' && value !== null && typeof (value as Error).message === 'string';
const asError = (value: unknown): Error => (isErrorLike(value) ? value : new UnauthorizedError());

/** jsonwebtoken's verification errors (through passport-jwt) in the words this API has always used. */
function describeJwtError(error: Error, token: string | null): string {
  const message = error.message;
  if (error.name === 'TokenExpiredError') return 'Token has expired.';
  if (error.name === 'NotBeforeError') return 'Token is not valid yet.';
  if (message === 'jwt malformed' || message === 'invalid token' || /^Unexpected token|JSON/.test(message))
    return 'Malformed token.';
  if (message === 'invalid algorithm' || message === 'jwt signature is required') {
    let alg = 'none';
    try {
      alg = String(token ? decodeProtectedHeader(token).alg : 'none');
    } catch {
      /* keep "none" */
    }
    return `Token algorithm "${alg}" is not accepted; only RS256.`;
  }
  if (message === 'invalid signature') return 'Token signature is invalid.';
  if (/^jwt (audience|issuer|subject|id) invalid/.test(message)) return `Token rejected: ${message}.`;
  return 'Invalid token.';
}

/**
 * Why no strategy authenticated the request, as the error to answer: a reason a strategy
 * gave (a bad token, an unknown password) over "no credentials at all".
 */
export function authenticationFailure(reasons: unknown[], token: string | null): Error {
  for (const reason of reasons)
    if (reason instanceof UnauthorizedError || reason instanceof RateLimitedError) return reason;
  for (const reason of reasons)
    if (isErrorLike(reason) && /^(JsonWebToken|TokenExpired|NotBefore)Error$/.test(reason.name))
      return new UnauthorizedError(describeJwtError(reason, token));
  return new UnauthorizedError();
}

/**
 * Runs strategies against a request, in order; the first to succeed wins. Resolves with
 * what it authenticated, or rejects with the reason none did (authenticationFailure).
 * `optional`: resolves null instead when no strategy found credentials of its kind.
 */
export function runStrategies<T>(
  authenticator: Authenticator,
  strategies: string[],
  request: CredentialRequest,
  options: { optional: true },
): Promise<T | null>;
export function runStrategies<T>(
  authenticator: Authenticator,
  strategies: string[],
  request: CredentialRequest,
): Promise<T>;
export function runStrategies<T>(
  authenticator: Authenticator,
  strategies: string[],
  request: CredentialRequest,
  options: { optional?: boolean } = {},
): Promise<T | null> {
  return new Promise<T | null>((resolve, reject) => {
    const middleware = authenticator.authenticate(
      strategies,
      { session: false },
      (error: unknown, principal: T | false, info: unknown) => {
        // As it is: a database error must stay one (a 503), whatever realm made it.
        if (error) return reject(asError(error));
        if (principal) return resolve(principal);
        const reasons = [info].flat();
        if (options.optional && !reasons.some(isErrorLike)) return resolve(null);
        reject(authenticationFailure(reasons, presentedToken(request)));
      },
    ) as (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
    middleware(request, {}, (error?: unknown) => reject((error as Error) ?? new UnauthorizedError()));
  });
}
