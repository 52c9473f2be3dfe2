import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

/**
 * A local stand-in for vCenter that speaks the vSphere Automation REST API's documented
 * JSON shapes (POST/DELETE /api/session, /api/vcenter/{datacenter,cluster,host,
 * datastore,resource-pool,network,vm}, /api/vcenter/vm/{vm}, .../guest/identity),
 * including list filters, sessions that expire, 401s and a path that never answers.
 */
export class FakeVsphere {
  server: Server | null = null;
  port = 0;
  readonly username = 'administrator@vsphere.local';
  readonly password = 'VMware1!';
  /** Sessions handed out; a session expires after this many calls (then 401). */
  sessionCallLimit = Number.POSITIVE_INFINITY;
  logins = 0;
  hang: RegExp | null = null;
  private readonly sessions = new Map<string, number>();

  readonly datacenters = [{ datacenter: 'datacenter-1', name: 'DC-East' }];
  readonly clusters = [{ cluster: 'domain-c10', name: 'Cluster-A', ha_enabled: true, drs_enabled: true }];
  readonly hosts = [
    {
      host: 'host-20',
      name: 'esx-a.example.com',
      connection_state: 'CONNECTED',
      power_state: 'POWERED_ON',
      cluster: 'domain-c10',
    },
    {
      host: 'host-21',
      name: 'esx-b.example.com',
      connection_state: 'CONNECTED',
      power_state: 'POWERED_ON',
      cluster: 'domain-c10',
    },
  ];
  readonly datastores = [
    {
      datastore: 'datastore-30',
      name: 'ds-vmfs-01',
      type: 'VMFS',
      capacity: 2 * 1024 ** 4,
      free_space: 1024 ** 4,
    },
    {
      datastore: 'datastore-31',
      name: 'ds-nfs-01',
      type: 'NFS',
      capacity: 1024 ** 4,
      free_space: 512 * 1024 ** 3,
    },
  ];
  readonly pools = [{ resource_pool: 'resgroup-40', name: 'Production', cluster: 'domain-c10' }];
  readonly networks = [{ network: 'network-50', name: 'VM Network', type: 'STANDARD_PORTGROUP' }];
  readonly vms = [
    {
      vm: 'vm-100',
      name: 'web-01',
      power_state: 'POWERED_ON',
      cpu_count: 2,
      memory_size_MiB: 4096,
      host: 'host-20',
      pool: 'resgroup-40',
      guest_OS: 'RHEL_9_64',
      bios_uuid: '4203e1b1-0000-4000-8000-000000000100',
      instance_uuid: '5003e1b1-0000-4000-8000-000000000100',
      disks: [{ capacity: 40 * 1024 ** 3, vmdk: '[ds-vmfs-01] web-01/web-01.vmdk' }],
      guest: {
        host_name: 'web-01.example.com',
        ip_address: '10.1.0.10',
        family: 'LINUX',
        full_name: { default_message: 'Red Hat Enterprise Linux 9 (64-bit)' },
      },
    },
    {
      vm: 'vm-101',
      name: 'db-01',
      power_state: 'POWERED_OFF',
      cpu_count: 8,
      memory_size_MiB: 32768,
      host: 'host-21',
      pool: null,
      guest_OS: 'WINDOWS_SERVER_2021',
      bios_uuid: '4203e1b1-0000-4000-8000-000000000101',
      instance_uuid: '5003e1b1-0000-4000-8000-000000000101',
      disks: [
        { capacity: 100 * 1024 ** 3, vmdk: '[ds-vmfs-01] db-01/db-01.vmdk' },
        { capacity: 500 * 1024 ** 3, vmdk: '[ds-nfs-01] db-01/db-01_1.vmdk' },
      ],
      guest: null,
    },
  ];

  async start(tls?: { key: string; cert: string }): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return `${tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private json(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (this.hang?.test(path)) return; // never answers
    if (path === '/api/session' && req.method === 'POST') {
      const expected = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        return this.json(res, 401, {
          error_type: 'UNAUTHENTICATED',
          messages: [{ default_message: 'Authentication required.' }],
        });
      }
      const token = `session-${++this.logins}`;
      this.sessions.set(token, 0);
      return this.json(res, 201, token);
    }
    const session = req.headers['vmware-api-session-id'];
    const calls = typeof session === 'string' ? this.sessions.get(session) : undefined;
    if (calls === undefined || calls >= this.sessionCallLimit) {
      return this.json(res, 401, {
        error_type: 'UNAUTHENTICATED',
        messages: [{ default_message: 'Session expired.' }],
      });
    }
    this.sessions.set(session as string, calls + 1);
    if (path === '/api/session' && req.method === 'DELETE') {
      this.sessions.delete(session as string);
      return res.writeHead(204).end();
    }
    const list = (name: string) => url.searchParams.get(name)?.split(',') ?? null;
    const vmDetail = path.match(/^\/api\/vcenter\/vm\/([^/]+)$/);
    const guest = path.match(/^\/api\/vcenter\/vm\/([^/]+)\/guest\/identity$/);
    // A route table by predicate; `default` answers 404.
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check
    switch (true) {
      case path === '/api/vcenter/datacenter':
        return this.json(res, 200, this.datacenters);
      case path === '/api/vcenter/cluster':
        return this.json(res, 200, this.clusters);
      case path === '/api/vcenter/host': {
        const clusters = list('clusters');
        return this.json(
          res,
          200,
          this.hosts
            .filter((h) => !clusters || clusters.includes(h.cluster))
            .map(({ cluster: _c, ...h }) => h),
        );
      }
      case path === '/api/vcenter/datastore':
        return this.json(res, 200, this.datastores);
      case path === '/api/vcenter/resource-pool': {
        const clusters = list('clusters');
        return this.json(
          res,
          200,
          this.pools
            .filter((p) => !clusters || clusters.includes(p.cluster))
            .map(({ cluster: _c, ...p }) => p),
        );
      }
      case path === '/api/vcenter/network':
        return this.json(res, 200, this.networks);
      case path === '/api/vcenter/vm': {
        const hosts = list('hosts');
        const pools = list('resource_pools');
        const found = this.vms.filter(
          (v) =>
            (!hosts || hosts.includes(v.host)) && (!pools || (v.pool !== null && pools.includes(v.pool))),
        );
        return this.json(
          res,
          200,
          found.map((v) => ({
            vm: v.vm,
            name: v.name,
            power_state: v.power_state,
            cpu_count: v.cpu_count,
            memory_size_MiB: v.memory_size_MiB,
          })),
        );
      }
      case Boolean(guest): {
        const vm = this.vms.find((v) => v.vm === guest![1]);
        if (!vm?.guest)
          return this.json(res, 503, {
            error_type: 'SERVICE_UNAVAILABLE',
            messages: [{ default_message: 'VMware Tools not running.' }],
          });
        return this.json(res, 200, vm.guest);
      }
      case Boolean(vmDetail): {
        const vm = this.vms.find((v) => v.vm === vmDetail![1]);
        if (!vm) return this.json(res, 404, { error_type: 'NOT_FOUND' });
        return this.json(res, 200, {
          name: vm.name,
          guest_OS: vm.guest_OS,
          power_state: vm.power_state,
          cpu: { count: vm.cpu_count },
          memory: { size_MiB: vm.memory_size_MiB },
          hardware: { version: 'VMX_21' },
          identity: { bios_uuid: vm.bios_uuid, instance_uuid: vm.instance_uuid, name: vm.name },
          disks: Object.fromEntries(
            vm.disks.map((d, i) => [
              String(2000 + i),
              { capacity: d.capacity, backing: { type: 'VMDK_FILE', vmdk_file: d.vmdk } },
            ]),
          ),
        });
      }
      default:
        return this.json(res, 404, {
          error_type: 'NOT_FOUND',
          messages: [{ default_message: `No ${path}` }],
        });
    }
  }
}
