import type { CollectRecord, ResourceRecord } from '../plugin.contract.js';
import { LAB_VMS } from './lab-data.js';
import { labRecords, uuid5 } from './lab-topology.js';

const DAY = 86_400_000;

async function collect(scale: number, at: Date): Promise<CollectRecord[]> {
  const records: CollectRecord[] = [];
  for await (const r of labRecords({ scale, seed: 42, datacenter: 'Lab-DC1' }, at, () => true))
    records.push(r);
  return records;
}
const resources = (records: CollectRecord[]) =>
  records.filter((r): r is ResourceRecord => r.kind === 'resource');

describe('the simulated vSphere lab', () => {
  it('derives SMBIOS UUIDs as Python uuid.uuid5(NAMESPACE_DNS, name) does', () => {
    expect(uuid5('python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('reports the documented lab today: 27 resources, 49 edges, the original values', async () => {
    const records = await collect(0, new Date());
    const res = resources(records);
    expect(res).toHaveLength(27);
    expect(records.filter((r) => r.kind === 'relationship')).toHaveLength(49);
    const vms = res.filter((r) => r.resource_type === 'virtual_machine');
    expect(vms.map((v) => [v.name, v.state, v.power_state, v.cpu_count, v.memory_mb])).toEqual(
      LAB_VMS.map((v) => [v.name, v.state, v.power, v.cpu, v.mem]),
    );
    const esxi01 = res.find((r) => r.name === 'esxi01.lab.local');
    expect(esxi01).toMatchObject({
      ems_ref: 'host-101',
      state: 'active',
      power_state: 'poweredOn',
      canonical_id: uuid5('DELLR750-001'),
      properties: {
        hardware_model: 'PowerEdge R750',
        hardware_vendor: 'Dell Inc.',
        serial_number: 'DELLR750-001',
      },
    });
  });

  it('drifts in the past the same way every time, and never today', async () => {
    const now = Date.now();
    const week = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((d) => collect(0, new Date(now - d * DAY))));
    const again = await collect(0, new Date(now - 3 * DAY));
    expect(resources(again)).toEqual(resources(week[2]));
    const running = (records: CollectRecord[]) =>
      resources(records).filter((r) => r.resource_type === 'virtual_machine' && r.state === 'running').length;
    expect(week.map(running).some((n) => n < 10)).toBe(true);
    expect(week.every((records) => running(records) <= 10)).toBe(true);
    const sizes = (records: CollectRecord[]) =>
      resources(records).map((r) => `${r.cpu_count}/${r.memory_mb}`);
    expect(week.some((records) => sizes(records).join() !== sizes(week[0]).join())).toBe(true);
  });

  it('scales: N VMs with hosts, clusters, pools and datastores in proportion, unique ids', async () => {
    const res = resources(await collect(500, new Date()));
    const count = (type: string) => res.filter((r) => r.resource_type === type).length;
    expect(count('virtual_machine')).toBe(500);
    expect(count('hypervisor_host')).toBe(20);
    expect(count('auto_scaling_group')).toBe(3 + 9); // 3 clusters, 3 pools each
    expect(count('block_storage') + count('file_storage')).toBe(10);
    expect(new Set(res.map((r) => r.ems_ref)).size).toBe(res.length);
    expect(new Set(res.map((r) => r.canonical_id)).size).toBe(res.length);
  });
});
