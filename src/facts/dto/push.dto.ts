import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Body of POST /facts/ (and of the fact_inventory compatibility routes). */
export class FactsPushBodyDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Ansible `setup` facts (ansible_facts), with or without the ansible_ prefix.',
  })
  system_facts?: Record<string, unknown>;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Ansible `package_facts` output: `{packages: {name: [{version, arch, ...}]}}`.',
  })
  package_facts?: Record<string, unknown>;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Anything else (custom facts).',
  })
  local_facts?: Record<string, unknown>;
}

export class PushResultDto {
  @ApiProperty({ format: 'uuid', description: 'The host resource.' }) resource: string;
  @ApiProperty({
    format: 'uuid',
    description: 'The snapshot holding this payload (the previous one when unchanged).',
  })
  snapshot: string;
  @ApiProperty({ description: 'The host resource was created by this push.' }) created: boolean;
  @ApiProperty({ description: 'The payload differs from the latest snapshot (false: only last_seen moved).' })
  changed: boolean;
  @ApiProperty({ description: 'Change rows recorded.' }) changes: number;
}
