import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A failure talking to vCenter, with a message fit for the run's error_message (no secrets). */
export class VsphereError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'VsphereError';
  }
}

export interface VsphereClientOptions {
  /** https://host[:port] */
  baseUrl: string;
  username: string;
  password: string;
  verifySsl: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * A small client for the vSphere Automation REST API (`/api/...`, vSphere 7.0U2+):
 * session login with Basic credentials, the `vmware-api-session-id` header on every
 * call, one transparent re-login when a session expires (401), a timeout per request,
 * and TLS verification unless `verify_ssl` is false.
 */
export class VsphereClient {
  private session: string | null = null;

  constructor(private readonly options: VsphereClientOptions) {}

  async login(): Promise<void> {
    const basic = Buffer.from(`${this.options.username}:${this.options.password}`).toString('base64');
    const { status, body } = await this.send('POST', '/api/session', { authorization: `Basic ${basic}` });
    if (status === 401 || status === 403)
      throw new VsphereError(
        `vCenter refused the credentials of "${this.options.username}" (HTTP ${status}).`,
        status,
      );
    if (status !== 200 && status !== 201)
      throw new VsphereError(`vCenter session login failed with HTTP ${status}.`, status);
    const session = JSON.parse(body) as unknown;
    if (typeof session !== 'string' || !session)
      throw new VsphereError('vCenter answered the login without a session id.');
    this.session = session;
  }

  async logout(): Promise<void> {
    if (!this.session) return;
    await this.send('DELETE', '/api/session', { 'vmware-api-session-id': this.session }).catch(
      () => undefined,
    );
    this.session = null;
  }

  /** GET a JSON document; re-logs in once when the session has expired. */
  async get<T>(path: string): Promise<T> {
    if (!this.session) await this.login();
    let response = await this.send('GET', path, { 'vmware-api-session-id': this.session! });
    if (response.status === 401) {
      await this.login();
      response = await this.send('GET', path, { 'vmware-api-session-id': this.session! });
    }
    if (response.status === 404) throw new VsphereError(`vCenter has no ${path} (HTTP 404).`, 404);
    if (response.status >= 400) {
      let detail = '';
      try {
        const parsed = JSON.parse(response.body) as {
          error_type?: string;
          messages?: { default_message?: string }[];
        };
        detail = [parsed.error_type, parsed.messages?.[0]?.default_message].filter(Boolean).join(': ');
      } catch {
        /* not JSON */
      }
      throw new VsphereError(
        `vCenter answered ${path} with HTTP ${response.status}${detail ? ` (${detail})` : ''}.`,
        response.status,
      );
    }
    try {
      return JSON.parse(response.body) as T;
    } catch {
      throw new VsphereError(`vCenter answered ${path} with something that is not JSON.`);
    }
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string }> {
    const url = new URL(path, this.options.baseUrl);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          headers: { accept: 'application/json', ...headers },
          rejectUnauthorized: this.options.verifySsl,
          timeout: this.options.timeoutMs,
          signal: this.options.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(
          new VsphereError(`vCenter did not answer ${path} within ${this.options.timeoutMs / 1000}s.`),
        ),
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof VsphereError) return reject(error);
        if (error.name === 'AbortError') return reject(new VsphereError('Collection canceled.'));
        const reason =
          error.code === 'ECONNREFUSED'
            ? 'connection refused'
            : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
              ? 'host name not found'
              : error.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
                  error.code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
                  error.code?.startsWith('ERR_TLS') ||
                  error.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
                ? `TLS certificate not trusted (${error.code}); set verify_ssl to false for self-signed certificates`
                : (error.code ?? error.message);
        reject(new VsphereError(`Cannot reach vCenter at ${url.host}: ${reason}.`));
      });
      req.end();
    });
  }
}
