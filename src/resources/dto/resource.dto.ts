import { ApiProperty } from '@nestjs/swagger';
import { POWER_STATES, RESOURCE_STATES } from '../resource.enums.js';
import { ResourceTagDto } from '../../tags/dto/tag.dto.js';
import { MachineLinkDto } from './machine.dto.js';

export class ResourceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'rhel9-web01' }) name: string;
  @ApiProperty({ format: 'uuid' }) provider: string;
  @ApiProperty() provider_name: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty({ format: 'uuid' }) resource_type: string;
  @ApiProperty({ example: 'virtual_machine' }) resource_type_slug: string;
  @ApiProperty({ example: 'compute' }) resource_category: string;
  @ApiProperty({ example: 'VirtualMachine', description: "The vendor's own type name." }) vendor_type: string;
  @ApiProperty({ example: 'vm-101', description: "The vendor's id for the object; unique per provider." })
  ems_ref: string;
  @ApiProperty({ type: String, nullable: true, example: '502e71fa-1c2d-4b3e-9f8a-0123456789ab' })
  canonical_id: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { moid: 'vm-101', bios_uuid: '502e71fa-...' },
  })
  vendor_identifiers: Record<string, unknown>;
  @ApiProperty({ enum: RESOURCE_STATES }) state: string;
  @ApiProperty({ enum: POWER_STATES, nullable: true }) power_state: string | null;
  @ApiProperty() region: string;
  @ApiProperty() availability_zone: string;
  @ApiProperty() cloud_tenant: string;
  @ApiProperty({ example: 'm5.xlarge' }) flavor: string;
  @ApiProperty() fqdn: string;
  @ApiProperty({ type: [String] }) ip_addresses: string[];
  @ApiProperty({ example: 'linux' }) os_type: string;
  @ApiProperty({ example: 'Red Hat Enterprise Linux 9.4' }) os_name: string;
  @ApiProperty({ type: Number, nullable: true }) cpu_count: number | null;
  @ApiProperty({ type: Number, nullable: true }) memory_mb: number | null;
  @ApiProperty({ type: Number, nullable: true }) disk_gb: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) properties: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Tags the provider reported (collections own them), as before.',
  })
  provider_tags: Record<string, unknown>;
  @ApiProperty({
    type: [ResourceTagDto],
    description:
      'Every tag, each with its `kind`: the provider tags (the same as `provider_tags`) and the user tags of /tags/.',
  })
  tags: ResourceTagDto[];
  @ApiProperty() description: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) boot_time: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) ems_created_on: string | null;
  @ApiProperty({ format: 'date-time' }) first_discovered_at: string;
  @ApiProperty({ format: 'date-time' }) last_seen_at: string;
  @ApiProperty() seen_count: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) removed_at: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export class RelationshipCountsDto {
  @ApiProperty({ description: 'Edges from this resource (e.g. this VM runs_on a host).' }) outgoing: number;
  @ApiProperty({ description: 'Edges to this resource (e.g. VMs that run_on this host).' }) incoming: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { outgoing: { type: 'integer' }, incoming: { type: 'integer' } },
    },
    example: { runs_on: { outgoing: 1, incoming: 0 } },
  })
  by_type: Record<string, { outgoing: number; incoming: number }>;
}

export class ResourceDetailDto extends ResourceDto {
  @ApiProperty({ example: 'Virtual Machine' }) resource_type_name: string;
  @ApiProperty({ example: 'Compute' }) resource_category_name: string;
  @ApiProperty({ example: 'vmware' }) provider_vendor: string;
  @ApiProperty({ type: RelationshipCountsDto, description: 'Current (not removed) relationships.' })
  relationships: RelationshipCountsDto;
  @ApiProperty({
    type: MachineLinkDto,
    nullable: true,
    description: 'The machine this resource is one view of (its canonical_id names a machine), else null.',
  })
  machine: MachineLinkDto | null;
  @ApiProperty({
    required: false,
    format: 'date-time',
    description:
      'Set when read with ?as_of=: the time the tracked fields (name, state, power_state, sizes, addresses, OS, placement, properties, removed_at) are shown at, rebuilt from the change history; last_seen_at is the latest sighting at or before it. The other fields are current.',
  })
  as_of?: string;
}

export class ResourceFieldDifferenceDto {
  @ApiProperty({
    example: 'memory_mb',
    description: 'A tracked field, `properties.<key>` or a pushed fact path.',
  })
  field_path: string;
  @ApiProperty({ description: 'The value at `from` (null: absent).', nullable: true }) from_value: unknown;
  @ApiProperty({ description: 'The value at `to` (null: absent).', nullable: true }) to_value: unknown;
  @ApiProperty({
    example: 'hardware',
    description: 'Category of the latest change of the path in the window.',
  })
  category: string;
  @ApiProperty({ example: 'medium', description: 'Highest severity among its changes in the window.' })
  severity: string;
  @ApiProperty({
    example: 1,
    description: 'Changes of the path in the window (it can change and change back).',
  })
  changes: number;
  @ApiProperty({ format: 'date-time' }) last_changed_at: string;
}

export class ResourceDiffDto {
  @ApiProperty({ format: 'uuid' }) resource: string;
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({
    type: [ResourceFieldDifferenceDto],
    description: 'By field_path; only paths whose values differ.',
  })
  differences: ResourceFieldDifferenceDto[];
}
