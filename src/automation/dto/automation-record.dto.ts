import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { HOST_STATUSES, MATCH_STATUSES } from '../automation-record.entity.js';
import { APPLIED_RULES } from '../match-rules.js';

/** Records one POST /automation-records/ may carry (the limit). */
export const MAX_RECORDS_PER_REQUEST = 10_000;

/** AAP job ids are integers; either form is accepted and stored as text. */
const numberToString = ({ value }: { value: unknown }) =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : value;

/** What the host reported about itself (Ansible facts); every field optional. */
export class AutomationIdentityDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'VMware-42 16 a8 5c 2e 1f 3b 4d-9e 8f 7a 6b 5c 4d 3e 2f',
    description: 'SMBIOS serial number (ansible_product_serial).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  smbios_serial?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '502e71fa-1001-4a8e-b123-aabbccddeef1',
    description: 'BIOS / SMBIOS UUID (ansible_product_uuid).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  bios_uuid?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['00:50:56:a1:00:01'], description: 'Up to 64.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  mac_addresses?: string[] | null;

  @ApiPropertyOptional({ type: [String], example: ['10.0.20.20'], description: 'Up to 256.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  ip_addresses?: string[] | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'rhel9-web-01.lab.local' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  fqdn?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'rhel9-web-01' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  hostname?: string | null;
}

/** One host of one job. */
export class AutomationRecordInputDto {
  @ApiProperty({
    example: '4711',
    description: 'The job (AAP/AWX job id, or any id of one playbook run); a number is taken as its text.',
  })
  @Transform(numberToString)
  @IsString()
  @Length(1, 255)
  job_id: string;

  @ApiPropertyOptional({ example: 'Patch web servers', maxLength: 512 })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  job_name?: string | null;

  @ApiPropertyOptional({ example: 'patch-webservers', maxLength: 512, description: 'Job template name.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  job_template?: string | null;

  @ApiPropertyOptional({ example: 'playbooks/patch.yml', maxLength: 1024 })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  playbook?: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-12-04T10:00:00Z' })
  @IsISO8601({ strict: true })
  started_at: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Not before started_at.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  finished_at?: string | null;

  @ApiProperty({ enum: HOST_STATUSES, description: "The host's outcome in the job." })
  @IsIn(HOST_STATUSES)
  status: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0 },
    example: { ok: 12, changed: 3, failed: 0, unreachable: 0, skipped: 2 },
    description: "Ansible's per-host task counts; up to 16 names, whole numbers.",
  })
  @IsOptional()
  @IsObject()
  task_counts?: Record<string, number> | null;

  @ApiProperty({ example: 'rhel9-web-01', description: "The host's name in the job's inventory." })
  @IsString()
  @Length(1, 512)
  host_name: string;

  @ApiPropertyOptional({ type: AutomationIdentityDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AutomationIdentityDto)
  identity?: AutomationIdentityDto | null;
}

/** Body of POST /automation-records/. */
export class PostAutomationRecordsDto {
  @ApiPropertyOptional({
    example: 1,
    description:
      'Organization the records belong to and whose resources they are matched to. May be left out when the caller may add records in exactly one organization.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  organization?: number;

  @ApiProperty({ type: [AutomationRecordInputDto], minItems: 1, maxItems: MAX_RECORDS_PER_REQUEST })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECORDS_PER_REQUEST, {
    message: `records: at most ${MAX_RECORDS_PER_REQUEST} records per request.`,
  })
  // A nested array passes ValidateNested (it validates the inner items): each record must be an object.
  @IsObject({ each: true, message: 'each record must be an object' })
  @ValidateNested({ each: true })
  @Type(() => AutomationRecordInputDto)
  records: AutomationRecordInputDto[];
}

export class AutomationIdentityOutDto {
  @ApiProperty({ type: String, nullable: true }) smbios_serial: string | null;
  @ApiProperty({ type: String, nullable: true }) bios_uuid: string | null;
  @ApiProperty({ type: [String] }) mac_addresses: string[];
  @ApiProperty({ type: [String] }) ip_addresses: string[];
  @ApiProperty({ type: String, nullable: true }) fqdn: string | null;
  @ApiProperty({ type: String, nullable: true }) hostname: string | null;
}

export class AutomationRecordDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty() job_id: string;
  @ApiProperty() job_name: string;
  @ApiProperty() job_template: string;
  @ApiProperty() playbook: string;
  @ApiProperty({ format: 'date-time' }) started_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finished_at: string | null;
  @ApiProperty({ format: 'date-time', description: 'finished_at, else started_at.' }) automated_at: string;
  @ApiProperty({ enum: HOST_STATUSES }) status: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' } }) task_counts: Record<
    string,
    number
  >;
  @ApiProperty() host_name: string;
  @ApiProperty({ type: AutomationIdentityOutDto }) identity: AutomationIdentityOutDto;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The matched resource.' })
  resource: string | null;
  @ApiProperty({ type: String, nullable: true }) resource_name: string | null;
  @ApiProperty({ enum: MATCH_STATUSES }) match_status: string;
  @ApiProperty({
    type: String,
    enum: APPLIED_RULES,
    nullable: true,
    description: 'The rule that matched or proposed.',
  })
  match_rule: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.95 }) match_confidence: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) matched_at: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

/** One posted record, as stored and matched. */
export class AutomationRecordResultDto {
  @ApiProperty({ example: 0, description: 'Index of the record in the request.' }) index: number;
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() job_id: string;
  @ApiProperty() host_name: string;
  @ApiProperty({ description: 'false: an earlier post of the same (job_id, host_name) was updated.' })
  created: boolean;
  @ApiProperty({ enum: MATCH_STATUSES }) match_status: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) resource: string | null;
  @ApiProperty({ type: String, enum: APPLIED_RULES, nullable: true }) match_rule: string | null;
  @ApiProperty({ type: Number, nullable: true }) match_confidence: number | null;
}

export class AutomationPostResultDto {
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty({
    description: 'Records per match_status after this post.',
    example: { matched: 3, pending: 1 },
  })
  match_summary: Record<string, number>;
  @ApiProperty({ type: [AutomationRecordResultDto] }) records: AutomationRecordResultDto[];
}

export interface AutomationRecordRow {
  id: string;
  organization_id: number;
  job_id: string;
  job_name: string;
  job_template: string;
  playbook: string;
  started_at: Date;
  finished_at: Date | null;
  automated_at: Date;
  status: string;
  task_counts: Record<string, number>;
  host_name: string;
  smbios_serial: string | null;
  bios_uuid: string | null;
  mac_addresses: string[];
  ip_addresses: string[];
  fqdn: string | null;
  hostname: string | null;
  resource_id: string | null;
  resource_name: string | null;
  match_status: string;
  match_rule: string | null;
  match_confidence: string | null;
  matched_at: Date | null;
  created: Date;
  modified: Date;
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

export function toAutomationRecordDto(row: AutomationRecordRow): AutomationRecordDto {
  return {
    id: row.id,
    organization: row.organization_id,
    job_id: row.job_id,
    job_name: row.job_name,
    job_template: row.job_template,
    playbook: row.playbook,
    started_at: row.started_at.toISOString(),
    finished_at: iso(row.finished_at),
    automated_at: row.automated_at.toISOString(),
    status: row.status,
    task_counts: row.task_counts,
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
    match_status: row.match_status,
    match_rule: row.match_rule,
    match_confidence: row.match_confidence === null ? null : Number(row.match_confidence),
    matched_at: iso(row.matched_at),
    created: row.created.toISOString(),
    modified: row.modified.toISOString(),
  };
}
