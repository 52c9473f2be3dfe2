import type { OpenAPIObject } from '@nestjs/swagger';

/** The extension @Public() puts on an operation; applySecurity() turns it into `security: []`. */
export const PUBLIC_OPERATION = 'x-inventory-public';

/**
 * How callers authenticate, as OpenAPI security schemes (the Authorize button of Swagger
 * UI at /docs/ offers each). Routes that check a credential of their own name it with
 * @ApiBasicAuth() (system credentials) or @ApiBearerAuth('<scheme>').
 */
export const SECURITY_SCHEMES = {
  gatewayJwt: {
    type: 'apiKey',
    in: 'header',
    name: 'X-DAB-JW-TOKEN',
    description:
      'The Ansible Automation Platform gateway token (RS256 JWT), as the gateway sends it. Needs GATEWAY_JWT_PUBLIC_KEY or GATEWAY_JWT_PUBLIC_KEY_URL.',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A token from POST /auth/login/ or `inventory token`, or a gateway token.',
  },
  basic: {
    type: 'http',
    scheme: 'basic',
    description:
      "A local user's username and password; on the push and agent routes, a system's `system_key:secret`.",
  },
  alertHistoryToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      "ALERT_HISTORY_TOKEN, the static token Alertmanager's webhook sends to POST /api/alert_history.",
  },
} as const;

/** What every authenticated operation accepts: any one of these. */
export const USER_SECURITY: Record<string, string[]>[] = [{ gatewayJwt: [] }, { bearer: [] }, { basic: [] }];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Declares the security schemes and says on every operation what it needs: the user
 * credentials (USER_SECURITY), the route's own scheme (public routes with their own
 * check), or nothing (`security: []`: /ping/, /health/, /auth/login/, anonymous pushes).
 */
export function applySecurity(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    securitySchemes: { ...document.components?.securitySchemes, ...SECURITY_SCHEMES },
  };
  document.security = USER_SECURITY;
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as (Record<string, unknown> & { security?: unknown[] }) | undefined;
      if (!operation) continue;
      const isPublic = operation[PUBLIC_OPERATION] === true;
      delete operation[PUBLIC_OPERATION];
      if (!isPublic) operation.security = USER_SECURITY;
      else operation.security ??= [];
    }
  }
  return document;
}
