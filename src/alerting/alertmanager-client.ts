import { Inject, Injectable, Logger } from '@nestjs/common';
import { BadGatewayError, NotConfiguredError } from '../common/errors.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';

export interface UpstreamAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

export type AlertmanagerMethod = 'GET' | 'POST' | 'DELETE';

/** The tenant of the platform's own alerts (no organization) when ALERTMANAGER_TENANT is unset. */
export const PLATFORM_TENANT = 'platform';

/**
 * Calls to the configured Alertmanager's v2 API (ALERTMANAGER_URL), shared by the
 * per-system proxy and the inventory's sender: the configured Basic or Bearer
 * credentials, the tenant as `X-Scope-OrgID` (ALERTMANAGER_TENANT, else the
 * organization's id), and ALERTMANAGER_TIMEOUT_SECONDS. Unreachable: 502; not
 * configured: 503.
 */
@Injectable()
export class AlertmanagerClient {
  private readonly logger = new Logger('Alertmanager');

  constructor(@Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig) {}

  get configured(): boolean {
    return this.config.alerting.alertmanagerUrl !== null;
  }

  /** The X-Scope-OrgID for an organization's alerts (null: the platform's own). */
  tenant(organizationId: number | null): string {
    return (
      this.config.alerting.alertmanagerTenant ??
      (organizationId === null ? PLATFORM_TENANT : String(organizationId))
    );
  }

  async call(
    tenant: string,
    method: AlertmanagerMethod,
    path: string,
    query: URLSearchParams = new URLSearchParams(),
    body?: unknown,
  ): Promise<UpstreamAnswer> {
    const base = this.config.alerting.alertmanagerUrl;
    if (!base) throw new NotConfiguredError('No Alertmanager is configured (ALERTMANAGER_URL).');
    const qs = query.toString();
    const url = `${base}/api/v2/${path}${qs ? `?${qs}` : ''}`;
    const auth = this.config.alerting.alertmanagerAuth;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          'x-scope-orgid': tenant,
          ...(auth?.kind === 'bearer' ? { authorization: `Bearer ${auth.token}` } : {}),
          ...(auth?.kind === 'basic'
            ? {
                authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
              }
            : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.config.alerting.alertmanagerTimeoutSeconds * 1000),
      });
    } catch (error) {
      this.logger.error(`Alertmanager unreachable (${method} ${path}): ${(error as Error).message}`);
      throw new BadGatewayError('Alertmanager is unavailable.');
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: await response.text(),
    };
  }
}
