import { Inject, Injectable } from '@nestjs/common';
import { AuthThrottle } from '../auth/auth-throttle.js';
import { type Authenticator, HttpBasicStrategy, INVENTORY_PASSPORT, SYSTEM_BASIC } from '../auth/passport.js';
import { SystemsService } from './systems.service.js';

/**
 * A system's own credentials (HTTP Basic `SYS-…:secret`, as the collector's agents send
 * them), for the push and agent routes. Other Basic credentials are left to the user
 * strategy. Failures are throttled per system key and client address (AuthThrottle).
 */
@Injectable()
export class SystemCredentialsStrategy extends HttpBasicStrategy {
  constructor(
    @Inject(INVENTORY_PASSPORT) authenticator: Authenticator,
    systems: SystemsService,
    throttle: AuthThrottle,
  ) {
    super(
      SYSTEM_BASIC,
      (request, systemKey, secret) =>
        systems.authenticate(systemKey, secret, throttle.clientAddress(request)),
      (userId) => userId.startsWith('SYS-'),
    );
    authenticator.use(SYSTEM_BASIC, this);
  }
}
