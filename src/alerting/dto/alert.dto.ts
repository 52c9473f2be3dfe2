import { ApiProperty } from '@nestjs/swagger';
import { ALERT_SOURCES, ALERT_STATUSES } from '../alert.entity.js';

export class AlertDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: Number, nullable: true, description: "null: the platform's own (IngestStalled)." })
  organization: number | null;
  @ApiProperty({ enum: ALERT_SOURCES }) source: string;
  @ApiProperty({ example: 'LinkFailed' }) alertname: string;
  @ApiProperty({ example: 'critical' }) severity: string;
  @ApiProperty({ enum: ALERT_STATUSES }) status: string;
  @ApiProperty({ description: 'Stable over the labels: the same alert keeps it across notifications.' })
  fingerprint: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels: Record<string, string>;
  @ApiProperty({ type: 'object', additionalProperties: true }) annotations: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) starts_at: string;
  @ApiProperty({ format: 'date-time', nullable: true }) ends_at: string | null;
  @ApiProperty({ format: 'date-time' }) last_received_at: string;
  @ApiProperty({ nullable: true }) receiver: string | null;
  @ApiProperty({ format: 'uuid', nullable: true }) system: string | null;
  @ApiProperty({ format: 'uuid', nullable: true }) resource: string | null;
  @ApiProperty({ format: 'date-time', nullable: true }) acknowledged_at: string | null;
  @ApiProperty({ nullable: true }) acknowledged_by: number | null;
  @ApiProperty({ nullable: true }) resolved_by: number | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The inventory rule that opened it.',
  })
  rule: string | null;
  @ApiProperty({ description: 'Matches (events, checks) of this occurrence: repeated matches update it.' })
  match_count: number;
}

export class AlertTotalsDto {
  @ApiProperty({ description: 'Firing alerts the caller may see.' }) firing: number;
  @ApiProperty({ description: 'Firing alerts not yet acknowledged.' }) unacknowledged: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { critical: 2, warning: 5 },
    description: 'Firing alerts per severity label.',
  })
  by_severity: Record<string, number>;
}
