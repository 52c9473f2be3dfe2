import type {
  V1DaemonSet,
  V1Deployment,
  V1Ingress,
  V1Namespace,
  V1Node,
  V1ObjectMeta,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1ReplicaSet,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { CollectRecord, PluginContext, ResourceRecord } from '../plugin.contract.js';
import type { ResourceState } from '../../resources/resource.enums.js';
import {
  describeKubeError,
  type KubeConnection,
  KubernetesError,
  type ListCall,
  listAll,
} from './kube-client.js';

/**
 * What `kubernetes:cluster` collects: the cluster, nodes, namespaces, persistent volumes
 * and claims, deployments, replica sets, stateful sets, daemon sets, pods, services and
 * ingresses, each by its uid (ems_ref), with runs_on (pod → node), member_of (pod → its
 * controller, replica set → deployment), attached_to (pod → claim → volume), routes_to
 * (service → the pods its selector matches, ingress → services) and part_of (everything
 * namespaced → its namespace, nodes and namespaces → the cluster). A node's canonical_id
 * is its SMBIOS system UUID, so the same machine seen by vCenter, AWS or a push lines up.
 */

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A Kubernetes quantity ("16393220Ki", "3920m", "20Gi", "1.5") as a number, or null. */
export function quantity(value: string | undefined): number | null {
  const m = /^([0-9.]+)(?:e([+-]?\d+))?([A-Za-z]*)$/.exec((value ?? '').trim());
  if (!m) return null;
  const factor = m[3] ? (BINARY[m[3]] ?? DECIMAL[m[3]]) : 1;
  if (factor === undefined) return null;
  return Number(m[1]) * 10 ** Number(m[2] ?? 0) * factor;
}

const uuidOf = (value: string | undefined) => {
  const text = (value ?? '').trim().toLowerCase();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text) ? text : null;
};
const iso = (value: Date | string | undefined) => (value ? new Date(value).toISOString() : null);

const POD_STATES: Record<string, ResourceState> = {
  Running: 'running',
  Pending: 'pending',
  Succeeded: 'stopped',
  Failed: 'error',
  Unknown: 'unknown',
};

export async function* collectKubernetes(
  ctx: PluginContext,
  api: KubeConnection,
): AsyncGenerator<CollectRecord> {
  const { settings, options } = api;
  const targets = ctx.options.target_resource_types;
  const wanted = (slug: string) => targets.length === 0 || targets.includes(slug);
  const log = (message: string) => ctx.logger.warn(message);
  const list = <T>(what: string, call: ListCall) => listAll(what, call, settings, log) as AsyncGenerator<T>;
  const scoped = settings.namespaces.length > 0;
  const failures: string[] = [];
  const region = settings.clusterName;

  // Version and the cluster itself.
  const version = await api.version.getCode({}, options).catch((error: unknown) => {
    throw describeKubeError(error, 'GET /version', settings);
  });
  const clusterRef = `cluster:${settings.server}`;
  if (wanted('container_orchestration_platform'))
    yield {
      kind: 'resource',
      ems_ref: clusterRef,
      name: settings.clusterName,
      vendor_type: 'Cluster',
      region,
      canonical_id: null,
      vendor_identifiers: { server: settings.server },
      state: 'running',
      power_state: null,
      fqdn: new URL(settings.server).hostname,
      properties: { git_version: version.gitVersion, platform: version.platform },
    };

  /** Cluster-scoped lists: with `namespaces` set, a token that may not list them is expected (skipped). */
  async function* clusterScoped<T>(what: string, call: ListCall): AsyncGenerator<T> {
    try {
      yield* list<T>(what, call);
    } catch (error) {
      if (scoped && error instanceof KubernetesError && error.status === 403) {
        ctx.logger.warn(`${what} skipped: the token may only read the configured namespaces`);
        return;
      }
      throw error;
    }
  }

  const namespaceUid = new Map<string, string>();
  const nsRecord = (ns: V1Namespace): ResourceRecord => ({
    kind: 'resource',
    ems_ref: ns.metadata!.uid!,
    name: ns.metadata!.name!,
    vendor_type: 'Namespace',
    region,
    canonical_id: null,
    vendor_identifiers: { uid: ns.metadata!.uid },
    state: ns.status?.phase === 'Terminating' ? 'terminated' : 'active',
    power_state: null,
    ems_created_on: iso(ns.metadata?.creationTimestamp),
    provider_tags: ns.metadata?.labels ?? {},
    properties: { phase: ns.status?.phase ?? '' },
  });
  if (scoped) {
    for (const name of settings.namespaces) {
      try {
        const ns = await api.core.readNamespace({ name }, options);
        namespaceUid.set(name, ns.metadata!.uid!);
        if (wanted('namespace')) {
          yield nsRecord(ns);
          yield { kind: 'relationship', source: ns.metadata!.uid!, target: clusterRef, type: 'part_of' };
        }
      } catch (error) {
        const failure = describeKubeError(error, `GET namespace ${name}`, settings);
        // Reading the namespace object is a cluster-level right a namespaced token may lack.
        if (failure.status !== 403) throw failure;
      }
    }
  } else {
    for await (const ns of list<V1Namespace>('list namespaces', (p) => api.core.listNamespace(p, options))) {
      namespaceUid.set(ns.metadata!.name!, ns.metadata!.uid!);
      if (wanted('namespace')) {
        yield nsRecord(ns);
        yield { kind: 'relationship', source: ns.metadata!.uid!, target: clusterRef, type: 'part_of' };
      }
    }
  }
  const namespaced = (meta: V1ObjectMeta | undefined) => ({
    region,
    cloud_tenant: meta?.namespace ?? '',
    canonical_id: null,
    vendor_identifiers: { uid: meta?.uid, namespace: meta?.namespace ?? '', name: meta?.name ?? '' },
    ems_created_on: iso(meta?.creationTimestamp),
    provider_tags: meta?.labels ?? {},
  });
  const inNamespace = (meta: V1ObjectMeta | undefined): CollectRecord[] => {
    const ns = namespaceUid.get(meta?.namespace ?? '');
    return ns && wanted('namespace')
      ? [{ kind: 'relationship', source: meta!.uid!, target: ns, type: 'part_of' }]
      : [];
  };

  // Nodes.
  const nodeUid = new Map<string, string>();
  for await (const node of clusterScoped<V1Node>('list nodes', (p) => api.core.listNode(p, options))) {
    const meta = node.metadata!;
    nodeUid.set(meta.name!, meta.uid!);
    if (!wanted('virtual_machine')) continue;
    const info = node.status?.nodeInfo;
    const uuid = uuidOf(info?.systemUUID);
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const addresses = node.status?.addresses ?? [];
    const providerId = node.spec?.providerID ?? '';
    const instance = /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(providerId)?.[1];
    const memory = quantity(node.status?.capacity?.memory);
    const labels = meta.labels ?? {};
    yield {
      kind: 'resource',
      ems_ref: meta.uid!,
      name: meta.name!,
      vendor_type: 'Node',
      region,
      availability_zone: labels['topology.kubernetes.io/zone'] ?? '',
      canonical_id: uuid,
      vendor_identifiers: {
        uid: meta.uid,
        ...(uuid ? { system_uuid: uuid } : {}),
        ...(info?.machineID ? { machine_id: info.machineID } : {}),
        ...(providerId ? { provider_id: providerId } : {}),
        ...(instance ? { instance_id: instance } : {}),
      },
      state: node.spec?.unschedulable ? 'maintenance' : ready ? 'running' : 'unavailable',
      power_state: ready ? 'poweredOn' : 'unknown',
      fqdn: addresses.find((a) => a.type === 'InternalDNS' || a.type === 'Hostname')?.address ?? '',
      ip_addresses: addresses.filter((a) => /IP$/.test(a.type)).map((a) => a.address),
      os_type: info?.operatingSystem ?? '',
      os_name: info?.osImage ?? '',
      cpu_count: quantity(node.status?.capacity?.cpu),
      memory_mb: memory !== null ? Math.round(memory / 2 ** 20) : null,
      ems_created_on: iso(meta.creationTimestamp),
      provider_tags: labels,
      properties: {
        kubelet_version: info?.kubeletVersion ?? '',
        kernel_version: info?.kernelVersion ?? '',
        container_runtime: info?.containerRuntimeVersion ?? '',
        architecture: info?.architecture ?? '',
        pod_cidr: node.spec?.podCIDR ?? '',
        unschedulable: node.spec?.unschedulable ?? false,
        roles: Object.keys(labels)
          .filter((l) => l.startsWith('node-role.kubernetes.io/'))
          .map((l) => l.slice('node-role.kubernetes.io/'.length)),
        allocatable: node.status?.allocatable ?? {},
      },
    };
    yield { kind: 'relationship', source: meta.uid!, target: clusterRef, type: 'part_of' };
  }

  // Persistent volumes (cluster-scoped).
  const volumeUid = new Map<string, string>();
  for await (const pv of clusterScoped<V1PersistentVolume>('list persistentvolumes', (p) =>
    api.core.listPersistentVolume(p, options),
  )) {
    const meta = pv.metadata!;
    volumeUid.set(meta.name!, meta.uid!);
    if (!wanted('block_storage')) continue;
    const bytes = quantity(pv.spec?.capacity?.storage);
    yield {
      kind: 'resource',
      ems_ref: meta.uid!,
      name: meta.name!,
      vendor_type: 'PersistentVolume',
      ...namespaced(meta),
      state: pv.status?.phase === 'Failed' ? 'error' : 'active',
      power_state: null,
      disk_gb: bytes !== null ? Math.round((bytes / 2 ** 30) * 100) / 100 : null,
      properties: {
        phase: pv.status?.phase ?? '',
        storage_class: pv.spec?.storageClassName ?? '',
        access_modes: pv.spec?.accessModes ?? [],
        reclaim_policy: pv.spec?.persistentVolumeReclaimPolicy ?? '',
        claim: pv.spec?.claimRef ? `${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}` : '',
        csi_driver: pv.spec?.csi?.driver ?? '',
        volume_handle: pv.spec?.csi?.volumeHandle ?? '',
      },
    };
  }

  // Namespaced kinds: everything at once, or per configured namespace (a failed one fails the run).
  const scopes = scoped ? settings.namespaces : [null];
  const claimUid = new Map<string, string>();
  const serviceUid = new Map<string, string>();
  for (const ns of scopes) {
    const label = ns ? `namespace ${ns}` : 'all namespaces';
    try {
      // Pods by namespace, for the services' selectors (a service only selects pods of its namespace).
      const pods = new Map<string, { uid: string; labels: Record<string, string> }[]>();
      const where = ns ? ` in ${ns}` : '';
      const call = <T>(all: () => Promise<T>, one: (namespace: string) => Promise<T>) =>
        ns ? one(ns) : all();

      for await (const pvc of list<V1PersistentVolumeClaim>(`list persistentvolumeclaims${where}`, (p) =>
        call(
          () => api.core.listPersistentVolumeClaimForAllNamespaces(p, options),
          (namespace) => api.core.listNamespacedPersistentVolumeClaim({ namespace, ...p }, options),
        ),
      )) {
        const meta = pvc.metadata!;
        claimUid.set(`${meta.namespace}/${meta.name}`, meta.uid!);
        if (!wanted('block_storage')) continue;
        const bytes = quantity(pvc.status?.capacity?.storage ?? pvc.spec?.resources?.requests?.storage);
        yield {
          kind: 'resource',
          ems_ref: meta.uid!,
          name: meta.name!,
          vendor_type: 'PersistentVolumeClaim',
          ...namespaced(meta),
          state:
            pvc.status?.phase === 'Bound' ? 'active' : pvc.status?.phase === 'Lost' ? 'error' : 'pending',
          power_state: null,
          disk_gb: bytes !== null ? Math.round((bytes / 2 ** 30) * 100) / 100 : null,
          properties: {
            phase: pvc.status?.phase ?? '',
            storage_class: pvc.spec?.storageClassName ?? '',
            volume_name: pvc.spec?.volumeName ?? '',
            access_modes: pvc.spec?.accessModes ?? [],
          },
        };
        yield* inNamespace(meta);
        const volume = volumeUid.get(pvc.spec?.volumeName ?? '');
        if (volume) yield { kind: 'relationship', source: meta.uid!, target: volume, type: 'attached_to' };
      }

      const workload = (
        meta: V1ObjectMeta,
        kindName: string,
        replicas: number | undefined,
        ready: number | undefined,
        extra: Record<string, unknown>,
      ): ResourceRecord => ({
        kind: 'resource',
        ems_ref: meta.uid!,
        name: meta.name!,
        vendor_type: kindName,
        ...namespaced(meta),
        state: replicas === 0 ? 'stopped' : (ready ?? 0) >= (replicas ?? 0) ? 'running' : 'pending',
        power_state: null,
        properties: { replicas: replicas ?? null, ready_replicas: ready ?? 0, ...extra },
      });
      if (wanted('paas_instance')) {
        for await (const d of list<V1Deployment>(`list deployments${where}`, (p) =>
          call(
            () => api.apps.listDeploymentForAllNamespaces(p, options),
            (namespace) => api.apps.listNamespacedDeployment({ namespace, ...p }, options),
          ),
        )) {
          yield workload(d.metadata!, 'Deployment', d.spec?.replicas, d.status?.readyReplicas, {
            strategy: d.spec?.strategy?.type ?? '',
          });
          yield* inNamespace(d.metadata);
        }
        for await (const rs of list<V1ReplicaSet>(`list replicasets${where}`, (p) =>
          call(
            () => api.apps.listReplicaSetForAllNamespaces(p, options),
            (namespace) => api.apps.listNamespacedReplicaSet({ namespace, ...p }, options),
          ),
        )) {
          yield workload(rs.metadata!, 'ReplicaSet', rs.spec?.replicas, rs.status?.readyReplicas, {});
          yield* inNamespace(rs.metadata);
          const owner = rs.metadata?.ownerReferences?.find((o) => o.controller);
          if (owner)
            yield { kind: 'relationship', source: rs.metadata!.uid!, target: owner.uid, type: 'member_of' };
        }
        for await (const s of list<V1StatefulSet>(`list statefulsets${where}`, (p) =>
          call(
            () => api.apps.listStatefulSetForAllNamespaces(p, options),
            (namespace) => api.apps.listNamespacedStatefulSet({ namespace, ...p }, options),
          ),
        )) {
          yield workload(s.metadata!, 'StatefulSet', s.spec?.replicas, s.status?.readyReplicas, {
            service_name: s.spec?.serviceName ?? '',
          });
          yield* inNamespace(s.metadata);
        }
        for await (const ds of list<V1DaemonSet>(`list daemonsets${where}`, (p) =>
          call(
            () => api.apps.listDaemonSetForAllNamespaces(p, options),
            (namespace) => api.apps.listNamespacedDaemonSet({ namespace, ...p }, options),
          ),
        )) {
          yield workload(
            ds.metadata!,
            'DaemonSet',
            ds.status?.desiredNumberScheduled,
            ds.status?.numberReady,
            {},
          );
          yield* inNamespace(ds.metadata);
        }
      }

      for await (const pod of list<V1Pod>(`list pods${where}`, (p) =>
        call(
          () => api.core.listPodForAllNamespaces(p, options),
          (namespace) => api.core.listNamespacedPod({ namespace, ...p }, options),
        ),
      )) {
        const meta = pod.metadata!;
        const inNs = pods.get(meta.namespace ?? '') ?? [];
        inNs.push({ uid: meta.uid!, labels: meta.labels ?? {} });
        pods.set(meta.namespace ?? '', inNs);
        if (!wanted('container')) continue;
        const statuses = pod.status?.containerStatuses ?? [];
        yield {
          kind: 'resource',
          ems_ref: meta.uid!,
          name: meta.name!,
          vendor_type: 'Pod',
          ...namespaced(meta),
          state: POD_STATES[pod.status?.phase ?? ''] ?? 'unknown',
          power_state: null,
          ip_addresses: (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean),
          boot_time: iso(pod.status?.startTime),
          properties: {
            node: pod.spec?.nodeName ?? '',
            phase: pod.status?.phase ?? '',
            host_ip: pod.status?.hostIP ?? '',
            qos_class: pod.status?.qosClass ?? '',
            containers: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '' })),
            restart_count: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
          },
        };
        yield* inNamespace(meta);
        const node = nodeUid.get(pod.spec?.nodeName ?? '');
        if (node && wanted('virtual_machine'))
          yield { kind: 'relationship', source: meta.uid!, target: node, type: 'runs_on' };
        const owner = meta.ownerReferences?.find((o) => o.controller);
        if (owner && wanted('paas_instance'))
          yield { kind: 'relationship', source: meta.uid!, target: owner.uid, type: 'member_of' };
        for (const volume of pod.spec?.volumes ?? []) {
          const claim = claimUid.get(`${meta.namespace}/${volume.persistentVolumeClaim?.claimName ?? ''}`);
          if (claim && wanted('block_storage'))
            yield { kind: 'relationship', source: meta.uid!, target: claim, type: 'attached_to' };
        }
      }

      for await (const svc of list<V1Service>(`list services${where}`, (p) =>
        call(
          () => api.core.listServiceForAllNamespaces(p, options),
          (namespace) => api.core.listNamespacedService({ namespace, ...p }, options),
        ),
      )) {
        const meta = svc.metadata!;
        serviceUid.set(`${meta.namespace}/${meta.name}`, meta.uid!);
        if (!wanted('load_balancer')) continue;
        const ingress = svc.status?.loadBalancer?.ingress ?? [];
        yield {
          kind: 'resource',
          ems_ref: meta.uid!,
          name: meta.name!,
          vendor_type: 'Service',
          ...namespaced(meta),
          state: 'active',
          power_state: null,
          fqdn: ingress.find((i) => i.hostname)?.hostname ?? '',
          ip_addresses: [...(svc.spec?.clusterIPs ?? []), ...ingress.map((i) => i.ip ?? '')].filter(
            (ip) => ip && ip !== 'None',
          ),
          properties: {
            type: svc.spec?.type ?? '',
            cluster_ip: svc.spec?.clusterIP ?? '',
            ports: (svc.spec?.ports ?? []).map((p) => ({
              name: p.name ?? '',
              port: p.port,
              protocol: p.protocol ?? '',
            })),
            selector: svc.spec?.selector ?? {},
          },
        };
        yield* inNamespace(meta);
        const selector = Object.entries(svc.spec?.selector ?? {});
        if (selector.length && wanted('container'))
          for (const pod of pods.get(meta.namespace ?? '') ?? [])
            if (selector.every(([k, v]) => pod.labels[k] === v))
              yield { kind: 'relationship', source: meta.uid!, target: pod.uid, type: 'routes_to' };
      }

      if (wanted('gateway')) {
        for await (const ing of list<V1Ingress>(`list ingresses${where}`, (p) =>
          call(
            () => api.networking.listIngressForAllNamespaces(p, options),
            (namespace) => api.networking.listNamespacedIngress({ namespace, ...p }, options),
          ),
        )) {
          const meta = ing.metadata!;
          const hosts = (ing.spec?.rules ?? []).map((r) => r.host ?? '').filter(Boolean);
          yield {
            kind: 'resource',
            ems_ref: meta.uid!,
            name: meta.name!,
            vendor_type: 'Ingress',
            ...namespaced(meta),
            state: 'active',
            power_state: null,
            fqdn: hosts[0] ?? '',
            properties: { hosts, ingress_class: ing.spec?.ingressClassName ?? '' },
          };
          yield* inNamespace(meta);
          const backends = new Set<string>();
          for (const rule of ing.spec?.rules ?? [])
            for (const path of rule.http?.paths ?? [])
              if (path.backend.service?.name) backends.add(path.backend.service.name);
          if (ing.spec?.defaultBackend?.service?.name) backends.add(ing.spec.defaultBackend.service.name);
          for (const name of backends) {
            const svc = serviceUid.get(`${meta.namespace}/${name}`);
            if (svc && wanted('load_balancer'))
              yield { kind: 'relationship', source: meta.uid!, target: svc, type: 'routes_to' };
          }
        }
      }
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      if (error instanceof KubernetesError && error.status === 401) throw error;
      if (!scoped) throw error;
      const message = error instanceof Error ? error.message : String(error);
      failures.push(`${label}: ${message}`);
      ctx.logger.warn(`${label} failed: ${message}`);
    }
  }
  if (failures.length)
    throw new KubernetesError(
      `${failures.length} of ${scopes.length} namespaces failed (nothing was marked removed): ${failures.join('; ')}`,
    );
}
