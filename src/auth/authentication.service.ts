import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import { UnauthorizedError, ValidationFailedError } from '../common/errors.js';
import { type GatewayJwtConfig, INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import type { Actor } from './actor.js';
import { GatewayUserConflict, syncGatewayClaims } from './claims-sync.js';
import { validateGatewayClaims } from './gateway-claims.js';
import { GatewayKeyProvider } from './gateway-key.js';
import { AuthThrottle, type CredentialRequest, type ThrottleState } from './auth-throttle.js';
import type { LocalTokenKeys, VerifiedLocalToken } from './local-tokens.js';
import {
  type Authenticator,
  GATEWAY_TOKEN,
  INVENTORY_PASSPORT,
  LOCAL_TOKEN,
  runStrategies,
  USER_BASIC,
} from './passport.js';
import {
  dummyHash,
  hashPassword,
  needsRehash,
  type ScryptParams,
  scryptParams,
  verifyPassword,
} from './passwords.js';

export const LOCAL_TOKEN_KEYS = Symbol('LOCAL_TOKEN_KEYS');

const USER_COLUMNS = 'id, username, is_superuser, is_active, password_hash, password_changed_at';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface UserRow {
  id: number;
  username: string;
  is_superuser: boolean;
  is_active: boolean;
  password_hash: string | null;
  password_changed_at: Date | null;
}

/** Seconds since the epoch of a password change (local tokens carry whole seconds). */
const changedSecond = (at: Date | null) => (at === null ? null : Math.floor(at.getTime() / 1000));

/**
 * Turns request credentials into an Actor: a locally issued token (Bearer), a gateway
 * JWT (X-DAB-JW-TOKEN or Bearer), or HTTP Basic for local accounts, each checked by its
 * Passport strategy (src/auth/strategies/), which calls back here for what the
 * credentials mean (the user, the claims sync, the throttle).
 */
@Injectable()
export class AuthenticationService {
  private readonly logger = new Logger('Auth');
  /** The gateway's public key (the gateway token strategy's secretOrKeyProvider reads it). */
  readonly gatewayKey: GatewayKeyProvider;
  /** token hash → user id, so a burst of requests with one token syncs the claims once. */
  private readonly tokenCache = new LRUCache<string, number>({ max: 10_000, ttl: 5 * 60_000 });
  /**
   * hash of username:password → user id and its password_changed_at: Basic auth without an
   * scrypt per request. Every hit reads the user row anyway, so a password changed through
   * any replica (a new password_changed_at) makes the entry worthless everywhere.
   */
  private readonly basicCache = new LRUCache<string, { id: number; changed: number | null }>({
    max: 10_000,
    ttl: 60_000,
  });

  private readonly gateway: GatewayJwtConfig;
  /** PASSWORD_SCRYPT_COST's parameters: new hashes, rehashes, and the dummy hash unknown usernames are checked against. */
  private readonly scrypt: ScryptParams;
  private readonly dummyHash: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
    @Inject(LOCAL_TOKEN_KEYS) private readonly localKeys: LocalTokenKeys,
    @Inject(INVENTORY_PASSPORT) private readonly authenticator: Authenticator,
    private readonly throttle: AuthThrottle,
  ) {
    this.gateway = config.gateway;
    this.gatewayKey = new GatewayKeyProvider(config.gateway);
    this.scrypt = scryptParams(config.passwordScryptCost);
    this.dummyHash = dummyHash(this.scrypt);
  }

  get gatewayConfigured(): boolean {
    return this.gatewayKey.configured;
  }

  /** The caller of a request, by the first strategy its credentials satisfy (401 or 429 when none). */
  authenticate(request: CredentialRequest): Promise<Actor> {
    return runStrategies<Actor>(this.authenticator, [LOCAL_TOKEN, GATEWAY_TOKEN, USER_BASIC], request);
  }

  /** A local token whose signature, issuer, audience and expiry passport-jwt verified. */
  async localTokenActor(claims: VerifiedLocalToken): Promise<Actor> {
    const user = await this.activeUser(
      `id = $1 AND NOT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $2::uuid)`,
      [claims.userId, claims.jti],
      'Token has been revoked, or its user is inactive or deleted.',
    );
    if (user.username !== claims.username) throw new UnauthorizedError('Token no longer matches its user.');
    // A password change ends the sessions opened before it, in every replica.
    const changed = changedSecond(user.password_changed_at);
    if (changed !== null && (claims.issuedAt === null || claims.issuedAt < changed))
      throw new UnauthorizedError('Token was issued before the password changed; sign in again.');
    return {
      id: user.id,
      username: user.username,
      isSuperuser: user.is_superuser,
      authenticatedBy: 'token',
      token: { jti: claims.jti, expiresAt: claims.expiresAt },
    };
  }

  /** A gateway token whose signature, audience, issuer and expiry passport-jwt verified: its user, claims synced. */
  async gatewayActor(token: string, payload: Record<string, unknown>): Promise<Actor> {
    const cacheKey = sha256(token);
    const cachedUser = this.tokenCache.get(cacheKey);
    if (cachedUser !== undefined) {
      const user = await this.activeUser('id = $1', [cachedUser]);
      return {
        id: user.id,
        username: user.username,
        isSuperuser: user.is_superuser,
        authenticatedBy: 'gateway',
      };
    }
    const claims = validateGatewayClaims(payload);
    const { userId } = await this.db
      .transaction((manager) => syncGatewayClaims(manager, claims))
      .catch((error: unknown) => {
        if (error instanceof GatewayUserConflict) this.logger.warn(error.reason);
        throw error;
      });
    const user = await this.activeUser('id = $1', [userId]);
    // Until the token expires, at most 5 minutes: claims changes arrive with new tokens.
    const ttl = Math.min(claims.exp * 1000 - Date.now(), 5 * 60_000);
    if (ttl > 0) this.tokenCache.set(cacheKey, userId, { ttl });
    return {
      id: user.id,
      username: user.username,
      isSuperuser: user.is_superuser,
      authenticatedBy: 'gateway',
    };
  }

  /**
   * A local account's username and password. One read fetches the user and the
   * failed-authentication throttle's state (see auth-throttle.ts): a locked username
   * (from this address) or address is a 429 before any scrypt, even for remembered
   * credentials. A failure counts; a success resets the username's counter from this
   * address and rehashes a password stored with other scrypt parameters.
   */
  async basicActor(username: string, password: string, request: CredentialRequest): Promise<Actor> {
    const buckets = this.throttle.buckets('user', username, this.throttle.clientAddress(request));
    const rows = await this.db.query<(ThrottleState & Partial<UserRow>)[]>(
      `SELECT th.throttle_wait, th.throttle_failures, ${USER_COLUMNS.replace(/(\w+)/g, 'u.$1')}
       FROM ${this.throttle.stateSql('$2', '$3')} th LEFT JOIN users u ON u.username = $1`,
      [username, buckets.all, buckets.principal],
    );
    const state = rows[0];
    this.throttle.refuseIfLocked('user', state);
    const user = state.id === null || state.id === undefined ? undefined : (state as UserRow);
    const actor = (found: UserRow): Actor => ({
      id: found.id,
      username: found.username,
      isSuperuser: found.is_superuser,
      authenticatedBy: 'basic',
    });
    const cacheKey = sha256(`${username}\u0000${password}`);
    const cached = this.basicCache.get(cacheKey);
    if (cached !== undefined) {
      if (
        user?.is_active &&
        user.id === cached.id &&
        changedSecond(user.password_changed_at) === cached.changed
      ) {
        this.throttle.observe('user', 'remembered');
        await this.throttle.reset(buckets, state);
        return actor(user);
      }
      this.basicCache.delete(cacheKey);
    }
    // Verify even for unknown users, so timing does not tell which usernames exist.
    const ok = await verifyPassword(password, user?.password_hash ?? this.dummyHash);
    this.throttle.observe('user', ok ? 'verified' : 'rejected');
    if (!user || !ok || !user.is_active) {
      await this.throttle.recordFailure(buckets);
      throw new UnauthorizedError('Invalid username or password.');
    }
    this.basicCache.set(cacheKey, { id: user.id, changed: changedSecond(user.password_changed_at) });
    await this.throttle.reset(buckets, state);
    // A hash made with other parameters (an older, cheaper N) is replaced now that the password is known.
    // Not a password change: password_changed_at stays, so sessions and remembered credentials stay valid.
    const rehashed =
      user.password_hash && needsRehash(user.password_hash, this.scrypt)
        ? await hashPassword(password, this.scrypt)
        : null;
    await this.db.query(
      `UPDATE users SET last_login = now(),
         password_hash = CASE WHEN $2::text IS NOT NULL AND password_hash = $3 THEN $2 ELSE password_hash END
       WHERE id = $1`,
      [user.id, rehashed, user.password_hash],
    );
    return actor(user);
  }

  private async activeUser(
    where: string,
    params: unknown[],
    missing = 'User inactive or deleted.',
  ): Promise<UserRow> {
    const rows = await this.db.query<UserRow[]>(`SELECT ${USER_COLUMNS} FROM users WHERE ${where}`, params);
    if (!rows[0] || !rows[0].is_active) throw new UnauthorizedError(missing);
    return rows[0];
  }

  /**
   * POST /auth/login/: a local account's username and password, checked exactly as HTTP
   * Basic checks them (same constant-time verification, cache and failed-login handling),
   * then a local token of `ttlSeconds`.
   */
  async login(
    username: string,
    password: string,
    ttlSeconds: number,
    request: CredentialRequest,
  ): Promise<{ actor: Actor; token: string; expiresAt: Date }> {
    // Basic cannot carry a username with a colon either; no account has one.
    if (username.includes(':')) throw new UnauthorizedError('Invalid username or password.');
    if (username === '') throw new UnauthorizedError('Invalid username or password.');
    const actor = await this.basicActor(username, password, request);
    const token = await this.localKeys.sign({ userId: actor.id, username: actor.username }, ttlSeconds);
    const { expiresAt } = await this.localKeys.verify(token);
    return { actor, token, expiresAt };
  }

  /** POST /auth/logout/: the caller's local token is refused from now on (until it would expire anyway). */
  async revoke(actor: Actor): Promise<void> {
    if (actor.authenticatedBy !== 'token' || !actor.token?.jti)
      throw new ValidationFailedError(
        {
          authorization: ['Sign out revokes a token from POST /auth/login/ (sent as Authorization: Bearer).'],
        },
        `Nothing to sign out: this request was authenticated by ${actor.authenticatedBy === 'token' ? 'a token without an id' : actor.authenticatedBy}, not by a token from POST /auth/login/.`,
      );
    await this.db.query(
      `INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING`,
      [actor.token.jti, actor.id, actor.token.expiresAt],
    );
    // Rows of tokens that have expired anyway are of no more use.
    await this.db.query(`DELETE FROM revoked_tokens WHERE expires_at < now() - interval '1 minute'`);
  }

  /** A new password's hash, with PASSWORD_SCRYPT_COST's parameters. */
  hashPassword(password: string): Promise<string> {
    return hashPassword(password, this.scrypt);
  }

  /** Forget cached credentials (after a password change or a user deletion). */
  forgetCachedCredentials(): void {
    this.basicCache.clear();
    this.tokenCache.clear();
  }
}
