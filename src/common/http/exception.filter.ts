import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  Optional,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, MethodNotAllowedError, RateLimitedError, UnauthorizedError } from '../errors.js';
import { classifyDatabaseError } from './database-errors.js';
import { ROUTE_TABLE, type RouteTable } from './method-not-allowed.js';

/** Seconds a client is told to wait (Retry-After) when the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * The one place errors become responses: `{"detail": "..."}` (plus `errors` for
 * validation), with PostgreSQL failures mapped as DESIGN §5 says. A 500 is a bug, so
 * it is logged with its stack and answered without internals.
 */
@Catch()
@Injectable()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(@Optional() @Inject(ROUTE_TABLE) private readonly routes?: RouteTable) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    this.respond(
      exception,
      host.switchToHttp().getRequest<FastifyRequest>(),
      host.switchToHttp().getResponse<FastifyReply>(),
    );
  }

  /** Sends the error answer; also used as a Fastify error handler (errors before the controller runs). */
  respond(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const { status, body, headers } = this.toResponse(this.refineNotFound(exception, request));
    if (status >= 500 && status !== 503) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    // A script (the web UI sends X-Requested-With) gets no Basic challenge: browsers
    // would answer it with their own password prompt instead of letting the page sign in.
    if (headers['WWW-Authenticate'] && request.headers['x-requested-with'])
      headers['WWW-Authenticate'] = 'Bearer realm="inventory"';
    for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
    void reply.status(status).send(body);
  }

  /** The router's 404 for a path that exists under other methods is really a 405. */
  private refineNotFound(exception: unknown, request: FastifyRequest): unknown {
    if (!(exception instanceof NotFoundException) || !this.routes) return exception;
    const allowed = this.routes.allowedMethods(request.url);
    if (allowed.length > 0 && !allowed.includes(request.method))
      return new MethodNotAllowedError(request.method, allowed);
    return allowed.length === 0 ? new NotFoundException({ detail: 'Not found.' }) : exception;
  }

  private toResponse(exception: unknown): {
    status: number;
    body: Record<string, unknown>;
    headers: Record<string, string>;
  } {
    if (exception instanceof MethodNotAllowedError) {
      return {
        status: 405,
        body: { detail: exception.message },
        headers: { Allow: exception.allow.join(', ') },
      };
    }
    if (exception instanceof UnauthorizedError) {
      return {
        status: 401,
        body: { detail: exception.message },
        headers: { 'WWW-Authenticate': 'Basic realm="inventory", Bearer realm="inventory"' },
      };
    }
    if (exception instanceof RateLimitedError) {
      return {
        status: 429,
        body: { detail: exception.message },
        headers: { 'Retry-After': String(exception.retryAfterSeconds) },
      };
    }
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        body: { detail: exception.message, ...exception.extra },
        headers: {},
      };
    }
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      if (typeof response === 'object' && typeof (response as { detail?: unknown }).detail === 'string') {
        // Thrown with a body of our own shape (e.g. /health/): send it as is.
        return { status: exception.getStatus(), body: response as Record<string, unknown>, headers: {} };
      }
      const detail =
        typeof response === 'string'
          ? response
          : [(response as { message?: string | string[] }).message].flat().join('; ');
      return { status: exception.getStatus(), body: { detail }, headers: {} };
    }
    switch (classifyDatabaseError(exception)) {
      case 'unavailable':
        return {
          status: 503,
          body: { detail: 'The database is unavailable. Try again shortly.' },
          headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
        };
      case 'conflict_retry':
        // Nothing was written (the transaction was rolled back); a retry is expected to succeed.
        return {
          status: 503,
          body: { detail: 'The request collided with a concurrent change and was not applied. Try again.' },
          headers: { 'Retry-After': '1' },
        };
      case 'unique':
        return { status: 409, body: { detail: 'An object with these values already exists.' }, headers: {} };
      case 'foreign_key':
        return {
          status: 409,
          body: { detail: 'The object is referenced by, or references, another object.' },
          headers: {},
        };
      case 'invalid_text':
        return { status: 400, body: { detail: 'A value has the wrong format.' }, headers: {} };
      case 'unstorable_text':
        return {
          status: 400,
          body: {
            detail:
              'A value contains a character that cannot be stored: a NUL byte (\\u0000) or invalid UTF-8.',
          },
          headers: {},
        };
      case 'check':
        return { status: 400, body: { detail: 'A value is not allowed.' }, headers: {} };
      case null:
        break;
    }
    // Errors raised by Fastify itself before our handlers run (body parsing, size limits).
    const fastifyError = exception as FastifyLikeError;
    if (
      typeof fastifyError.statusCode === 'number' &&
      fastifyError.statusCode >= 400 &&
      fastifyError.statusCode < 500
    ) {
      const detail =
        fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'Request body is too large.'
          : fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Unsupported media type; send application/json.'
            : `Malformed request: ${fastifyError.message ?? 'bad input'}`;
      return { status: fastifyError.statusCode, body: { detail }, headers: {} };
    }
    return { status: 500, body: { detail: 'Internal server error.' }, headers: {} };
  }
}
