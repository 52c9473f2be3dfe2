import { Injectable } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError, UnauthorizedError, ValidationFailedError } from '../common/errors.js';
import { FactsService, type Pusher } from './facts.service.js';

/**
 * Who may push, decided before the body is read (issue #11 item 3): a push route's
 * `onRequest` hook (installed by installHttpHooks for routes marked @GatedPush) checks
 * the credentials and, for anonymous pushes, peeks at the rate limit. A refused request
 * costs one credentials check or one indexed lookup; its body is never parsed,
 * normalized or hashed. The controller then takes the admitted pusher from here.
 */
export type PushGateMode =
  /** POST /facts/: a system's credentials, or a user's with system.add on ?organization. */
  | 'native'
  /** fact_inventory's POST /v1/facts: a system's credentials, else anonymous (rate-limited). */
  | 'fact_inventory'
  /** The collector agent's POST /api/systems/inventory: a system's credentials only. */
  | 'agent';

/** The Fastify route-config key @GatedPush sets (read by the onRoute hook). */
export const PUSH_GATE_ROUTE_CONFIG = 'inventoryPushGate';

/** Marks a push route: its credentials and rate limit are checked before its body is read. */
export const GatedPush = (mode: PushGateMode): MethodDecorator =>
  RouteConfig({ [PUSH_GATE_ROUTE_CONFIG]: mode });

/** The gate mode of a route, from its Fastify route config; undefined for other routes. */
export function pushGateMode(config: unknown): PushGateMode | undefined {
  const mode = (config as Record<string, unknown> | undefined)?.[PUSH_GATE_ROUTE_CONFIG];
  return mode === 'native' || mode === 'fact_inventory' || mode === 'agent' ? mode : undefined;
}

interface Admission {
  pusher: Pusher;
  clientAddress: string;
}

@Injectable()
export class PushGate {
  /** Keyed by the Node request: what the hook admitted, for the handler of the same request. */
  private readonly admitted = new WeakMap<object, Admission>();

  constructor(private readonly facts: FactsService) {}

  /**
   * The onRequest check. Throws the error the client gets (401, 403, 400, 429); for
   * fact_inventory's 429 it answers itself, in that protocol's plain-text shape.
   */
  async admit(request: FastifyRequest, reply: FastifyReply, mode: PushGateMode): Promise<void> {
    const clientAddress = this.clientAddress(request);
    let pusher: Pusher;
    if (mode === 'native') {
      const organization = (request.query as Record<string, unknown> | undefined)?.organization;
      pusher = await this.facts.pusherFromCredentials(
        request,
        typeof organization === 'string' ? organization : undefined,
      );
    } else {
      const system = await this.facts.systemFromBasic(request);
      if (system) pusher = { kind: 'system', system };
      else if (mode === 'agent')
        throw new UnauthorizedError('System credentials (HTTP Basic system_key:secret) are required.');
      else pusher = await this.facts.anonymousPusher();
    }
    if (pusher.kind === 'anonymous') {
      try {
        await this.facts.checkAnonymousRateLimit(clientAddress);
      } catch (error) {
        if (!(error instanceof RateLimitedError)) throw error;
        // Nothing reads the body: close the connection after answering rather than drain it.
        await sendFactInventoryRateLimited(reply.header('Connection', 'close'), error);
        return;
      }
    }
    this.admitted.set(request.raw, { pusher, clientAddress });
  }

  /** What the hook admitted for this request; null when no hook ran (then the handler checks itself). */
  admission(request: FastifyRequest): Admission | null {
    return this.admitted.get(request.raw) ?? null;
  }

  /** The client's address (forwarding headers only from TRUSTED_PROXIES); 400 when none can be told. */
  clientAddress(request: FastifyRequest): string {
    const address = this.facts.addresses.resolve(request.socket.remoteAddress, request.headers);
    if (!address)
      throw new ValidationFailedError(
        { client_address: ['cannot be determined.'] },
        'Invalid client address.',
      );
    return address;
  }
}

/** fact_inventory's answer to a push inside its window: 429, `Retry-After`, plain text. */
export async function sendFactInventoryRateLimited(
  reply: FastifyReply,
  error: RateLimitedError,
): Promise<void> {
  await reply
    .status(429)
    .header('Retry-After', String(error.retryAfterSeconds))
    .type('text/plain; charset=utf-8')
    .send(error.message);
}
