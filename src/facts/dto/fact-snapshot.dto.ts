import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FACT_SNAPSHOT_KINDS, type FactSnapshotKind } from '../fact-snapshot.entity.js';

export class FactSnapshotDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) resource: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) system: string | null;
  @ApiProperty() organization: number;
  @ApiProperty() client_address: string;
  @ApiProperty({ format: 'date-time' }) received_at: string;
  @ApiProperty({ description: 'sha256 of the canonical JSON of the stable facts (the dedup key).' })
  sha256: string;
  @ApiProperty() size_bytes: number;
  @ApiProperty({
    enum: FACT_SNAPSHOT_KINDS,
    description:
      'Document kind: `ansible` (system, package and local facts) or `agent` (a collector agent inventory, in system_facts). Each kind is diffed only against its own previous snapshot.',
  })
  kind: FactSnapshotKind;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'With ?include=payload (always on latest/).',
  })
  system_facts?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) package_facts?: Record<
    string,
    unknown
  >;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) local_facts?: Record<string, unknown>;
}
