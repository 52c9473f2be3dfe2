import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The fleet workload's document: what `setup` (all subsets) plus `package_facts` of a
 * real server VM look like, ~180 KB. It starts from the real Debian 12 capture the
 * tests use (whose container has little hardware) and gives it the hardware a VM with
 * 8 vCPUs running containers has: a processor list, four NICs plus docker0 and 19 veth
 * pairs with their ethtool features, three disks with partitions and LVM, a dozen mounts,
 * a full environment; packages are cut to 750.
 * Every value is of the shape Ansible reports; only the amounts are chosen.
 */
export interface FleetDocument {
  system_facts: Record<string, any>;
  package_facts: { packages: Record<string, any[]> };
}

const ETHTOOL_FEATURES = [
  'esp_hw_offload',
  'esp_tx_csum_hw_offload',
  'fcoe_mtu',
  'generic_receive_offload',
  'generic_segmentation_offload',
  'highdma',
  'hsr_dup_offload',
  'hsr_fwd_offload',
  'hsr_tag_ins_offload',
  'hsr_tag_rm_offload',
  'hw_tc_offload',
  'l2_fwd_offload',
  'large_receive_offload',
  'loopback',
  'macsec_hw_offload',
  'netns_local',
  'ntuple_filters',
  'receive_fcs',
  'receive_hashing',
  'rx_all',
  'rx_checksumming',
  'rx_fcs',
  'rx_gro_hw',
  'rx_gro_list',
  'rx_udp_gro_forwarding',
  'rx_udp_tunnel_port_offload',
  'rx_vlan_filter',
  'rx_vlan_offload',
  'rx_vlan_stag_filter',
  'rx_vlan_stag_hw_parse',
  'scatter_gather',
  'tcp_segmentation_offload',
  'tls_hw_record',
  'tls_hw_rx_offload',
  'tls_hw_tx_offload',
  'tx_checksum_fcoe_crc',
  'tx_checksum_ip_generic',
  'tx_checksum_ipv4',
  'tx_checksum_ipv6',
  'tx_checksum_sctp',
  'tx_checksumming',
  'tx_esp_segmentation',
  'tx_fcoe_segmentation',
  'tx_gre_csum_segmentation',
  'tx_gre_segmentation',
  'tx_gso_list',
  'tx_gso_partial',
  'tx_gso_robust',
  'tx_ipxip4_segmentation',
  'tx_ipxip6_segmentation',
  'tx_lockless',
  'tx_nocache_copy',
  'tx_scatter_gather',
  'tx_scatter_gather_fraglist',
  'tx_sctp_segmentation',
  'tx_tcp6_segmentation',
  'tx_tcp_ecn_segmentation',
  'tx_tcp_mangleid_segmentation',
  'tx_tcp_segmentation',
  'tx_tunnel_remcsum_segmentation',
  'tx_udp_segmentation',
  'tx_udp_tnl_csum_segmentation',
  'tx_udp_tnl_segmentation',
  'tx_vlan_offload',
  'tx_vlan_stag_hw_insert',
  'vlan_challenged',
];

function nic(index: number, host: number): Record<string, unknown> {
  const features: Record<string, string> = {};
  ETHTOOL_FEATURES.forEach((name, i) => {
    features[name] = i % 3 === 0 ? 'on' : i % 7 === 0 ? 'off [fixed]' : 'off';
  });
  const octet = (host % 250) + 2;
  return {
    active: true,
    device: `ens${192 + index * 32}`,
    features,
    hw_timestamp_filters: [],
    ipv4: {
      address: `10.${20 + index}.${Math.floor(host / 250)}.${octet}`,
      broadcast: `10.${20 + index}.255.255`,
      netmask: '255.255.0.0',
      network: `10.${20 + index}.0.0`,
      prefix: '16',
    },
    ipv6: [{ address: `fe80::250:56ff:fe${index}a:${host.toString(16)}`, prefix: '64', scope: 'link' }],
    macaddress: `00:50:56:${index.toString(16).padStart(2, '0')}:${(host >> 8).toString(16).padStart(2, '0')}:${(host & 255).toString(16).padStart(2, '0')}`,
    module: 'vmxnet3',
    mtu: 1500,
    pciid: `0000:0${index + 3}:00.0`,
    promisc: false,
    speed: 10000,
    timestamping: ['rx_software', 'software'],
    type: 'ether',
  };
}

function disk(letter: string, sizeGb: number, partitions: number, host: number): Record<string, unknown> {
  const parts: Record<string, unknown> = {};
  for (let p = 1; p <= partitions; p++) {
    parts[`sd${letter}${p}`] = {
      holders: p === partitions ? [`vg${letter}-data`] : [],
      links: {
        ids: [`scsi-36000c29${host.toString(16).padStart(6, '0')}${letter}${p}-part${p}`],
        labels: p === 1 ? ['boot'] : [],
        masters: p === partitions ? ['dm-0'] : [],
        uuids: [`${host.toString(16).padStart(8, '0')}-${letter}${p}00-4000-8000-00000000000${p}`],
      },
      sectors: String(Math.round(((sizeGb / partitions) * 1024 ** 3) / 512)),
      sectorsize: 512,
      size: `${(sizeGb / partitions).toFixed(2)} GB`,
      start: String(2048 + (p - 1) * 1000000),
      uuid: `${host.toString(16).padStart(8, '0')}-${letter}${p}00-4000-8000-00000000000${p}`,
    };
  }
  return {
    holders: [],
    host: 'Serial Attached SCSI controller: VMware PVSCSI SCSI Controller (rev 02)',
    links: {
      ids: [`scsi-36000c29${host.toString(16).padStart(6, '0')}${letter}`, `wwn-0x6000c29${letter}`],
      labels: [],
      masters: [],
      uuids: [],
    },
    model: 'Virtual disk',
    partitions: parts,
    removable: '0',
    rotational: '1',
    sas_address: null,
    sas_device_handle: null,
    scheduler_mode: 'mq-deadline',
    sectors: String(Math.round((sizeGb * 1024 ** 3) / 512)),
    sectorsize: '512',
    size: `${sizeGb.toFixed(2)} GB`,
    support_discard: '0',
    vendor: 'VMware',
    virtual: 1,
  };
}

/** The ~180 KB document of host `host` (its own name, machine id, addresses). */
export function fleetDocument(host: number): FleetDocument {
  const fixture = JSON.parse(
    readFileSync(resolve('test/fixtures/ansible-debian12-facts.json'), 'utf8'),
  ) as FleetDocument;
  const system = fixture.system_facts;
  const name = `fleet-${String(host).padStart(4, '0')}`;
  system.hostname = name;
  system.nodename = name;
  system.fqdn = `${name}.prod.example.com`;
  system.machine_id = `${host.toString(16).padStart(8, '0')}1111222233334444aaaabbbb`;
  system.product_uuid = `4211${host.toString(16).padStart(4, '0')}-5e7d-9a3f-1c2d-3e4f5a6b7c8d`;
  system.virtualization_role = 'guest';
  system.virtualization_type = 'VMware';
  system.system_vendor = 'VMware, Inc.';
  system.product_name = 'VMware Virtual Platform';
  system.processor_count = 2;
  system.processor_cores = 4;
  system.processor_threads_per_core = 1;
  system.processor_vcpus = 8;
  system.processor = Array.from({ length: 8 }, (_, i) => [
    String(i),
    'GenuineIntel',
    'Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz',
  ]).flat();
  system.memtotal_mb = 32768;
  const nics = [0, 1, 2, 3].map((i) => nic(i, host));
  // Container networking: docker0 and one veth per running container, each with its features.
  const virtualNics = Array.from({ length: 20 }, (_, i) => ({
    ...nic(4 + i, host),
    device: i === 0 ? 'docker0' : `veth${(host * 31 + i).toString(16).padStart(7, '0')}`,
    module: i === 0 ? 'bridge' : 'veth',
    speed: i === 0 ? -1 : 10000,
  }));
  system.interfaces = ['lo', ...[...nics, ...virtualNics].map((n) => n.device as string)];
  for (const n of [...nics, ...virtualNics]) system[(n.device as string).replace(/[^A-Za-z0-9_]/g, '_')] = n;
  system.all_ipv4_addresses = nics.map((n) => (n.ipv4 as { address: string }).address);
  system.default_ipv4 = { ...(nics[0].ipv4 as object), interface: nics[0].device, gateway: '10.20.0.1' };
  system.devices = {
    sda: disk('a', 100, 3, host),
    sdb: disk('b', 500, 1, host),
    sdc: disk('c', 1000, 1, host),
    'dm-0': { holders: [], links: { ids: ['dm-name-vga-data'] }, sectors: '209715200', size: '100.00 GB' },
  };
  system.device_links = {
    ids: Object.fromEntries(
      ['sda', 'sdb', 'sdc'].map((d) => [d, [`scsi-36000c29${d}`, `wwn-0x6000c29${d}`]]),
    ),
    labels: { sda1: ['boot'] },
    masters: { sda3: ['dm-0'], sdb1: ['dm-1'], sdc1: ['dm-2'] },
    uuids: { sda1: ['0a1b'], sda2: ['1b2c'], sda3: ['2c3d'] },
  };
  system.lvm = {
    lvs: Object.fromEntries(
      ['root', 'var', 'log', 'home', 'tmp', 'data', 'backup'].map((lv) => [
        lv,
        { size_g: '40.00', vg: 'vga' },
      ]),
    ),
    pvs: { '/dev/sda3': { free_g: '0', size_g: '98.00', vg: 'vga' } },
    vgs: { vga: { free_g: '0', num_lvs: '7', num_pvs: '1', size_g: '98.00' } },
  };
  system.mounts = [
    '/',
    '/boot',
    '/var',
    '/var/log',
    '/home',
    '/tmp',
    '/data',
    '/backup',
    '/opt',
    '/srv',
    '/var/lib/docker',
    '/mnt/nfs',
    // One overlay mount per running container.
    ...Array.from(
      { length: 16 },
      (_, c) => `/var/lib/docker/overlay2/${(host * 977 + c).toString(16).padStart(12, '0')}/merged`,
    ),
  ].map((mount, i) => ({
    block_available: 18339974 - i * 1000,
    block_size: 4096,
    block_total: 26214400,
    block_used: 7874426 + i * 1000,
    device:
      i === 11
        ? 'nfs01:/export'
        : i > 11
          ? 'overlay'
          : `/dev/mapper/vga-${mount.replace(/\//g, '') || 'root'}`,
    dump: 0,
    fstype: i === 11 ? 'nfs4' : i > 11 ? 'overlay' : 'xfs',
    inode_available: 52000000 - i,
    inode_total: 52428800,
    inode_used: 428800 + i,
    mount,
    options: 'rw,relatime,attr2,inode64,logbufs=8,logbsize=32k,noquota',
    passno: 0,
    size_available: 75120533504 - i * 4096000,
    size_total: 107374182400,
    uuid: `${host.toString(16).padStart(8, '0')}-${i.toString(16).padStart(4, '0')}-4000-8000-000000000000`,
  }));
  system.env = Object.fromEntries(
    Array.from({ length: 160 }, (_, i) => [`APP_SETTING_${i}`, `value-${i}-${'x'.repeat(20)}`]),
  );
  const names = Object.keys(fixture.package_facts.packages).sort().slice(0, 750);
  fixture.package_facts.packages = Object.fromEntries(
    names.map((n) => [n, fixture.package_facts.packages[n]]),
  );
  return fixture;
}

/** The volatile facts of push `n`: they differ on every push, as between two real runs. */
export function withVolatileFacts(document: FleetDocument, n: number): FleetDocument {
  const system = { ...document.system_facts };
  const at = new Date(Date.UTC(2026, 11, 1) + n * 1000);
  const iso = at.toISOString();
  system.date_time = {
    ...(system.date_time as object),
    epoch: String(Math.floor(at.getTime() / 1000)),
    epoch_int: String(Math.floor(at.getTime() / 1000)),
    iso8601: `${iso.slice(0, 19)}Z`,
    iso8601_micro: iso.replace('Z', '000Z'),
    time: iso.slice(11, 19),
    second: iso.slice(17, 19),
    minute: iso.slice(14, 16),
  };
  system.uptime_seconds = 86400 + n;
  system.memfree_mb = 18000 - (n % 5000);
  system.swapfree_mb = 4096 - (n % 100);
  system.memory_mb = {
    nocache: { free: 22969 - (n % 1000), used: 1136 + (n % 1000) },
    real: { free: 18088 - (n % 1000), total: system.memtotal_mb, used: 6017 + (n % 1000) },
    swap: { cached: 0, free: 4096 - (n % 100), total: 4096, used: n % 100 },
  };
  system.loadavg = { '1m': (n % 400) / 100, '5m': (n % 300) / 100, '15m': (n % 200) / 100 };
  system.mounts = (system.mounts as Record<string, number>[]).map((mount) => ({
    ...mount,
    size_available: mount.size_available - (n % 997) * 4096,
    block_available: mount.block_available - (n % 997),
    block_used: mount.block_used + (n % 997),
  }));
  return { ...document, system_facts: system };
}
