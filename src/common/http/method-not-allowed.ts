import FindMyWay from 'find-my-way';
import type { FastifyInstance } from 'fastify';

/** Injection token of the application's RouteTable (optional: without it 404s stay 404s). */
export const ROUTE_TABLE = Symbol('ROUTE_TABLE');

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Remembers every route Fastify registers, so a request for a known path with an
 * unsupported method (POST to a read-only collection) is answered 405 with `Allow`
 * instead of a misleading 404.
 */
export class RouteTable {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true });
  private readonly paths = new Set<string>();

  attach(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if ((METHODS as readonly string[]).includes(method)) {
          try {
            this.paths.add(route.url);
            this.router.on(method as (typeof METHODS)[number], route.url, () => undefined);
          } catch {
            /* the same route registered twice (e.g. HEAD added by Fastify) */
          }
        }
      }
    });
  }

  /** Every registered route path (Fastify syntax, `:id` for parameters), in registration order. */
  routePaths(): string[] {
    return [...this.paths];
  }

  /** Methods the path answers to; empty when no route matches the path at all. */
  allowedMethods(path: string): string[] {
    const clean = path.split('?')[0];
    return METHODS.filter((method) => this.router.find(method, clean) !== null);
  }
}
