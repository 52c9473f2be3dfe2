import { Body, Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/actor.js';
import { UnauthorizedError } from '../common/errors.js';
import { FactsService } from '../facts/facts.service.js';
import { AlertmanagerProxyService } from './alertmanager-proxy.service.js';

/** The collector's path (outside the API prefix) and the same under the prefix. */
export const ALERTMANAGER_PROXY_COMPAT_PATH = 'api/services/mimir/alertmanager/api/v2/*';
const PROXY_PATHS = [ALERTMANAGER_PROXY_COMPAT_PATH, 'services/mimir/alertmanager/api/v2/*'];
const SUB_PATH = /\/alertmanager\/api\/v2\/([^?]*)/;

/**
 * `/api/services/mimir/alertmanager/api/v2/…` for the collector's agents, with their
 * system credentials (HTTP Basic system_key:secret). Documented in the README
 * (Alerts and notifications) rather than in OpenAPI: it is Alertmanager's own API,
 * scoped to the calling system.
 */
@ApiExcludeController()
@ApiBasicAuth()
@Controller()
export class AlertmanagerProxyController {
  constructor(
    private readonly proxy: AlertmanagerProxyService,
    private readonly facts: FactsService,
  ) {}

  @Get(PROXY_PATHS)
  @Public()
  get(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forward(request, reply, 'GET', undefined);
  }

  @Post(PROXY_PATHS)
  @Public()
  post(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    return this.forward(request, reply, 'POST', body);
  }

  @Delete(PROXY_PATHS)
  @Public()
  delete(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forward(request, reply, 'DELETE', undefined);
  }

  private async forward(
    request: FastifyRequest,
    reply: FastifyReply,
    method: 'GET' | 'POST' | 'DELETE',
    body: unknown,
  ): Promise<void> {
    const system = await this.facts.systemFromBasic(request);
    if (!system)
      throw new UnauthorizedError('System credentials (HTTP Basic system_key:secret) are required.');
    const url = request.originalUrl ?? request.url;
    const subPath = decodeURIComponent(SUB_PATH.exec(url)?.[1] ?? '').replace(/\/+$/, '');
    const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    const answer = await this.proxy.forward(system, method, subPath, query, body);
    if (answer.contentType) void reply.header('content-type', answer.contentType);
    await reply.status(answer.status).send(answer.body);
  }
}
