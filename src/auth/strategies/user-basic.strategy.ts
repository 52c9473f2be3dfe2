import { Inject, Injectable } from '@nestjs/common';
import { AuthenticationService } from '../authentication.service.js';
import { type Authenticator, HttpBasicStrategy, INVENTORY_PASSPORT, USER_BASIC } from '../passport.js';

/**
 * HTTP Basic for local accounts. System keys (`SYS-…`) are left to the system-credentials
 * strategy of the push routes; on every other route they are no user and fail as one.
 */
@Injectable()
export class UserBasicStrategy extends HttpBasicStrategy {
  constructor(
    @Inject(INVENTORY_PASSPORT) authenticator: Authenticator,
    authentication: AuthenticationService,
  ) {
    super(USER_BASIC, (request, username, password) =>
      authentication.basicActor(username, password, request),
    );
    authenticator.use(USER_BASIC, this);
  }
}
