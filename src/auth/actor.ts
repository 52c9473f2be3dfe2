import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PUBLIC_OPERATION } from './openapi-security.js';

/** Who is calling: resolved once per request by the AuthGuard. */
export interface Actor {
  id: number;
  username: string;
  isSuperuser: boolean;
  /** How the caller proved who they are. */
  authenticatedBy: 'gateway' | 'token' | 'basic';
  /** A local token's id and expiry (authenticatedBy 'token'): what POST /auth/logout/ revokes. */
  token?: { jti: string | null; expiresAt: Date };
}

export type RequestWithActor = FastifyRequest & { actor?: Actor };

/** The authenticated caller of this request. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<RequestWithActor>().actor;
  if (!actor) throw new Error('CurrentActor used on a public route');
  return actor;
});

export const IS_PUBLIC = 'inventory:public';
/**
 * Marks a route that needs no credentials (/ping/, /health/), or that checks credentials
 * of its own (name their scheme with @ApiBasicAuth() / @ApiBearerAuth(name)); the
 * OpenAPI document then shows `security: []` or that scheme.
 */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(PUBLIC_OPERATION, true));
