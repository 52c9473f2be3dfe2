import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsUUID, ValidateNested } from 'class-validator';
import { PENDING_MATCH_STATUSES } from '../automation-record.entity.js';
import { APPLIED_RULES } from '../match-rules.js';
import { AutomationIdentityOutDto } from './automation-record.dto.js';

export const RESOLVE_ACTIONS = ['confirm', 'reject'] as const;
export type ResolveAction = (typeof RESOLVE_ACTIONS)[number];

/** Pending matches one bulk resolve may decide. */
export const MAX_RESOLVE_ACTIONS = 1000;

/** Body of POST /pending-matches/{id}/resolve/. */
export class ResolvePendingMatchDto {
  @ApiProperty({
    enum: RESOLVE_ACTIONS,
    description:
      'confirm: the record is this resource (and later records of the host name match it first); reject: it is not (never proposed again).',
  })
  @IsIn(RESOLVE_ACTIONS)
  action: ResolveAction;
}

export class PendingMatchActionDto extends ResolvePendingMatchDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  pending_match_id: string;
}

/** Body of POST /pending-matches/resolve/. */
export class BulkResolvePendingMatchesDto {
  @ApiProperty({ type: [PendingMatchActionDto], minItems: 1, maxItems: MAX_RESOLVE_ACTIONS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RESOLVE_ACTIONS)
  // A nested array passes ValidateNested (it validates the inner items): each action must be an object.
  @IsObject({ each: true, message: 'each action must be an object' })
  @ValidateNested({ each: true })
  @Type(() => PendingMatchActionDto)
  actions: PendingMatchActionDto[];
}

export class PendingMatchDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty({ format: 'uuid', description: 'The automation record.' }) record: string;
  @ApiProperty() job_id: string;
  @ApiProperty() job_name: string;
  @ApiProperty() host_name: string;
  @ApiProperty({ type: AutomationIdentityOutDto }) identity: AutomationIdentityOutDto;
  @ApiProperty({ format: 'uuid', description: 'The proposed resource.' }) resource: string;
  @ApiProperty() resource_name: string;
  @ApiProperty({ example: 'virtual_machine' }) resource_type_slug: string;
  @ApiProperty({ enum: APPLIED_RULES }) match_rule: string;
  @ApiProperty({ example: 0.3 }) match_confidence: number;
  @ApiProperty({ description: 'Candidates the rule found for the record; more than one: ambiguous.' })
  candidate_count: number;
  @ApiProperty({ enum: PENDING_MATCH_STATUSES }) status: string;
  @ApiProperty({ type: Number, nullable: true, description: 'User id.' }) resolved_by: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolved_at: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export class BulkResolveResultDto {
  @ApiProperty() processed: number;
  @ApiProperty({ type: [PendingMatchDto] }) results: PendingMatchDto[];
}

export interface PendingMatchRow {
  id: string;
  organization_id: number;
  record_id: string;
  job_id: string;
  job_name: string;
  host_name: string;
  smbios_serial: string | null;
  bios_uuid: string | null;
  mac_addresses: string[];
  ip_addresses: string[];
  fqdn: string | null;
  hostname: string | null;
  resource_id: string;
  resource_name: string;
  resource_type_slug: string;
  match_rule: string;
  match_confidence: string;
  candidate_count: number;
  status: string;
  resolved_by_id: number | null;
  resolved_at: Date | null;
  created: Date;
  modified: Date;
}

export function toPendingMatchDto(row: PendingMatchRow): PendingMatchDto {
  return {
    id: row.id,
    organization: row.organization_id,
    record: row.record_id,
    job_id: row.job_id,
    job_name: row.job_name,
    host_name: row.host_name,
    identity: {
      smbios_serial: row.smbios_serial,
      bios_uuid: row.bios_uuid,
      mac_addresses: row.mac_addresses,
      ip_addresses: row.ip_addresses,
      fqdn: row.fqdn,
      hostname: row.hostname,
    },
    resource: row.resource_id,
    resource_name: row.resource_name,
    resource_type_slug: row.resource_type_slug,
    match_rule: row.match_rule,
    match_confidence: Number(row.match_confidence),
    candidate_count: row.candidate_count,
    status: row.status,
    resolved_by: row.resolved_by_id,
    resolved_at: row.resolved_at === null ? null : row.resolved_at.toISOString(),
    created: row.created.toISOString(),
    modified: row.modified.toISOString(),
  };
}
