import { ApiProperty } from '@nestjs/swagger';
import { POWER_STATES, RESOURCE_STATES } from '../../resources/resource.enums.js';

export class ResourceSightingDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) resource: string;
  @ApiProperty() resource_name: string;
  @ApiProperty({ format: 'uuid' }) provider: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null for pushed observations.' })
  collection_run: string | null;
  @ApiProperty({ format: 'date-time' }) seen_at: string;
  @ApiProperty({ enum: RESOURCE_STATES }) state: string;
  @ApiProperty({ enum: POWER_STATES, nullable: true }) power_state: string | null;
  @ApiProperty({ type: Number, nullable: true }) cpu_count: number | null;
  @ApiProperty({ type: Number, nullable: true }) memory_mb: number | null;
  @ApiProperty({ type: Number, nullable: true }) disk_gb: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metrics: Record<string, unknown>;
}
