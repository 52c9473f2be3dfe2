/**
 * Domain errors. Services throw these (never HttpException); the global exception
 * filter turns them into `{"detail": ...}` responses with the right status.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Extra members of the response body besides `detail`. */
  readonly extra: Record<string, unknown> = {};
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(detail = 'Not found.') {
    super(detail);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  constructor(detail: string, extra: Record<string, unknown> = {}) {
    super(detail);
    Object.assign(this.extra, extra);
  }
}

/** Bad input: `errors` maps a field or query parameter to its messages. */
export class ValidationFailedError extends DomainError {
  readonly status = 400;
  constructor(
    readonly errors: Record<string, string[]>,
    detail?: string,
  ) {
    super(detail ?? firstMessage(errors));
    this.extra.errors = errors;
  }
}

/** A malformed query parameter (filter value, ordering field, page). */
export class InvalidQueryError extends ValidationFailedError {
  constructor(parameter: string, message: string) {
    super({ [parameter]: [message] }, `Invalid value for '${parameter}': ${message}`);
  }
}

/** No or invalid credentials. */
export class UnauthorizedError extends DomainError {
  readonly status = 401;
  constructor(detail = 'Authentication credentials were not provided.') {
    super(detail);
  }
}

/** Authenticated, but not allowed to do this. */
export class ForbiddenError extends DomainError {
  readonly status = 403;
  constructor(detail = 'You do not have permission to perform this action.') {
    super(detail);
  }
}

/** A body (or part of one) over its size limit. */
export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  constructor(detail = 'Request body is too large.', field?: string) {
    super(detail);
    if (field) this.extra.errors = { [field]: [detail] };
  }
}

export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  constructor(
    method: string,
    readonly allow: string[],
  ) {
    super(`Method "${method}" not allowed.`);
  }
}

function firstMessage(errors: Record<string, string[]>): string {
  const [field, messages] = Object.entries(errors)[0] ?? [];
  return field ? `${field}: ${messages?.[0] ?? 'invalid'}` : 'Invalid input.';
}

/** Too many requests from one client: answered 429 with `Retry-After`. */
export class RateLimitedError extends DomainError {
  readonly status = 429;
  constructor(
    readonly retryAfterSeconds: number,
    detail = `Rate limit exceeded. Wait ${Math.max(1, Math.ceil(retryAfterSeconds / 60))} minutes.`,
  ) {
    super(detail);
  }
}

/** A service we depend on (Alertmanager) answered badly or not at all. */
export class BadGatewayError extends DomainError {
  readonly status = 502;
  constructor(detail: string) {
    super(detail);
  }
}

/** A feature that needs configuration it does not have (answered 503). */
export class NotConfiguredError extends DomainError {
  readonly status = 503;
  constructor(detail: string) {
    super(detail);
  }
}
