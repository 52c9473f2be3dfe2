import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait } from '../support/collection.js';
import { FakeKubernetes, fillCluster, k8sUid } from '../support/fake-kubernetes.js';

/**
 * The kubernetes:cluster collector (@kubernetes/client-node), against a local server
 * speaking the Kubernetes REST API: chunked lists with limit/continue, 410 Gone for an
 * expired continue token, Status objects for 401/403 (test/support/fake-kubernetes.ts).
 */
describe('kubernetes:cluster collector', () => {
  let t: TestApp;
  const k8s = new FakeKubernetes();
  let endpoint: string;
  const NODE_UUID = '4203e1b1-0000-4000-8000-0000000000c1';
  beforeAll(async () => {
    t = await startTestApp();
    endpoint = await k8s.start();
    fillCluster(k8s, {
      nodes: [
        { name: 'worker-1', systemUUID: NODE_UUID, ip: '10.0.1.11' },
        {
          name: 'worker-2',
          systemUUID: '4203e1b1-0000-4000-8000-0000000000c2',
          ip: '10.0.1.12',
          awsInstance: { id: 'i-0abc', zone: 'us-east-1a' },
        },
      ],
      namespaces: ['web', 'data'],
      deploymentsPerNamespace: 2,
      replicas: 2,
    });
    k8s.add('daemonsets', {
      metadata: {
        name: 'node-exporter',
        namespace: 'web',
        uid: k8sUid('ds/node-exporter'),
        labels: { app: 'node-exporter' },
      },
      spec: { selector: { matchLabels: { app: 'node-exporter' } } },
      status: { desiredNumberScheduled: 2, numberReady: 2, currentNumberScheduled: 2 },
    });
    k8s.maxPageSize = 3; // every list comes in several chunks
  });
  afterAll(async () => {
    await t.close();
    await k8s.stop();
  });

  const provider = async (name: string, config: Record<string, unknown> = {}, endpointOverride?: string) => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name,
        vendor: 'kubernetes',
        provider_type: 'cluster',
        infrastructure: 'container',
        organization: 1,
        endpoint: endpointOverride ?? endpoint,
        connection_config: {
          token: k8s.token,
          allow_http: true,
          cluster_name: 'ocp-lab',
          timeout_seconds: 5,
          page_size: 2,
          ...config,
        },
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const resources = async (id: string) =>
    (await http(`${t.api}/resources/?provider=${id}&page_size=500`)).body.results as any[];
  let main: string;

  it('collects every kind in chunks, with identities and relationships', async () => {
    main = await provider('k8s main');
    const run = await collectAndWait(t, main);
    expect(run).toMatchObject({ status: 'completed', resources_found: 36, resources_rejected: 0 });
    const all = await resources(main);
    const counts: Record<string, number> = {};
    for (const r of all) counts[r.vendor_type] = (counts[r.vendor_type] ?? 0) + 1;
    expect(counts).toEqual({
      Cluster: 1,
      Node: 2,
      Namespace: 2,
      PersistentVolume: 2,
      PersistentVolumeClaim: 2,
      Deployment: 4,
      ReplicaSet: 4,
      StatefulSet: 2,
      DaemonSet: 1,
      Pod: 10,
      Service: 4,
      Ingress: 2,
    });
    const node = all.find((r) => r.name === 'worker-1');
    expect(node).toMatchObject({
      resource_type_slug: 'virtual_machine',
      canonical_id: NODE_UUID,
      state: 'running',
      region: 'ocp-lab',
      ip_addresses: ['10.0.1.11'],
      os_type: 'linux',
      os_name: 'Red Hat Enterprise Linux CoreOS 9.4',
      cpu_count: 4,
      memory_mb: 16009,
      vendor_identifiers: { uid: k8sUid('node/worker-1'), system_uuid: NODE_UUID },
    });
    expect(all.find((r) => r.name === 'worker-2')).toMatchObject({
      availability_zone: 'us-east-1a',
      vendor_identifiers: { instance_id: 'i-0abc', provider_id: 'aws:///us-east-1a/i-0abc' },
    });
    expect(all.find((r) => r.vendor_type === 'Namespace')).toMatchObject({ resource_type_slug: 'namespace' });
    expect(all.find((r) => r.name === 'data-db-0' && r.cloud_tenant === 'web')).toMatchObject({
      disk_gb: 20,
      state: 'active',
    });
    const byCanonical = await http(`${t.api}/resources/?canonical_id=${NODE_UUID}`);
    expect(byCanonical.body.results.map((r: any) => r.name)).toEqual(['worker-1']);

    const edges = (await http(`${t.api}/resource-relationships/?provider=${main}&page_size=1000`)).body
      .results as any[];
    const named = new Set(edges.map((e) => `${e.source_name} ${e.relationship_type} ${e.target_name}`));
    const pod = all.find(
      (r) => r.vendor_type === 'Pod' && r.cloud_tenant === 'web' && r.name.startsWith('app-1-'),
    );
    for (const expected of [
      `${pod.name} runs_on ${pod.properties.node}`,
      `${pod.name} member_of app-1-7d4b9c8f6`,
      'app-1-7d4b9c8f6 member_of app-1',
      `app-1 routes_to ${pod.name}`,
      `${pod.name} part_of web`,
      'db-0 attached_to data-db-0',
      'db-0 member_of db',
      'web routes_to app-1',
      'web part_of ocp-lab',
      'worker-1 part_of ocp-lab',
    ])
      expect(named).toContain(expected);
    const claim = all.find((r) => r.name === 'data-db-0' && r.cloud_tenant === 'web');
    const volume = all.find(
      (r) => r.vendor_type === 'PersistentVolume' && r.properties.claim === 'web/data-db-0',
    );
    expect(
      edges.some(
        (e) => e.source === claim.id && e.target === volume.id && e.relationship_type === 'attached_to',
      ),
    ).toBe(true);
    // limit/continue: pods came in chunks of 2.
    expect(k8s.requests.filter((r) => r.startsWith('GET /api/v1/pods?')).length).toBe(5);
  });

  it('lists again from the start when a continue token has expired (410 Gone)', async () => {
    const before = k8s.requests.length;
    k8s.expireContinueTokens = 2;
    const run = await collectAndWait(t, main);
    expect(run).toMatchObject({ status: 'completed', resources_found: 36, resources_unchanged: 36 });
    expect(k8s.expireContinueTokens).toBe(0);
    const restarted = k8s.requests.slice(before).filter((r) => /\?limit=2$/.test(r));
    expect(restarted.length).toBeGreaterThan(12); // 12 kinds, two listed twice
  });

  it('reads only the configured namespaces; a forbidden one fails the run and removes nothing', async () => {
    const id = await provider('k8s namespaced', { namespaces: ['web', 'data'] });
    const ok = await collectAndWait(t, id);
    expect(ok).toMatchObject({ status: 'completed', resources_found: 36 });
    expect(k8s.requests.some((r) => r.startsWith('GET /api/v1/namespaces/data/pods'))).toBe(true);
    k8s.forbiddenNamespaces.add('data');
    try {
      const run = await collectAndWait(t, id);
      expect(run.status).toBe('failed');
      expect(run.resources_removed).toBe(0);
      expect(run.error_message).toMatch(
        /^1 of 2 namespaces failed \(nothing was marked removed\): namespace data: Kubernetes answered list persistentvolumeclaims in data with 403 Forbidden: persistentvolumeclaims is forbidden/,
      );
      expect((await resources(id)).every((r) => r.removed_at === null)).toBe(true);
    } finally {
      k8s.forbiddenNamespaces.clear();
    }
  });

  it('accepts a kubeconfig, and says clearly when the token is refused (without showing it)', async () => {
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: lab\n  cluster:\n    server: ${endpoint}`,
      'users:',
      `- name: reader\n  user:\n    token: ${k8s.token}`,
      'contexts:',
      '- name: lab\n  context:\n    cluster: lab\n    user: reader',
      'current-context: lab',
    ].join('\n');
    const id = await provider('k8s kubeconfig', { kubeconfig, token: null }, '');
    expect((await collectAndWait(t, id)).status).toBe('completed');
    const stored = await t.pool.query(`SELECT connection_config FROM providers WHERE id = $1`, [id]);
    expect(JSON.stringify(stored.rows[0])).not.toContain(k8s.token); // encrypted at rest

    const wrong = await collectAndWait(t, await provider('k8s wrong token', { token: 'not-the-token-42' }));
    expect(wrong.status).toBe('failed');
    expect(wrong.error_message).toBe(
      `The Kubernetes API at ${endpoint} refused the token (401 Unauthorized).`,
    );
    expect(JSON.stringify(wrong)).not.toContain('not-the-token-42');
    const plain = await collectAndWait(t, await provider('k8s plain http', { allow_http: false }));
    expect(plain.error_message).toMatch(/Refusing to send the token over plain http/);
    const test = await http(`${t.api}/provider-plugins/kubernetes:cluster/test/`, { method: 'POST' });
    const results = Object.fromEntries(test.body.results.map((r: any) => [r.provider_name, r]));
    expect(results['k8s main']).toMatchObject({
      ok: true,
      message: `Connected to ${endpoint}: Kubernetes v1.30.4.`,
    });
  });

  const opensslAvailable = (() => {
    try {
      execFileSync('openssl', ['version']);
      return true;
    } catch {
      return false;
    }
  })();
  (opensslAvailable ? it : it.skip)(
    'verifies the API server certificate against ca_certificate',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fake-k8s-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ].concat(['-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']),
        { stdio: 'ignore' },
      );
      const tls = new FakeKubernetes();
      const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      const tlsEndpoint = await tls.start({ key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert });
      try {
        const strict = await collectAndWait(
          t,
          await provider('k8s tls no ca', { token: tls.token }, tlsEndpoint),
        );
        expect(strict.status).toBe('failed');
        expect(strict.error_message).toMatch(/TLS certificate of .* not trusted .*ca_certificate/);
        const trusted = await collectAndWait(
          t,
          await provider('k8s tls ca', { token: tls.token, ca_certificate: cert }, tlsEndpoint),
        );
        expect(trusted).toMatchObject({ status: 'completed', resources_found: 1 }); // an empty cluster: itself
      } finally {
        await tls.stop();
      }
    },
  );
});
