import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC, type RequestWithActor } from './actor.js';
import { AuthenticationService } from './authentication.service.js';

/**
 * Every inventory route needs credentials unless marked @Public(). The request's
 * credentials are checked by the Passport strategies (AuthenticationService.authenticate,
 * on this application's own Authenticator: see passport.ts for why not @nestjs/passport's
 * AuthGuard, which uses passport's process-wide singleton).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<RequestWithActor>();
    request.actor = await this.authentication.authenticate(request);
    return true;
  }
}
