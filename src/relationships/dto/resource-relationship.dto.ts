import { ApiProperty } from '@nestjs/swagger';
import { RELATIONSHIP_TYPES } from '../relationship.enums.js';

export class ResourceRelationshipDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) source: string;
  @ApiProperty() source_name: string;
  @ApiProperty({ example: 'virtual_machine' }) source_type: string;
  @ApiProperty({ format: 'uuid' }) target: string;
  @ApiProperty() target_name: string;
  @ApiProperty({ example: 'hypervisor_host' }) target_type: string;
  @ApiProperty({ enum: RELATIONSHIP_TYPES }) relationship_type: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) provider: string | null;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) properties: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) first_seen_at: string;
  @ApiProperty({ format: 'date-time' }) last_seen_at: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Set when no longer reported.',
  })
  removed_at: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}
