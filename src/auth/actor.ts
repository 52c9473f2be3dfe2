import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

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
/** Marks a route that needs no credentials (/ping/, /health/). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
