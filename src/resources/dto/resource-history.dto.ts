import { ApiProperty } from '@nestjs/swagger';

export class HistoryIdentityDto {
  @ApiProperty({ type: String, nullable: true }) canonical_id: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) vendor_identifiers: Record<string, unknown>;
  @ApiProperty() ems_ref: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) provider: string;
}

export class HistoryTrackingDto {
  @ApiProperty({ format: 'date-time' }) first_discovered_at: string;
  @ApiProperty({ format: 'date-time' }) last_seen_at: string;
  @ApiProperty() seen_count: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) removed_at: string | null;
}

export class StatsDto {
  @ApiProperty({ type: Number, nullable: true }) avg: number | null;
  @ApiProperty({ type: Number, nullable: true }) min: number | null;
  @ApiProperty({ type: Number, nullable: true }) max: number | null;
}

export class HistorySummaryDto {
  @ApiProperty({ description: 'All sightings of the resource.' }) total_sightings: number;
  @ApiProperty({ type: [String], example: ['running', 'stopped'] }) states_observed: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) first_sighting_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_sighting_at: string | null;
  @ApiProperty({ type: StatsDto }) cpu_count: StatsDto;
  @ApiProperty({ type: StatsDto }) memory_mb: StatsDto;
  @ApiProperty({ type: StatsDto }) disk_gb: StatsDto;
}

export class TimelineEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) seen_at: string;
  @ApiProperty() state: string;
  @ApiProperty({ type: String, nullable: true }) power_state: string | null;
  @ApiProperty({ type: Number, nullable: true }) cpu_count: number | null;
  @ApiProperty({ type: Number, nullable: true }) memory_mb: number | null;
  @ApiProperty({ type: Number, nullable: true }) disk_gb: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metrics: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) collection_run: string | null;
}

export class ResourceHistoryDto {
  @ApiProperty({ format: 'uuid' }) resource: string;
  @ApiProperty({ type: HistoryIdentityDto }) identity: HistoryIdentityDto;
  @ApiProperty({ type: HistoryTrackingDto }) tracking: HistoryTrackingDto;
  @ApiProperty({ type: HistorySummaryDto }) summary: HistorySummaryDto;
  @ApiProperty({
    type: [TimelineEntryDto],
    description:
      'Oldest first: the latest `timeline_limit` sightings within the seen_after/seen_before window.',
  })
  timeline: TimelineEntryDto[];
  @ApiProperty({
    description: 'Sightings inside the window (the timeline holds at most timeline_limit of them).',
  })
  timeline_total: number;
  @ApiProperty({ description: 'True when older sightings of the window were left out of the timeline.' })
  timeline_truncated: boolean;
}
