import { spawnSync } from 'node:child_process';
import { loadAll } from 'js-yaml';
import * as models from 'kubernetes-models';
import { http, startTestApp, type TestApp } from '../support/app.js';

/**
 * Renders both kustomize overlays with the real `kubectl kustomize`, validates every
 * object against the Kubernetes schemas (kubernetes-models) and checks what the
 * Deployments promise: roles, probes on routes the app answers, resources, security.
 */
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const haveKubectl = !kubectl.error && kubectl.status === 0;
if (!haveKubectl)
  console.warn(
    'kubectl is not installed: the Kubernetes manifest tests are skipped ' +
      '(install it, e.g. `apt-get install -y kubernetes-client`, to run them).',
  );
const describeWithKubectl = haveKubectl ? describe : describe.skip;

function render(overlay: string): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', `k8s/overlays/${overlay}`], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${overlay} failed: ${result.stderr}`);
  return loadAll(result.stdout).filter(Boolean) as K8sObject[];
}

/** The kubernetes-models class for an object: `apps/v1` + `Deployment` -> models.apps.v1.Deployment. */
function modelFor(object: K8sObject): (new (data: unknown) => { validate(): void }) | undefined {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const groupKey = group ? group.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase()) : '';
  const namespace: any = groupKey ? (models as any)[groupKey]?.[version] : (models as any)[version];
  return namespace?.[object.kind];
}

/**
 * kustomize wraps generated Secrets' base64 at 70 columns; the API server's decoder
 * ignores those newlines, the schema's `byte` format does not.
 */
function forValidation(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, v.replace(/\s+/g, '')]));
  return { ...object, data };
}

const deployment = (objects: K8sObject[], name: string) =>
  objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
const envOf = (container: any): Record<string, string> =>
  Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? '(from secret)']));

describeWithKubectl.each(['dev', 'production'])('the %s overlay', (overlay) => {
  const objects = haveKubectl ? render(overlay) : [];

  it('renders and every object validates against the Kubernetes schema', () => {
    expect(objects.length).toBeGreaterThan(8);
    for (const object of objects) {
      const Model = modelFor(object);
      expect({ object: `${object.apiVersion} ${object.kind}`, known: !!Model }).toEqual({
        object: `${object.apiVersion} ${object.kind}`,
        known: true,
      });
      expect(() => new Model!(forValidation(object)).validate()).not.toThrow();
    }
  });

  it('has the ConfigMap, Secrets, Service, Ingress on /api/inventory/ and the migration Job', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['ConfigMap', 'Secret', 'Deployment', 'Service', 'Ingress', 'Job', 'NetworkPolicy'])
      expect(kinds).toContain(kind);
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'inventory-config')!;
    expect(config.data!.MIGRATIONS_RUN).toBe('false');
    const ingress = objects.find((o) => o.kind === 'Ingress')!;
    const paths = ingress.spec.rules.flatMap((r: any) => r.http.paths);
    expect(paths).toContainEqual(
      expect.objectContaining({
        path: '/api/inventory/',
        pathType: 'Prefix',
        backend: { service: { name: 'inventory-api', port: { name: 'http' } } },
      }),
    );
    const job = objects.find((o) => o.kind === 'Job')!;
    expect(job.spec.template.spec.containers[0].args).toEqual(['migrate']);
    // Every workload reads the database URL from the Secret `inventory-database`.
    const secretNames = objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name);
    expect(secretNames.some((name) => name.startsWith('inventory-database'))).toBe(true);
  });

  it('runs the long-running pods with probes, resources, a read-only root and no root user', () => {
    const workloads = objects.filter((o) => o.kind === 'Deployment');
    expect(workloads.length).toBeGreaterThan(0);
    for (const workload of workloads) {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.topologySpreadConstraints.length).toBeGreaterThan(0);
      const [container] = pod.containers;
      expect(container.readinessProbe.httpGet.path).toBe('/api/inventory/v1/health/');
      expect(container.livenessProbe.httpGet.path).toBe('/api/inventory/v1/ping/');
      expect(container.resources.requests).toEqual(
        expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
      );
      expect(container.resources.limits.memory).toEqual(expect.any(String));
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(container.volumeMounts.map((m: any) => m.mountPath)).toEqual(
        expect.arrayContaining(['/data', '/tmp']),
      );
    }
  });

  if (overlay === 'production') {
    it('scales api and worker apart, with autoscalers and disruption budgets', () => {
      const api = deployment(objects, 'inventory-api')!;
      const worker = deployment(objects, 'inventory-worker')!;
      expect(envOf(api.spec.template.spec.containers[0]).INVENTORY_ROLE).toBe('api');
      expect(envOf(worker.spec.template.spec.containers[0]).INVENTORY_ROLE).toBe('worker');
      const hpaTargets = objects
        .filter((o) => o.kind === 'HorizontalPodAutoscaler')
        .map((o) => o.spec.scaleTargetRef.name);
      expect(hpaTargets.sort()).toEqual(['inventory-api', 'inventory-worker']);
      expect(objects.filter((o) => o.kind === 'PodDisruptionBudget').length).toBe(2);
      expect(objects.every((o) => o.metadata.namespace === 'inventory')).toBe(true);
    });
  } else {
    it('runs one all-in-one pod beside a small PostgreSQL StatefulSet', () => {
      const deployments = objects.filter((o) => o.kind === 'Deployment');
      expect(deployments.map((d) => d.metadata.name)).toEqual(['inventory-api']);
      expect(deployments[0].spec.replicas).toBe(1);
      expect(envOf(deployments[0].spec.template.spec.containers[0]).INVENTORY_ROLE).toBe('all');
      const postgres = objects.find((o) => o.kind === 'StatefulSet')!;
      expect(postgres.spec.replicas).toBe(1);
      expect(postgres.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
    });
  }
});

describe('the probe paths the manifests use', () => {
  let api: TestApp;
  let worker: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ INVENTORY_ROLE: 'api' });
    worker = await startTestApp({ INVENTORY_ROLE: 'worker' });
  });
  afterAll(async () => {
    await api?.close();
    await worker?.close();
  });

  it.each(['/api/inventory/v1/ping/', '/api/inventory/v1/health/', '/api/inventory/v1/metrics/'])(
    '%s answers 200 without credentials on the api and worker roles (probes, scraping)',
    async (path) => {
      for (const t of [api, worker])
        expect((await http(`${t.root}${path}`, { anonymous: true })).status).toBe(200);
    },
  );
});
