import type { RequestContext, ResponseContext } from '@kubernetes/client-node';
import { asString } from '../connection-parameters.js';
import type { PluginContext } from '../plugin.contract.js';

/** A failure talking to the Kubernetes API, with a message fit for the run's error_message (no token). */
export class KubernetesError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'KubernetesError';
  }
}

/** @kubernetes/client-node, loaded when a Kubernetes provider is first used (it is large). */
export const loadClientNode = () => import('@kubernetes/client-node');
export type ClientNode = Awaited<ReturnType<typeof loadClientNode>>;

export interface KubeSettings {
  server: string;
  clusterName: string;
  timeoutMs: number;
  pageSize: number;
  namespaces: string[];
}

/** A list call of the generated client: takes limit/continue, answers a *List object. */
export type ListCall = (params: { limit: number; _continue?: string }) => Promise<{
  metadata?: { _continue?: string; resourceVersion?: string };
  items: unknown[];
}>;

/**
 * The connection: a kubeconfig (its current context), or the provider's endpoint (the API
 * server URL) with a bearer token and a CA certificate. A plain http:// server is refused
 * unless `allow_http` is set (the token would travel in clear).
 */
export async function connect(ctx: PluginContext, namespaces: string[]) {
  const k8s = await loadClientNode();
  const kc = new k8s.KubeConfig();
  const c = ctx.config;
  const kubeconfig = asString(c.kubeconfig);
  const verify = c.verify_ssl !== false;
  if (kubeconfig.trim()) {
    try {
      kc.loadFromString(kubeconfig);
    } catch (error) {
      throw new KubernetesError(`The kubeconfig cannot be read: ${(error as Error).message.split('\n')[0]}`);
    }
    if (!kc.getCurrentCluster())
      throw new KubernetesError('The kubeconfig has no current context with a cluster.');
  } else {
    const server = ctx.provider.endpoint.trim();
    const token = asString(c.token);
    if (!server)
      throw new KubernetesError('Give a kubeconfig, or the API server URL as the endpoint and a token.');
    if (!token) throw new KubernetesError('A token is required with an endpoint (or give a kubeconfig).');
    const ca = asString(c.ca_certificate).trim();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'inventory',
          server: /^https?:\/\//.test(server) ? server : `https://${server}`,
          skipTLSVerify: !verify,
          ...(ca ? { caData: Buffer.from(ca).toString('base64') } : {}),
        },
      ],
      users: [{ name: 'inventory', token }],
      contexts: [{ name: 'inventory', cluster: 'inventory', user: 'inventory' }],
      currentContext: 'inventory',
    });
  }
  const cluster = kc.getCurrentCluster()!;
  const server = cluster.server;
  if (/^http:\/\//i.test(server)) {
    if (c.allow_http !== true)
      throw new KubernetesError(
        'Refusing to send the token over plain http:// (set allow_http to allow it, for test clusters only).',
      );
    // The client refuses http unless TLS checks are off; there is no TLS on http anyway.
    (cluster as { skipTLSVerify: boolean }).skipTLSVerify = true;
  }
  const settings: KubeSettings = {
    server,
    clusterName: asString(c.cluster_name).trim() || new URL(server).hostname,
    timeoutMs: Math.max(1, Number(c.timeout_seconds ?? 30)) * 1000,
    pageSize: Math.min(Math.max(1, Number(c.page_size ?? 500)), 5000),
    namespaces,
  };
  // Each call gets its own deadline, tied to the run's cancel signal (the generated
  // client's middleware is Observable-based: its stub Observable wraps a promise).
  const options = {
    middleware: [
      {
        pre: (request: RequestContext) => {
          request.setSignal(AbortSignal.any([ctx.signal, AbortSignal.timeout(settings.timeoutMs)]));
          return new k8s.Observable(Promise.resolve(request));
        },
        post: (response: ResponseContext) => new k8s.Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append' as const,
  };
  return {
    k8s,
    settings,
    options,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    networking: kc.makeApiClient(k8s.NetworkingV1Api),
    version: kc.makeApiClient(k8s.VersionApi),
  };
}
export type KubeConnection = Awaited<ReturnType<typeof connect>>;

/** Turns a client error into a KubernetesError saying what failed, for whom, and what to check. */
export function describeKubeError(
  error: unknown,
  what: string,
  settings: Pick<KubeSettings, 'server' | 'timeoutMs'>,
) {
  if (error instanceof KubernetesError) return error;
  const e = error as {
    code?: number | string;
    body?: unknown;
    message?: string;
    name?: string;
    cause?: { code?: string };
  };
  if (typeof e.code === 'number') {
    let status: { message?: string; reason?: string } = {};
    try {
      status = (typeof e.body === 'string' ? JSON.parse(e.body) : (e.body ?? {})) as typeof status;
    } catch {
      /* not a Status object */
    }
    if (e.code === 401)
      return new KubernetesError(
        `The Kubernetes API at ${settings.server} refused the token (401 Unauthorized).`,
        401,
      );
    return new KubernetesError(
      `Kubernetes answered ${what} with ${e.code}${status.reason ? ` ${status.reason}` : ''}${status.message ? `: ${status.message}` : ''}.`,
      e.code,
    );
  }
  const message = e.message ?? String(error);
  if (e.name === 'AbortError' || /aborted|timeout/i.test(message))
    return new KubernetesError(
      `The Kubernetes API did not answer ${what} within ${settings.timeoutMs / 1000}s.`,
    );
  const code =
    typeof e.code === 'string'
      ? e.code
      : (e.cause?.code ?? /\b(E[A-Z]{4,}|[A-Z_]*CERT[A-Z_]*)\b/.exec(message)?.[1]);
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code))
    return new KubernetesError(
      `TLS certificate of ${settings.server} not trusted (${code}); give its CA as ca_certificate, or set verify_ssl to false.`,
    );
  if (code) return new KubernetesError(`Cannot reach the Kubernetes API at ${settings.server}: ${code}.`);
  return new KubernetesError(`Kubernetes ${what} failed: ${message}`);
}

/**
 * Every item of one list, in chunks of `limit` with the `continue` token. A token that
 * expired (410 Gone, the list changed too much between chunks) restarts the list: the
 * items seen again count once in the run.
 */
export async function* listAll(
  what: string,
  call: ListCall,
  settings: KubeSettings,
  log: (message: string) => void,
): AsyncGenerator<unknown> {
  let restarts = 0;
  let token: string | undefined;
  for (;;) {
    let page: Awaited<ReturnType<ListCall>>;
    try {
      page = await call({ limit: settings.pageSize, ...(token ? { _continue: token } : {}) });
    } catch (error) {
      const failure = describeKubeError(error, what, settings);
      if (failure.status === 410 && token && restarts < 3) {
        restarts++;
        log(`${what}: continue token expired (410 Gone); listing again from the start`);
        token = undefined;
        continue;
      }
      throw failure;
    }
    yield* page.items;
    token = page.metadata?._continue || undefined;
    if (!token) return;
  }
}
