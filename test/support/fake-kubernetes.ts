import { createHash } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

/**
 * A local stand-in for a Kubernetes API server, speaking its REST API in the wire format:
 * `GET /version`, the core (`/api/v1/...`), apps (`/apis/apps/v1/...`) and networking
 * (`/apis/networking.k8s.io/v1/...`) lists, cluster-wide and per namespace, as `*List`
 * objects with `metadata.resourceVersion` and `metadata.continue`; chunked lists with
 * `limit` and `continue` (opaque tokens); `410 Gone` with reason `Expired` for a continue
 * token that is too old; `401`/`403` as `Status` objects; Bearer-token authentication.
 */

export type K8sObject = Record<string, any> & {
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
};

const LISTS: Record<string, { kind: string; namespaced: boolean; group: string }> = {
  nodes: { kind: 'NodeList', namespaced: false, group: 'v1' },
  namespaces: { kind: 'NamespaceList', namespaced: false, group: 'v1' },
  persistentvolumes: { kind: 'PersistentVolumeList', namespaced: false, group: 'v1' },
  pods: { kind: 'PodList', namespaced: true, group: 'v1' },
  services: { kind: 'ServiceList', namespaced: true, group: 'v1' },
  persistentvolumeclaims: { kind: 'PersistentVolumeClaimList', namespaced: true, group: 'v1' },
  deployments: { kind: 'DeploymentList', namespaced: true, group: 'apps/v1' },
  replicasets: { kind: 'ReplicaSetList', namespaced: true, group: 'apps/v1' },
  statefulsets: { kind: 'StatefulSetList', namespaced: true, group: 'apps/v1' },
  daemonsets: { kind: 'DaemonSetList', namespaced: true, group: 'apps/v1' },
  ingresses: { kind: 'IngressList', namespaced: true, group: 'networking.k8s.io/v1' },
};

/** A stable fake uid for a name. */
export const k8sUid = (text: string) => {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export class FakeKubernetes {
  server: Server | null = null;
  url = '';
  readonly token = 'eyJhbGciOiJSUzI1NiJ9.fake-service-account-token';
  readonly objects: Record<string, K8sObject[]> = Object.fromEntries(Object.keys(LISTS).map((k) => [k, []]));
  /** Largest chunk any list answers, whatever `limit` asks. */
  maxPageSize = 500;
  /** The next N requests that carry a continue token answer 410 Gone (reason Expired). */
  expireContinueTokens = 0;
  /** Namespaces the token may not read (403 Forbidden for their namespaced lists). */
  readonly forbiddenNamespaces = new Set<string>();
  readonly requests: string[] = [];
  private resourceVersion = 1000;

  async start(tls?: { key: string; cert: string }): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  add(list: keyof typeof LISTS, object: K8sObject): K8sObject {
    this.objects[list].push(object);
    this.resourceVersion++;
    return object;
  }

  private status(res: ServerResponse, code: number, reason: string, message: string) {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason,
        code,
      }),
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return this.status(res, 401, 'Unauthorized', 'Unauthorized');
    if (url.pathname === '/version' || url.pathname === '/version/') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({
          major: '1',
          minor: '30',
          gitVersion: 'v1.30.4',
          platform: 'linux/amd64',
          goVersion: 'go1.22.5',
        }),
      );
    }
    const m =
      /^\/(?:api\/v1|apis\/(apps\/v1|networking\.k8s\.io\/v1))(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(
        url.pathname,
      ) ??
      /^\/(?:api\/v1|apis\/(apps\/v1|networking\.k8s\.io\/v1))\/(namespaces)\/([^/]+)$/.exec(url.pathname);
    if (!m) return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
    // GET /api/v1/namespaces/{name}
    if (m[2] === 'namespaces' && !LISTS[m[3]]) {
      const ns = this.objects.namespaces.find((n) => n.metadata.name === m[3]);
      if (!ns) return this.status(res, 404, 'NotFound', `namespaces "${m[3]}" not found`);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ kind: 'Namespace', apiVersion: 'v1', ...ns }));
    }
    const group = m[1] ?? 'v1';
    const namespace = m[2];
    const resource = m[3];
    const def = LISTS[resource];
    if (!def || def.group !== group || (namespace && !def.namespaced))
      return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
    if (namespace && this.forbiddenNamespaces.has(namespace))
      return this.status(
        res,
        403,
        'Forbidden',
        `${resource} is forbidden: User "system:serviceaccount:inventory:reader" cannot list resource "${resource}" in API group "${group === 'v1' ? '' : group.split('/')[0]}" in the namespace "${namespace}"`,
      );
    const all = this.objects[resource].filter((o) => !namespace || o.metadata.namespace === namespace);
    const token = url.searchParams.get('continue');
    let offset = 0;
    if (token) {
      if (this.expireContinueTokens > 0) {
        this.expireContinueTokens--;
        return this.status(
          res,
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      try {
        offset = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { start: number }).start;
      } catch {
        return this.status(res, 400, 'BadRequest', 'continue key is not valid');
      }
    }
    const limit = Math.min(Number(url.searchParams.get('limit')) || all.length || 1, this.maxPageSize);
    const items = all.slice(offset, offset + limit);
    const next = offset + limit < all.length;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: def.kind,
        apiVersion: group,
        metadata: {
          resourceVersion: String(this.resourceVersion),
          ...(next
            ? {
                continue: Buffer.from(
                  JSON.stringify({ rv: this.resourceVersion, start: offset + limit }),
                ).toString('base64'),
                remainingItemCount: all.length - offset - limit,
              }
            : {}),
        },
        items,
      }),
    );
  }
}

export interface ClusterOptions {
  /** Nodes: name and SMBIOS system UUID (and an AWS instance for EKS-style nodes). */
  nodes: { name: string; systemUUID: string; ip: string; awsInstance?: { id: string; zone: string } }[];
  namespaces: string[];
  /** Deployments per namespace, each with `replicas` pods (spread over the nodes) and a Service. */
  deploymentsPerNamespace: number;
  replicas: number;
}

/**
 * Fills a fake cluster: namespaces, nodes, per namespace deployments (each with its
 * replica set, pods, a service selecting them) plus one stateful set whose pod mounts a
 * claim bound to a persistent volume, and an ingress in front of the first service.
 */
export function fillCluster(k8s: FakeKubernetes, options: ClusterOptions): void {
  const created = '2025-01-15T08:30:00Z';
  for (const node of options.nodes) {
    k8s.add('nodes', {
      metadata: {
        name: node.name,
        uid: k8sUid(`node/${node.name}`),
        labels: {
          'kubernetes.io/hostname': node.name,
          'kubernetes.io/os': 'linux',
          'node-role.kubernetes.io/worker': '',
          ...(node.awsInstance ? { 'topology.kubernetes.io/zone': node.awsInstance.zone } : {}),
        },
        creationTimestamp: created,
      },
      spec: {
        podCIDR: '10.244.0.0/24',
        ...(node.awsInstance ? { providerID: `aws:///${node.awsInstance.zone}/${node.awsInstance.id}` } : {}),
      },
      status: {
        capacity: { cpu: '4', memory: '16393220Ki', pods: '110', 'ephemeral-storage': '104845292Ki' },
        allocatable: { cpu: '3920m', memory: '15242244Ki', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        addresses: [
          { type: 'InternalIP', address: node.ip },
          { type: 'Hostname', address: node.name },
        ],
        nodeInfo: {
          machineID: node.systemUUID.replace(/-/g, ''),
          systemUUID: node.systemUUID.toUpperCase(),
          bootID: k8sUid(`boot/${node.name}`),
          kernelVersion: '5.14.0-427.el9.x86_64',
          osImage: 'Red Hat Enterprise Linux CoreOS 9.4',
          containerRuntimeVersion: 'cri-o://1.30.4',
          kubeletVersion: 'v1.30.4',
          kubeProxyVersion: 'v1.30.4',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    });
  }
  let podN = 0;
  for (const ns of options.namespaces) {
    k8s.add('namespaces', {
      metadata: {
        name: ns,
        uid: k8sUid(`ns/${ns}`),
        labels: { 'kubernetes.io/metadata.name': ns },
        creationTimestamp: created,
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    for (let d = 0; d < options.deploymentsPerNamespace; d++) {
      const app = `app-${d + 1}`;
      const deployment = k8s.add('deployments', {
        metadata: {
          name: app,
          namespace: ns,
          uid: k8sUid(`deploy/${ns}/${app}`),
          labels: { app },
          creationTimestamp: created,
        },
        spec: { replicas: options.replicas, selector: { matchLabels: { app } } },
        status: {
          replicas: options.replicas,
          readyReplicas: options.replicas,
          availableReplicas: options.replicas,
        },
      });
      const rsName = `${app}-7d4b9c8f6`;
      const rs = k8s.add('replicasets', {
        metadata: {
          name: rsName,
          namespace: ns,
          uid: k8sUid(`rs/${ns}/${rsName}`),
          labels: { app, 'pod-template-hash': '7d4b9c8f6' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: app,
              uid: deployment.metadata.uid,
              controller: true,
            },
          ],
          creationTimestamp: created,
        },
        spec: {
          replicas: options.replicas,
          selector: { matchLabels: { app, 'pod-template-hash': '7d4b9c8f6' } },
        },
        status: { replicas: options.replicas, readyReplicas: options.replicas },
      });
      for (let p = 0; p < options.replicas; p++) {
        const node = options.nodes[podN++ % options.nodes.length];
        const name = `${rsName}-${k8sUid(`${ns}${app}${p}`).slice(0, 5)}`;
        k8s.add('pods', {
          metadata: {
            name,
            namespace: ns,
            uid: k8sUid(`pod/${ns}/${name}`),
            labels: { app, 'pod-template-hash': '7d4b9c8f6' },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: rsName,
                uid: rs.metadata.uid,
                controller: true,
              },
            ],
            creationTimestamp: created,
          },
          spec: {
            nodeName: node.name,
            containers: [
              {
                name: app,
                image: `quay.io/example/${app}:1.4.2`,
                resources: { requests: { cpu: '100m', memory: '128Mi' } },
              },
            ],
          },
          status: {
            phase: 'Running',
            hostIP: node.ip,
            podIP: `10.244.${podN >> 8}.${podN & 255}`,
            podIPs: [{ ip: `10.244.${podN >> 8}.${podN & 255}` }],
            startTime: created,
            qosClass: 'Burstable',
            containerStatuses: [
              { name: app, ready: true, restartCount: 0, image: `quay.io/example/${app}:1.4.2` },
            ],
          },
        });
      }
      k8s.add('services', {
        metadata: {
          name: app,
          namespace: ns,
          uid: k8sUid(`svc/${ns}/${app}`),
          labels: { app },
          creationTimestamp: created,
        },
        spec: {
          type: 'ClusterIP',
          clusterIP: `172.30.${d >> 8}.${(d & 255) + 10}`,
          clusterIPs: [`172.30.${d >> 8}.${(d & 255) + 10}`],
          ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
          selector: { app },
        },
        status: { loadBalancer: {} },
      });
    }
    // A database: stateful set, its pod on the first node with a claim bound to a volume.
    const db = k8s.add('statefulsets', {
      metadata: {
        name: 'db',
        namespace: ns,
        uid: k8sUid(`sts/${ns}/db`),
        labels: { app: 'db' },
        creationTimestamp: created,
      },
      spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } } },
      status: { replicas: 1, readyReplicas: 1 },
    });
    const pvName = `pvc-${k8sUid(`pv/${ns}`)}`;
    k8s.add('persistentvolumes', {
      metadata: { name: pvName, uid: k8sUid(`pv/${ns}`), creationTimestamp: created },
      spec: {
        capacity: { storage: '20Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'gp3-csi',
        persistentVolumeReclaimPolicy: 'Delete',
        claimRef: { kind: 'PersistentVolumeClaim', namespace: ns, name: 'data-db-0' },
        csi: { driver: 'ebs.csi.aws.com', volumeHandle: `vol-0${k8sUid(pvName).slice(0, 16)}` },
      },
      status: { phase: 'Bound' },
    });
    k8s.add('persistentvolumeclaims', {
      metadata: {
        name: 'data-db-0',
        namespace: ns,
        uid: k8sUid(`pvc/${ns}/data-db-0`),
        labels: { app: 'db' },
        creationTimestamp: created,
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '20Gi' } },
        storageClassName: 'gp3-csi',
        volumeName: pvName,
      },
      status: { phase: 'Bound', capacity: { storage: '20Gi' } },
    });
    const node = options.nodes[0];
    k8s.add('pods', {
      metadata: {
        name: 'db-0',
        namespace: ns,
        uid: k8sUid(`pod/${ns}/db-0`),
        labels: { app: 'db' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: db.metadata.uid, controller: true },
        ],
        creationTimestamp: created,
      },
      spec: {
        nodeName: node.name,
        containers: [{ name: 'postgres', image: 'registry.redhat.io/rhel9/postgresql-16:latest' }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }],
      },
      status: {
        phase: 'Running',
        hostIP: node.ip,
        podIP: '10.244.250.1',
        podIPs: [{ ip: '10.244.250.1' }],
        startTime: created,
      },
    });
    k8s.add('ingresses', {
      metadata: { name: 'web', namespace: ns, uid: k8sUid(`ing/${ns}/web`), creationTimestamp: created },
      spec: {
        ingressClassName: 'openshift-default',
        rules: [
          {
            host: `web.${ns}.apps.example.com`,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'app-1', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: { ingress: [{ hostname: 'router-default.apps.example.com' }] } },
    });
  }
}
