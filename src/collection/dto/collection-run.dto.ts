import { ApiProperty } from '@nestjs/swagger';
import { COLLECTION_TYPES, RUN_STATUSES, RUN_TRIGGERS } from '../collection-run.enums.js';

export class CollectionRunDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) provider: string;
  @ApiProperty() provider_name: string;
  @ApiProperty({ enum: RUN_STATUSES }) status: string;
  @ApiProperty({ enum: COLLECTION_TYPES }) collection_type: string;
  @ApiProperty({ type: [String], example: ['virtual_machine'] }) target_resource_types: string[];
  @ApiProperty({ type: String, nullable: true, description: "The job queue's id for the run." }) task_id:
    string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completed_at: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.954 }) duration_seconds: number | null;
  @ApiProperty() resources_found: number;
  @ApiProperty() resources_created: number;
  @ApiProperty() resources_updated: number;
  @ApiProperty() resources_unchanged: number;
  @ApiProperty() resources_removed: number;
  @ApiProperty({ description: 'Why the run failed; empty otherwise.' }) error_message: string;
  @ApiProperty({ enum: RUN_TRIGGERS }) triggered_by: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The user who triggered the run.' })
  triggered_by_user: number | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}
