import { ApiProperty } from '@nestjs/swagger';

export class MachineProviderDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Lab vCenter' }) name: string;
  @ApiProperty({ example: 'vmware' }) vendor: string;
  @ApiProperty({ example: 'vcenter' }) provider_type: string;
  @ApiProperty({ description: 'Resources of this provider that carry the identity.' }) resource_count: number;
}

export class MachineDto {
  @ApiProperty({
    example: '4203e1b1-5e7d-9a3f-1c2d-3e4f5a6b7c8d',
    description: 'The shared identity (SMBIOS UUID, or the vendor id when no better one is known).',
  })
  canonical_id: string;
  @ApiProperty({ description: 'Name of its freshest resource.' }) name: string;
  @ApiProperty({ example: 'virtual_machine' }) resource_type: string;
  @ApiProperty() resource_count: number;
  @ApiProperty() provider_count: number;
  @ApiProperty({ type: [String], example: ['kubernetes', 'vmware'] }) vendors: string[];
  @ApiProperty({ type: [MachineProviderDto] }) providers: MachineProviderDto[];
  @ApiProperty({ format: 'date-time' }) first_discovered_at: string;
  @ApiProperty({ format: 'date-time' }) last_seen_at: string;
  @ApiProperty({ description: 'Every provider has lost it.' }) removed: boolean;
  @ApiProperty({ example: 'https://inventory.example.com/api/inventory/v1/machines/4203e1b1-.../' })
  url: string;
}

export class MachineResourceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) provider: string;
  @ApiProperty() provider_name: string;
  @ApiProperty({ example: 'vmware' }) vendor: string;
  @ApiProperty({
    enum: ['pull', 'push'],
    description: 'Collected from a provider, or pushed by the host (facts).',
  })
  origin: string;
  @ApiProperty({ example: 'virtual_machine' }) resource_type_slug: string;
  @ApiProperty({ example: 'VirtualMachine' }) vendor_type: string;
  @ApiProperty() ems_ref: string;
  @ApiProperty() state: string;
  @ApiProperty({ format: 'date-time' }) last_seen_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) removed_at: string | null;
  @ApiProperty() url: string;
}

export class FieldSourceDto {
  @ApiProperty({ format: 'uuid' }) resource: string;
  @ApiProperty({ format: 'uuid' }) provider: string;
  @ApiProperty() provider_name: string;
  @ApiProperty() vendor: string;
  @ApiProperty({ format: 'date-time', description: 'When that provider last saw it.' }) seen_at: string;
}

export class MachineFieldDto {
  @ApiProperty({
    description: 'The value (string, number, or list of strings).',
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'array', items: { type: 'string' } }],
  })
  value: unknown;
  @ApiProperty({ type: FieldSourceDto }) source: FieldSourceDto;
}

export class ConflictValueDto {
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'array', items: { type: 'string' } }],
  })
  value: unknown;
  @ApiProperty({ type: [FieldSourceDto] }) sources: FieldSourceDto[];
}

export class MachineConflictDto {
  @ApiProperty({ example: 'memory_mb' }) field: string;
  @ApiProperty({ type: [ConflictValueDto] }) values: ConflictValueDto[];
}

export class MachineDetailDto extends MachineDto {
  @ApiProperty({
    type: [MachineResourceDto],
    description: 'Every resource that carries the identity, freshest first.',
  })
  resources: MachineResourceDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/MachineFieldDto' },
    description: 'The freshest non-empty value of each field, with where it came from (provider, when).',
  })
  fields: Record<string, MachineFieldDto>;
  @ApiProperty({ type: [MachineConflictDto], description: 'Fields on which the current sources disagree.' })
  conflicts: MachineConflictDto[];
}

/** The link from a resource to its machine. */
export class MachineLinkDto {
  @ApiProperty() canonical_id: string;
  @ApiProperty() provider_count: number;
  @ApiProperty() url: string;
}

/** Fields a machine view compares across sources, in this order. */
export const MACHINE_FIELDS = [
  'name',
  'fqdn',
  'ip_addresses',
  'os_type',
  'os_name',
  'cpu_count',
  'memory_mb',
  'disk_gb',
  'state',
  'power_state',
  'region',
  'availability_zone',
  'flavor',
] as const;

export interface MachineResourceRow {
  id: string;
  name: string;
  provider: string;
  provider_name: string;
  vendor: string;
  provider_type: string;
  resource_type_slug: string;
  vendor_type: string;
  ems_ref: string;
  state: string;
  last_seen_at: Date;
  first_discovered_at: Date;
  removed_at: Date | null;
  [field: string]: unknown;
}

const empty = (v: unknown) =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
/** How two sources' values compare: case-insensitive text, lists as sets. */
const comparable = (v: unknown) =>
  Array.isArray(v)
    ? JSON.stringify((v as unknown[]).map(String).sort())
    : typeof v === 'string'
      ? v.toLowerCase()
      : JSON.stringify(v);

const sourceOf = (r: MachineResourceRow): FieldSourceDto => ({
  resource: r.id,
  provider: r.provider,
  provider_name: r.provider_name,
  vendor: r.vendor,
  seen_at: r.last_seen_at.toISOString(),
});

/**
 * One machine from its resources (freshest first): the freshest non-empty value of each
 * field and where it came from, and the fields on which current sources disagree.
 */
export function toMachineDetail(
  canonicalId: string,
  rows: MachineResourceRow[],
  urls: { machine: string; resource: (id: string) => string },
  machineTypes: string[],
): MachineDetailDto {
  const current = rows.filter((r) => r.removed_at === null);
  const fields: Record<string, MachineFieldDto> = {};
  const conflicts: MachineConflictDto[] = [];
  for (const field of MACHINE_FIELDS) {
    const freshest = (current.length ? current : rows).find((r) => !empty(r[field]));
    if (freshest) fields[field] = { value: freshest[field], source: sourceOf(freshest) };
    const values = new Map<string, ConflictValueDto>();
    for (const r of current) {
      if (empty(r[field])) continue;
      const key = comparable(r[field]);
      if (!values.has(key)) values.set(key, { value: r[field], sources: [] });
      values.get(key)!.sources.push(sourceOf(r));
    }
    if (values.size > 1) conflicts.push({ field, values: [...values.values()] });
  }
  const providers = new Map<string, MachineProviderDto>();
  for (const r of rows) {
    const p = providers.get(r.provider) ?? {
      id: r.provider,
      name: r.provider_name,
      vendor: r.vendor,
      provider_type: r.provider_type,
      resource_count: 0,
    };
    p.resource_count++;
    providers.set(r.provider, p);
  }
  const machine = rows.find((r) => machineTypes.includes(r.resource_type_slug)) ?? rows[0];
  return {
    canonical_id: canonicalId,
    name: (current[0] ?? rows[0]).name,
    resource_type: machine.resource_type_slug,
    resource_count: rows.length,
    provider_count: providers.size,
    vendors: [...new Set(rows.map((r) => r.vendor))].sort(),
    providers: [...providers.values()].sort((a, b) => a.name.localeCompare(b.name)),
    first_discovered_at: new Date(
      Math.min(...rows.map((r) => r.first_discovered_at.getTime())),
    ).toISOString(),
    last_seen_at: new Date(Math.max(...rows.map((r) => r.last_seen_at.getTime()))).toISOString(),
    removed: current.length === 0,
    url: urls.machine,
    resources: rows.map((r) => ({
      id: r.id,
      name: r.name,
      provider: r.provider,
      provider_name: r.provider_name,
      vendor: r.vendor,
      origin: r.vendor === 'ansible' && r.provider_type === 'facts' ? 'push' : 'pull',
      resource_type_slug: r.resource_type_slug,
      vendor_type: r.vendor_type,
      ems_ref: r.ems_ref,
      state: r.state,
      last_seen_at: r.last_seen_at.toISOString(),
      removed_at: r.removed_at?.toISOString() ?? null,
      url: urls.resource(r.id),
    })),
    fields,
    conflicts,
  };
}
