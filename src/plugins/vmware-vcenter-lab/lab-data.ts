/**
 * The default lab's estate: the vSphere lab of the original inventory service's
 * `seed_vmware_data` command (one datacenter, two clusters, four ESXi hosts, three
 * resource pools, four datastores, fourteen VMs), value for value: names, MOIDs, BIOS and
 * instance UUIDs, sizes, guest OS names, addresses, states and power states, tags and
 * Ansible grouping. `lab-topology.ts` turns it (or a scaled estate built from it) into
 * collection records.
 */

export interface LabHost {
  name: string;
  moid: string;
  cpu_count: number;
  memory_mb: number;
  os_name: string;
  ip: string;
  model: string;
  vendor: string;
  serial: string;
}

export interface LabCluster {
  name: string;
  moid: string;
  ha_enabled: boolean;
  drs_enabled: boolean;
}

export interface LabPool {
  name: string;
  moid: string;
  /** MHz; -1 is unlimited (vSphere's own convention). */
  cpu_limit: number;
  memory_limit_mb: number;
}

export interface LabDatastore {
  name: string;
  moid: string;
  type: 'vsan' | 'nfs' | 'vmfs';
  capacity_gb: number;
  free_gb: number;
}

export type LabVmState = 'running' | 'stopped' | 'suspended' | 'inactive';
export type LabPowerState = 'poweredOn' | 'poweredOff' | 'suspended';

export interface LabVm {
  name: string;
  moid: string;
  bios_uuid: string;
  instance_uuid: string;
  host: string;
  cluster: string;
  pool: string;
  datastore: string;
  cpu: number;
  mem: number;
  disk: number;
  os_type: 'linux' | 'windows';
  os_name: string;
  ip: string[];
  fqdn: string;
  state: LabVmState;
  power: LabPowerState;
  tags: Record<string, string>;
  ansible_group: string;
  ansible_conn: string;
}

export const LAB_DATACENTER = 'Lab-DC1';

export const LAB_CLUSTERS: (LabCluster & { hosts: LabHost[]; pools: LabPool[] })[] = [
  {
    name: 'Prod-Cluster-01',
    moid: 'domain-c10',
    ha_enabled: true,
    drs_enabled: true,
    hosts: [
      {
        name: 'esxi01.lab.local',
        moid: 'host-101',
        cpu_count: 64,
        memory_mb: 524288,
        os_name: 'VMware ESXi 8.0 Update 3',
        ip: '10.0.10.101',
        model: 'PowerEdge R750',
        vendor: 'Dell Inc.',
        serial: 'DELLR750-001',
      },
      {
        name: 'esxi02.lab.local',
        moid: 'host-102',
        cpu_count: 64,
        memory_mb: 524288,
        os_name: 'VMware ESXi 8.0 Update 3',
        ip: '10.0.10.102',
        model: 'PowerEdge R750',
        vendor: 'Dell Inc.',
        serial: 'DELLR750-002',
      },
      {
        name: 'esxi03.lab.local',
        moid: 'host-103',
        cpu_count: 48,
        memory_mb: 393216,
        os_name: 'VMware ESXi 8.0 Update 2',
        ip: '10.0.10.103',
        model: 'ProLiant DL380 Gen10',
        vendor: 'HPE',
        serial: 'HPEDL380-001',
      },
    ],
    pools: [
      { name: 'Production', moid: 'resgroup-201', cpu_limit: 96000, memory_limit_mb: 786432 },
      { name: 'Staging', moid: 'resgroup-202', cpu_limit: 32000, memory_limit_mb: 262144 },
    ],
  },
  {
    name: 'Dev-Cluster-01',
    moid: 'domain-c20',
    ha_enabled: false,
    drs_enabled: true,
    hosts: [
      {
        name: 'esxi04.lab.local',
        moid: 'host-104',
        cpu_count: 32,
        memory_mb: 262144,
        os_name: 'VMware ESXi 8.0 Update 3',
        ip: '10.0.10.104',
        model: 'PowerEdge R650',
        vendor: 'Dell Inc.',
        serial: 'DELLR650-001',
      },
    ],
    pools: [{ name: 'Development', moid: 'resgroup-301', cpu_limit: -1, memory_limit_mb: -1 }],
  },
];

export const LAB_DATASTORES: LabDatastore[] = [
  { name: 'vsanDatastore-Prod', moid: 'datastore-501', type: 'vsan', capacity_gb: 20480, free_gb: 8192 },
  { name: 'vsanDatastore-Dev', moid: 'datastore-502', type: 'vsan', capacity_gb: 10240, free_gb: 6144 },
  { name: 'NFS-ISO-Library', moid: 'datastore-503', type: 'nfs', capacity_gb: 2048, free_gb: 1024 },
  { name: 'FC-LUN-Backups', moid: 'datastore-504', type: 'vmfs', capacity_gb: 30720, free_gb: 15360 },
];

const PROD = { cluster: 'Prod-Cluster-01', datastore: 'vsanDatastore-Prod' };
const DEV = { cluster: 'Dev-Cluster-01', pool: 'Development', datastore: 'vsanDatastore-Dev' };
const TEMPLATE = {
  cluster: 'Prod-Cluster-01',
  host: 'esxi01.lab.local',
  pool: 'Production',
  datastore: 'NFS-ISO-Library',
  ip: [],
  fqdn: '',
  state: 'inactive',
  power: 'poweredOff',
  ansible_group: '',
  ansible_conn: '',
} as const;
const AAP_TAGS = { env: 'production', app: 'ansible-aap', team: 'platform-eng' };
const RUNNING = { state: 'running', power: 'poweredOn' } as const;
const RHEL94 = 'Red Hat Enterprise Linux 9.4';
/** rhel9-web-01 and -02: the same build on two hosts. */
const WEB = {
  ...PROD,
  ...RUNNING,
  pool: 'Production',
  cpu: 4,
  mem: 8192,
  disk: 80,
  os_type: 'linux',
  os_name: 'Red Hat Enterprise Linux 9.3',
  tags: { env: 'production', app: 'web-frontend', team: 'webops' },
  ansible_group: 'webservers',
  ansible_conn: 'ssh',
} as const;

export const LAB_VMS: LabVm[] = [
  // Production
  {
    ...PROD,
    ...RUNNING,
    name: 'aap-controller-01',
    moid: 'vm-1001',
    bios_uuid: '502e71fa-1001-4a8e-b123-aabbccddeef1',
    instance_uuid: '502e1001-abcd-4a8e-b123-000000000001',
    host: 'esxi01.lab.local',
    pool: 'Production',
    cpu: 8,
    mem: 32768,
    disk: 200,
    os_type: 'linux',
    os_name: RHEL94,
    ip: ['10.0.20.10'],
    fqdn: 'aap-controller-01.lab.local',
    tags: AAP_TAGS,
    ansible_group: 'aap_controllers',
    ansible_conn: 'ssh',
  },
  {
    ...PROD,
    ...RUNNING,
    name: 'aap-hub-01',
    moid: 'vm-1002',
    bios_uuid: '502e71fa-1002-4a8e-b123-aabbccddeef2',
    instance_uuid: '502e1002-abcd-4a8e-b123-000000000002',
    host: 'esxi02.lab.local',
    pool: 'Production',
    cpu: 4,
    mem: 16384,
    disk: 500,
    os_type: 'linux',
    os_name: RHEL94,
    ip: ['10.0.20.11'],
    fqdn: 'aap-hub-01.lab.local',
    tags: AAP_TAGS,
    ansible_group: 'aap_hubs',
    ansible_conn: 'ssh',
  },
  {
    ...PROD,
    ...RUNNING,
    name: 'aap-eda-01',
    moid: 'vm-1003',
    bios_uuid: '502e71fa-1003-4a8e-b123-aabbccddeef3',
    instance_uuid: '502e1003-abcd-4a8e-b123-000000000003',
    host: 'esxi03.lab.local',
    pool: 'Production',
    cpu: 4,
    mem: 16384,
    disk: 100,
    os_type: 'linux',
    os_name: RHEL94,
    ip: ['10.0.20.12'],
    fqdn: 'aap-eda-01.lab.local',
    tags: AAP_TAGS,
    ansible_group: 'aap_eda',
    ansible_conn: 'ssh',
  },
  {
    ...WEB,
    name: 'rhel9-web-01',
    moid: 'vm-1004',
    bios_uuid: '502e71fa-1004-4a8e-b123-aabbccddeef4',
    instance_uuid: '502e1004-abcd-4a8e-b123-000000000004',
    host: 'esxi01.lab.local',
    ip: ['10.0.20.20', '10.0.30.20'],
    fqdn: 'rhel9-web-01.lab.local',
  },
  {
    ...WEB,
    name: 'rhel9-web-02',
    moid: 'vm-1005',
    bios_uuid: '502e71fa-1005-4a8e-b123-aabbccddeef5',
    instance_uuid: '502e1005-abcd-4a8e-b123-000000000005',
    host: 'esxi02.lab.local',
    ip: ['10.0.20.21', '10.0.30.21'],
    fqdn: 'rhel9-web-02.lab.local',
  },
  {
    ...PROD,
    ...RUNNING,
    name: 'rhel9-db-01',
    moid: 'vm-1006',
    bios_uuid: '502e71fa-1006-4a8e-b123-aabbccddeef6',
    instance_uuid: '502e1006-abcd-4a8e-b123-000000000006',
    host: 'esxi03.lab.local',
    pool: 'Production',
    cpu: 16,
    mem: 65536,
    disk: 1000,
    os_type: 'linux',
    os_name: RHEL94,
    ip: ['10.0.20.30'],
    fqdn: 'rhel9-db-01.lab.local',
    tags: { env: 'production', app: 'postgresql', team: 'dba' },
    ansible_group: 'databases',
    ansible_conn: 'ssh',
  },
  {
    ...PROD,
    ...RUNNING,
    name: 'win2022-ad-01',
    moid: 'vm-1007',
    bios_uuid: '502e71fa-1007-4a8e-b123-aabbccddeef7',
    instance_uuid: '502e1007-abcd-4a8e-b123-000000000007',
    host: 'esxi01.lab.local',
    pool: 'Production',
    cpu: 4,
    mem: 16384,
    disk: 120,
    os_type: 'windows',
    os_name: 'Windows Server 2022 Datacenter',
    ip: ['10.0.20.50'],
    fqdn: 'win2022-ad-01.lab.local',
    tags: { env: 'production', app: 'active-directory', team: 'identity' },
    ansible_group: 'windows_domain_controllers',
    ansible_conn: 'winrm',
  },
  {
    ...PROD,
    ...RUNNING,
    name: 'win2022-iis-01',
    moid: 'vm-1008',
    bios_uuid: '502e71fa-1008-4a8e-b123-aabbccddeef8',
    instance_uuid: '502e1008-abcd-4a8e-b123-000000000008',
    host: 'esxi02.lab.local',
    pool: 'Production',
    cpu: 4,
    mem: 8192,
    disk: 100,
    os_type: 'windows',
    os_name: 'Windows Server 2022 Standard',
    ip: ['10.0.20.51'],
    fqdn: 'win2022-iis-01.lab.local',
    tags: { env: 'production', app: 'iis-web', team: 'webops' },
    ansible_group: 'windows_webservers',
    ansible_conn: 'winrm',
  },
  // Staging
  {
    ...PROD,
    ...RUNNING,
    name: 'staging-app-01',
    moid: 'vm-1009',
    bios_uuid: '502e71fa-1009-4a8e-b123-aabbccddeef9',
    instance_uuid: '502e1009-abcd-4a8e-b123-000000000009',
    host: 'esxi03.lab.local',
    pool: 'Staging',
    cpu: 2,
    mem: 4096,
    disk: 60,
    os_type: 'linux',
    os_name: 'Red Hat Enterprise Linux 9.2',
    ip: ['10.0.40.10'],
    fqdn: 'staging-app-01.lab.local',
    tags: { env: 'staging', app: 'web-frontend', team: 'webops' },
    ansible_group: 'staging',
    ansible_conn: 'ssh',
  },
  {
    ...PROD,
    name: 'staging-db-01',
    moid: 'vm-1010',
    bios_uuid: '502e71fa-1010-4a8e-b123-aabbccddee10',
    instance_uuid: '502e1010-abcd-4a8e-b123-000000000010',
    host: 'esxi03.lab.local',
    pool: 'Staging',
    cpu: 4,
    mem: 8192,
    disk: 200,
    os_type: 'linux',
    os_name: 'Red Hat Enterprise Linux 9.2',
    ip: ['10.0.40.11'],
    fqdn: 'staging-db-01.lab.local',
    state: 'stopped',
    power: 'poweredOff',
    tags: { env: 'staging', app: 'postgresql', team: 'dba' },
    ansible_group: 'staging',
    ansible_conn: 'ssh',
  },
  // Development
  {
    ...DEV,
    ...RUNNING,
    name: 'dev-rhel9-01',
    moid: 'vm-2001',
    bios_uuid: '502e71fa-2001-4a8e-b123-aabbccddee11',
    instance_uuid: '502e2001-abcd-4a8e-b123-000000000011',
    host: 'esxi04.lab.local',
    cpu: 2,
    mem: 4096,
    disk: 60,
    os_type: 'linux',
    os_name: RHEL94,
    ip: ['10.0.50.10'],
    fqdn: 'dev-rhel9-01.lab.local',
    tags: { env: 'development', team: 'platform-eng' },
    ansible_group: 'dev_machines',
    ansible_conn: 'ssh',
  },
  {
    ...DEV,
    name: 'dev-fedora-01',
    moid: 'vm-2002',
    bios_uuid: '502e71fa-2002-4a8e-b123-aabbccddee12',
    instance_uuid: '502e2002-abcd-4a8e-b123-000000000012',
    host: 'esxi04.lab.local',
    cpu: 4,
    mem: 8192,
    disk: 100,
    os_type: 'linux',
    os_name: 'Fedora 41',
    ip: ['10.0.50.11'],
    fqdn: 'dev-fedora-01.lab.local',
    state: 'suspended',
    power: 'suspended',
    tags: { env: 'development', team: 'platform-eng' },
    ansible_group: 'dev_machines',
    ansible_conn: 'ssh',
  },
  // Templates
  {
    ...TEMPLATE,
    ip: [],
    name: 'template-rhel9-base',
    moid: 'vm-9001',
    bios_uuid: '502e71fa-9001-4a8e-b123-aabbccddee13',
    instance_uuid: '502e9001-abcd-4a8e-b123-000000000013',
    cpu: 2,
    mem: 2048,
    disk: 40,
    os_type: 'linux',
    os_name: RHEL94,
    tags: { type: 'template', os: 'rhel9' },
  },
  {
    ...TEMPLATE,
    ip: [],
    name: 'template-win2022-base',
    moid: 'vm-9002',
    bios_uuid: '502e71fa-9002-4a8e-b123-aabbccddee14',
    instance_uuid: '502e9002-abcd-4a8e-b123-000000000014',
    cpu: 2,
    mem: 4096,
    disk: 60,
    os_type: 'windows',
    os_name: 'Windows Server 2022 Standard',
    tags: { type: 'template', os: 'win2022' },
  },
];
