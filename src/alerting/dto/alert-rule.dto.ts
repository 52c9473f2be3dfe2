import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { CHANGE_CATEGORIES, CHANGE_SEVERITIES } from '../../changes/resource-change.enums.js';
import { OptionalField } from '../../common/http/validators.js';
import { BUILTIN_RULES, RULE_SEVERITIES } from '../alert-rule.entity.js';

/** A nullable optional field: absent or null are both fine (null clears it). */
const Nullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** Body of POST /alert-rules/. */
export class CreateAlertRuleDto {
  @ApiProperty({ description: 'Organization id.', example: 1 })
  @IsInt()
  @Min(1)
  organization: number;

  @ApiProperty({ example: 'Production VM memory', maxLength: 255 })
  @IsString()
  @Length(1, 255)
  name: string;

  @ApiPropertyOptional({ default: '' })
  @OptionalField()
  @IsString()
  @Length(0, 2000)
  description?: string;

  @ApiPropertyOptional({ default: true })
  @OptionalField()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    type: [String],
    example: ['resource.changed'],
    description: 'Event types or prefixes (`resource.*`) the rule matches; empty or absent: every event.',
  })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  event_types?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['collection_run.completed'],
    description:
      'Event types or prefixes that resolve the rule’s firing alert of the same resource, provider or system (the alert the event would have opened); empty: alerts stay firing until resolved by hand.',
  })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  resolve_event_types?: string[];

  @ApiPropertyOptional({
    type: [String],
    enum: CHANGE_CATEGORIES,
    description:
      'A change row must have one of these categories; empty or absent: any (events without change rows never match a rule that names some).',
  })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(CHANGE_CATEGORIES.length)
  @IsIn(CHANGE_CATEGORIES, { each: true })
  categories?: string[];

  @ApiPropertyOptional({
    enum: CHANGE_SEVERITIES,
    nullable: true,
    description: 'Minimum severity of a change row (resource.changed) or of the event (others).',
  })
  @Nullable()
  @IsIn(CHANGE_SEVERITIES)
  severity_min?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'memory_mb',
    description:
      'Glob over change rows’ field paths: `*` within a segment, `**` across segments; a path beneath the pattern matches too (`disks` matches `disks.sda.size`).',
  })
  @Nullable()
  @IsString()
  @Length(1, 500)
  field_path?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'resource_type=virtual_machine&tag=env=prod',
    description:
      'Which resources the rule applies to, in the /resources/ list’s filter syntax (and `search`); events without a resource never match a rule with a selector.',
  })
  @Nullable()
  @IsString()
  @Length(1, 2000)
  resource_selector?: string | null;

  @ApiPropertyOptional({ description: 'The alerts’ alertname label (default: the name without spaces).' })
  @OptionalField()
  @IsString()
  @Length(1, 255)
  alertname?: string;

  @ApiProperty({ enum: RULE_SEVERITIES, description: 'The alerts’ severity label.' })
  @IsIn(RULE_SEVERITIES)
  severity: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { team: 'platform' },
    description:
      'Extra labels (names like Prometheus labels). The server sets alertname, severity, organization_id, system_key, system_id, resource and provider; a rule cannot.',
  })
  @OptionalField()
  @IsObject()
  labels?: Record<string, string>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { summary: '{{.resource_name}}: {{.field_path}} is now {{.current}}' },
    description:
      'Annotation templates: `{{.name}}` is a label or one of event_type, resource_name, provider_name, field_path, previous, current, matched_changes, error_message, system_name, last_heartbeat; a missing one renders `<no value>`.',
  })
  @OptionalField()
  @IsObject()
  annotations?: Record<string, string>;

  @ApiPropertyOptional({ default: 50, description: 'At most this many alerts opened an hour.' })
  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(100000)
  max_per_hour?: number;

  @ApiPropertyOptional({ default: 10, description: 'At most this many critical alerts opened an hour.' })
  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(100000)
  max_critical_per_hour?: number;
}

/** Body of PATCH /alert-rules/{id}/ (the organization cannot change). */
export class UpdateAlertRuleDto extends PartialType(CreateAlertRuleDto, { skipNullProperties: false }) {}

export class AlertRuleDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({
    enum: BUILTIN_RULES,
    nullable: true,
    type: String,
    description: 'Which built-in rule (null: the organization’s own).',
  })
  builtin: string | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: [String] }) event_types: string[];
  @ApiProperty({ type: [String] }) resolve_event_types: string[];
  @ApiProperty({ type: [String] }) categories: string[];
  @ApiProperty({ type: String, nullable: true, enum: CHANGE_SEVERITIES }) severity_min: string | null;
  @ApiProperty({ type: String, nullable: true }) field_path: string | null;
  @ApiProperty({ type: String, nullable: true }) resource_selector: string | null;
  @ApiProperty() alertname: string;
  @ApiProperty({ enum: RULE_SEVERITIES }) severity: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels: Record<string, string>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) annotations: Record<
    string,
    string
  >;
  @ApiProperty() max_per_hour: number;
  @ApiProperty() max_critical_per_hour: number;
  @ApiProperty({ description: 'Matches that opened no alert because a rate limit was reached.' })
  suppressed_count: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_suppressed_at: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export interface AlertRuleRow {
  id: string;
  organization_id: number;
  name: string;
  description: string;
  builtin: string | null;
  enabled: boolean;
  event_types: string[];
  resolve_event_types: string[];
  categories: string[];
  severity_min: string | null;
  field_path: string | null;
  resource_selector: string | null;
  alertname: string;
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  max_per_hour: number;
  max_critical_per_hour: number;
  suppressed_count: number;
  last_suppressed_at: Date | null;
  created: Date;
  modified: Date;
}

export const toAlertRuleDto = (row: AlertRuleRow): AlertRuleDto => {
  const { organization_id, ...rest } = row;
  return {
    ...rest,
    organization: organization_id,
    last_suppressed_at: row.last_suppressed_at?.toISOString() ?? null,
    created: row.created.toISOString(),
    modified: row.modified.toISOString(),
  };
};
