import { ApiProperty } from '@nestjs/swagger';
import {
  CHANGE_CATEGORIES,
  CHANGE_SEVERITIES,
  CHANGE_SOURCES,
  CHANGE_TYPES,
} from '../resource-change.enums.js';

export class ResourceChangeDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) resource: string;
  @ApiProperty() resource_name: string;
  @ApiProperty() organization: number;
  @ApiProperty({ format: 'date-time' }) detected_at: string;
  @ApiProperty({ enum: CHANGE_SOURCES }) source: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) collection_run: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) fact_snapshot: string | null;
  @ApiProperty({ example: 'packages.nginx.version' }) field_path: string;
  @ApiProperty({ enum: CHANGE_TYPES }) change_type: string;
  @ApiProperty({ nullable: true, description: 'Any JSON value.' }) previous_value: unknown;
  @ApiProperty({ nullable: true, description: 'Any JSON value.' }) current_value: unknown;
  @ApiProperty({ enum: CHANGE_CATEGORIES }) category: string;
  @ApiProperty({ enum: CHANGE_SEVERITIES }) severity: string;
}

export class TimelineDayDto {
  @ApiProperty({ example: '2026-11-25', description: 'UTC day.' }) date: string;
  @ApiProperty() changes: number;
  @ApiProperty({ enum: [...CHANGE_SEVERITIES, null], nullable: true }) highest_severity: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { high: 1, low: 12 } })
  severities: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { software: 12, os: 1 },
  })
  categories: Record<string, number>;
}

export class ChangeSummaryDto {
  @ApiProperty({ enum: ['day', 'week'] }) interval: string;
  @ApiProperty({ description: 'Changes in all buckets.' }) count: number;
  @ApiProperty({
    type: () => [TimelineDayDto],
    description: 'One entry per UTC day or week (its first day), oldest first.',
  })
  results: TimelineDayDto[];
}
