import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { IsOrganizationRef, OptionalField } from '../../common/http/validators.js';
import { INFRASTRUCTURES } from '../provider.enums.js';

const SLUG = /^[a-z0-9][a-z0-9_.-]*$/;

/** A schedule sent as a JSON number of seconds (3600) is stored as its text ("3600"), as an interval. */
const secondsToText = ({ value }: { value: unknown }) =>
  typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;

/** Body of POST (and PUT, which replaces every field) /providers/. */
export class CreateProviderDto {
  @ApiProperty({ example: 'Home Lab vCenter', maxLength: 255 })
  @IsString()
  @Length(1, 255)
  name: string;

  @ApiPropertyOptional({ default: '' })
  @OptionalField()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({
    oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string' }],
    description:
      'Organization id or name. Default: the organization the caller belongs to, when there is exactly one.',
    example: 1,
  })
  @OptionalField()
  @IsOrganizationRef()
  organization?: number | string;

  @ApiProperty({
    example: 'vmware',
    description: 'Plugin vendor; with provider_type names the plugin `vendor:provider_type`.',
  })
  @IsString()
  @Length(1, 64)
  @Matches(SLUG, { message: 'vendor must be lower-case letters, digits, "_", "." or "-"' })
  vendor: string;

  @ApiProperty({ example: 'vcenter' })
  @IsString()
  @Length(1, 64)
  @Matches(SLUG, { message: 'provider_type must be lower-case letters, digits, "_", "." or "-"' })
  provider_type: string;

  @ApiProperty({ enum: INFRASTRUCTURES, example: 'private_cloud' })
  @IsIn(INFRASTRUCTURES)
  infrastructure: string;

  @ApiPropertyOptional({ example: 'vcsa01.lab.local', default: '' })
  @OptionalField()
  @IsString()
  @MaxLength(1024)
  endpoint?: string;

  @ApiPropertyOptional({
    description:
      'Plugin connection settings. Values under secret-looking keys (password, secret, token, key, ...) are encrypted at rest and shown as "$encrypted$"; sending "$encrypted$" back keeps the stored value.',
    example: { username: 'administrator@vsphere.local', password: 'secret', port: 443, verify_ssl: true },
    type: 'object',
    additionalProperties: true,
  })
  @OptionalField()
  @IsObject({ message: 'connection_config must be a JSON object' })
  connection_config?: Record<string, unknown>;

  @ApiPropertyOptional({ default: true })
  @OptionalField()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'integer', minimum: 60 }],
    nullable: true,
    example: '*/30 * * * *',
    description:
      'Collect on a schedule: an interval in seconds (at least 60; a number or its text, stored as text) or a five-field cron expression (UTC). Null: on demand only.',
  })
  @Transform(secondsToText)
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsString({
    message:
      'schedule must be a cron expression (a string) or an interval in whole seconds (a number or a string)',
  })
  @MaxLength(128)
  schedule?: string | null;
}

/** Body of PATCH /providers/{id}/: any subset of the fields. */
// skipNullProperties: false keeps an explicit null a validation error instead of "not given".
export class UpdateProviderDto extends PartialType(CreateProviderDto, { skipNullProperties: false }) {}

export class ProviderDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty({ example: 'Default' }) organization_name: string;
  @ApiProperty({ example: 'vmware' }) vendor: string;
  @ApiProperty({ example: 'vcenter' }) provider_type: string;
  @ApiProperty({ example: 'vmware:vcenter', description: 'The plugin key, `vendor:provider_type`.' })
  plugin: string;
  @ApiProperty({ enum: INFRASTRUCTURES }) infrastructure: string;
  @ApiProperty() endpoint: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Secrets shown as "$encrypted$".' })
  connection_config: Record<string, unknown>;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_collection_at: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Interval in seconds or cron expression; null: on demand.',
  })
  schedule: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the schedule starts the next run.',
  })
  next_collection_at: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'User who created the provider.' }) created_by:
    number | null;
  @ApiProperty({ type: String, nullable: true }) created_by_username: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'User who last changed the provider.' })
  modified_by: number | null;
  @ApiProperty({ type: String, nullable: true }) modified_by_username: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}
