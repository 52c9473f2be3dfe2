import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsString } from 'class-validator';
import { OptionalField } from '../../common/http/validators.js';
import {
  COLLECTION_TYPES,
  RUN_STATUSES,
  RUN_TRIGGERS,
  type CollectionType,
} from '../collection-run.enums.js';

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
  @ApiProperty({ description: 'Records the run could not store (unknown type, dangling relationship).' })
  resources_rejected: number;
  @ApiProperty({ type: [String], description: 'Why records were rejected (the first few).' })
  warnings: string[];
  @ApiProperty({ description: 'Why the run failed; empty otherwise.' }) error_message: string;
  @ApiProperty({ enum: RUN_TRIGGERS }) triggered_by: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The user who triggered the run.' })
  triggered_by_user: number | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Set when someone asked to cancel.',
  })
  cancel_requested_at: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

/** Body of POST /providers/{id}/collect/ (optional). */
export class CollectRequestDto {
  @ApiPropertyOptional({
    enum: COLLECTION_TYPES,
    default: 'full',
    description: 'targeted when target_resource_types is given.',
  })
  @OptionalField()
  @IsIn(COLLECTION_TYPES)
  collection_type?: CollectionType;

  @ApiPropertyOptional({
    type: [String],
    example: ['virtual_machine'],
    description: 'Resource type slugs to collect (a targeted run never removes anything).',
  })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  target_resource_types?: string[];
}
