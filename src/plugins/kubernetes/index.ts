import { asStringList } from '../connection-parameters.js';
import type { ProviderPlugin } from '../plugin.contract.js';
import { collectKubernetes } from './kube-collector.js';
import { connect, describeKubeError } from './kube-client.js';

/**
 * `kubernetes:cluster`: a Kubernetes (or OpenShift) cluster through its REST API with
 * @kubernetes/client-node. Lists are read in chunks (`limit`/`continue`), restarted on
 * 410 Gone; each call has a deadline; with `namespaces`, only those are read and a
 * namespace that fails fails the run (nothing is then marked removed).
 */
export const kubernetesPlugin: ProviderPlugin = {
  manifest: {
    vendor: 'kubernetes',
    provider_type: 'cluster',
    version: '1.0.0',
    display_name: 'Kubernetes / OpenShift cluster',
    description:
      'The cluster, nodes (canonical_id: SMBIOS system UUID), namespaces, pods, deployments, replica sets, stateful sets, daemon sets, services, ingresses, persistent volumes and claims, with runs_on, member_of, attached_to, routes_to and part_of relationships. OpenShift works through the same API.',
    infrastructure: 'container',
    supported_resource_types: [
      'container_orchestration_platform',
      'virtual_machine',
      'namespace',
      'container',
      'paas_instance',
      'load_balancer',
      'gateway',
      'block_storage',
    ],
    connection_parameters: [
      {
        name: 'kubeconfig',
        type: 'string',
        required: false,
        secret: true,
        description: 'A kubeconfig document (its current context is used). Or give the endpoint and a token.',
      },
      {
        name: 'token',
        type: 'string',
        required: false,
        secret: true,
        description: 'Bearer token (e.g. a service account token) for the API server given as the endpoint.',
      },
      {
        name: 'ca_certificate',
        type: 'string',
        required: false,
        secret: false,
        description: "PEM of the CA that signed the API server's certificate.",
      },
      {
        name: 'namespaces',
        type: 'list',
        required: false,
        secret: false,
        description: 'Collect only these namespaces (a namespace-scoped token is enough). Default: all.',
      },
      {
        name: 'cluster_name',
        type: 'string',
        required: false,
        secret: false,
        description:
          "Name of the cluster (reported as the resources' region). Default: the API server's host name.",
      },
      {
        name: 'verify_ssl',
        type: 'boolean',
        required: false,
        secret: false,
        default: true,
        description: 'Verify the TLS certificate of the API server.',
      },
      {
        name: 'allow_http',
        type: 'boolean',
        required: false,
        secret: false,
        default: false,
        description:
          'Accept a plain http:// API server (the token then travels unencrypted): test clusters only.',
      },
      {
        name: 'page_size',
        type: 'integer',
        required: false,
        secret: false,
        default: 500,
        description: 'Items per list chunk (`limit`).',
      },
      {
        name: 'timeout_seconds',
        type: 'integer',
        required: false,
        secret: false,
        default: 30,
        description: 'How long to wait for each API call.',
      },
    ],
    requires_endpoint: false,
  },
  async validateConnection(ctx) {
    try {
      const api = await connect(ctx, asStringList(ctx.config.namespaces));
      const version = await api.version.getCode({}, api.options).catch((error: unknown) => {
        throw describeKubeError(error, 'GET /version', api.settings);
      });
      return { ok: true, message: `Connected to ${api.settings.server}: Kubernetes ${version.gitVersion}.` };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  },
  async *collect(ctx) {
    const api = await connect(ctx, asStringList(ctx.config.namespaces));
    yield* collectKubernetes(ctx, api);
  },
};
