import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { type Actor, CurrentActor, Public } from './actor.js';
import { AuthenticationService } from './authentication.service.js';
import { LoginDto, LoginResponseDto, toLoginResponseDto } from './dto/login.dto.js';

/** Sign-in for browsers (the web UI): a local account's password for a short-lived local token. */
@ApiTags('auth')
@Controller('auth')
export class LoginController {
  constructor(
    private readonly authentication: AuthenticationService,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Sign in with a local account: a short-lived local token',
    description:
      'Checks the username and password as HTTP Basic does (failed attempts answer 401 and count ' +
      'towards the failed-authentication throttle: past AUTH_THROTTLE_MAX_FAILURES for this username ' +
      'from this address, or AUTH_THROTTLE_ADDRESS_MAX_FAILURES from this address, 429 with Retry-After) and answers a local token valid for LOGIN_TOKEN_TTL_MINUTES ' +
      '(default 60). Send it as `Authorization: Bearer <token>`; `POST /auth/logout/` revokes it. ' +
      'Gateway users do not sign in here: the gateway sends its own token.',
    errors: [401, 429],
  })
  @ApiOkResponse({ type: LoginResponseDto })
  async login(@Body() body: LoginDto, @Req() request: FastifyRequest): Promise<LoginResponseDto> {
    const ttlSeconds = this.config.loginTokenTtlMinutes * 60;
    return toLoginResponseDto(
      await this.authentication.login(body.username, body.password, ttlSeconds, request),
      ttlSeconds,
    );
  }

  @Post('logout')
  @HttpCode(204)
  @ApiEndpoint({
    summary: 'Sign out: revoke the local token this request carries',
    description:
      'The token (from `POST /auth/login/` or `inventory token`) is refused from now on. A request ' +
      'authenticated otherwise (Basic, a gateway token) has nothing to revoke: 400.',
    errors: [401],
  })
  @ApiNoContentResponse({ description: 'The token is revoked.' })
  async logout(@CurrentActor() actor: Actor): Promise<void> {
    await this.authentication.revoke(actor);
  }
}
