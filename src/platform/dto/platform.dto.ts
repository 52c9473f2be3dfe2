import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { OptionalField } from '../../common/http/validators.js';
import { CONTENT_TYPES, PERMISSION_NAMES } from '../../rbac/permissions.js';

export class OrganizationDto {
  @ApiProperty({ example: 1 }) id: number;
  @ApiProperty({ example: 'Default' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: "The gateway's id, when the gateway manages it.",
  })
  ansible_id: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Acme Ops' }) @IsString() @Length(1, 512) name: string;
  @ApiPropertyOptional({ default: '' }) @OptionalField() @IsString() @MaxLength(10000) description?: string;
}
export class UpdateOrganizationDto extends PartialType(CreateOrganizationDto, {
  skipNullProperties: false,
}) {}

export class TeamDto {
  @ApiProperty({ example: 3 }) id: number;
  @ApiProperty({ example: 'Platform engineering' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty({ example: 'Default' }) organization_name: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) ansible_id: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export class CreateTeamDto {
  @ApiProperty() @IsString() @Length(1, 512) name: string;
  @ApiProperty({ example: 1 }) @IsInt() @Min(1) organization: number;
  @ApiPropertyOptional({ default: '' }) @OptionalField() @IsString() @MaxLength(10000) description?: string;
}

export class UpdateTeamDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @Length(1, 512) name?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(10000) description?: string;
}

export class TeamMemberDto {
  @ApiProperty({ example: 5, description: 'User id.' }) @IsInt() @Min(1) user: number;
  @ApiPropertyOptional({
    description: 'Make the user a Team Admin instead of a Team Member.',
    default: false,
  })
  @OptionalField()
  @IsBoolean()
  admin?: boolean;
}

export class UserDto {
  @ApiProperty({ example: 1 }) id: number;
  @ApiProperty({ example: 'admin' }) username: string;
  @ApiProperty() email: string;
  @ApiProperty() first_name: string;
  @ApiProperty() last_name: string;
  @ApiProperty() is_superuser: boolean;
  @ApiProperty({ description: 'Holds the global Platform Auditor role.' }) is_platform_auditor: boolean;
  @ApiProperty() is_active: boolean;
  @ApiProperty({ description: 'Created or updated from gateway tokens (linked to a gateway user).' })
  managed_by_gateway: boolean;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: "The gateway user's `sub` this account is linked to (null: a local account).",
  })
  ansible_id: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_login: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export class CallerRoleDto {
  @ApiProperty({ example: 'Organization Member' }) role: string;
  @ApiProperty({ example: 3 }) role_definition: number;
  @ApiProperty({ type: String, nullable: true, example: 'organization', description: 'null: a global role.' })
  object_type: string | null;
  @ApiProperty({ type: String, nullable: true, example: '1' }) object_id: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Default' }) object_name: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Inherited through this team; null when held directly.',
  })
  via_team: number | null;
}

export class MeDto extends UserDto {
  @ApiProperty({
    type: [CallerRoleDto],
    description:
      'The roles the caller holds, directly or through a team. Empty: nothing is visible until one is granted.',
  })
  roles: CallerRoleDto[];
}

const USERNAME = /^[\w.@+-]+$/;

export class CreateUserDto {
  @ApiProperty({ example: 'jdoe' })
  @IsString()
  @Length(1, 150)
  @Matches(USERNAME, { message: 'username may hold letters, digits and @ . + - _ only' })
  username: string;
  @ApiProperty({ minLength: 8, writeOnly: true }) @IsString() @MinLength(8) @MaxLength(1024) password: string;
  @ApiPropertyOptional() @OptionalField() @IsEmail() email?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(150) first_name?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(150) last_name?: string;
  @ApiPropertyOptional({ default: false }) @OptionalField() @IsBoolean() is_superuser?: boolean;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ minLength: 8, writeOnly: true })
  @OptionalField()
  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  password?: string;
  @ApiPropertyOptional() @OptionalField() @IsEmail() email?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(150) first_name?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(150) last_name?: string;
  @ApiPropertyOptional({ description: 'Superusers only.' })
  @OptionalField()
  @IsBoolean()
  is_superuser?: boolean;
  @ApiPropertyOptional({ description: 'Superusers only.' }) @OptionalField() @IsBoolean() is_active?: boolean;
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      "Superusers only. Links the account to the gateway user with this `sub` (its ansible_id), so that user's gateway tokens sign in as this account; null unlinks it.",
  })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'ansible_id must be a UUID',
  })
  ansible_id?: string | null;
}

export class RoleDefinitionDto {
  @ApiProperty({ example: 2 }) id: number;
  @ApiProperty({ example: 'Organization Admin' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String], enum: PERMISSION_NAMES }) permissions: string[];
  @ApiProperty({ enum: CONTENT_TYPES, nullable: true, description: 'Null: a global role.' }) content_type:
    string | null;
  @ApiProperty({ description: 'Seeded by migration; not editable.' }) managed: boolean;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export class CreateRoleDefinitionDto {
  @ApiProperty({ example: 'Collector' }) @IsString() @Length(1, 255) name: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(10000) description?: string;
  @ApiProperty({ type: [String], enum: PERMISSION_NAMES, example: ['provider.view', 'provider.collect'] })
  @IsArray()
  @ArrayUnique()
  @IsIn(PERMISSION_NAMES, { each: true })
  permissions: string[];
  @ApiProperty({
    enum: CONTENT_TYPES,
    nullable: true,
    description: 'What the role is assigned on; null for a global role.',
  })
  @ValidateIf((_o, v) => v !== null)
  @IsIn(CONTENT_TYPES)
  content_type: string | null;
}

export class UpdateRoleDefinitionDto {
  @ApiPropertyOptional() @OptionalField() @IsString() @Length(1, 255) name?: string;
  @ApiPropertyOptional() @OptionalField() @IsString() @MaxLength(10000) description?: string;
  @ApiPropertyOptional({ type: [String], enum: PERMISSION_NAMES })
  @OptionalField()
  @IsArray()
  @ArrayUnique()
  @IsIn(PERMISSION_NAMES, { each: true })
  permissions?: string[];
}

export class RoleAssignmentDto {
  @ApiProperty() id: number;
  @ApiProperty() role_definition: number;
  @ApiProperty({ example: 'Organization Member' }) role_name: string;
  @ApiProperty({ enum: CONTENT_TYPES, nullable: true }) content_type: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Organization or team id, or provider UUID; null for global.',
  })
  object_id: string | null;
  @ApiProperty({ enum: ['local', 'jwt'], description: 'jwt: kept in sync with gateway tokens.' })
  source: string;
  @ApiProperty({ type: Number, nullable: true }) created_by: number | null;
  @ApiProperty({ format: 'date-time' }) created: string;
}

export class RoleUserAssignmentDto extends RoleAssignmentDto {
  @ApiProperty() user: number;
  @ApiProperty() username: string;
}

export class RoleTeamAssignmentDto extends RoleAssignmentDto {
  @ApiProperty() team: number;
  @ApiProperty() team_name: string;
}

class CreateRoleAssignmentBase {
  @ApiProperty({ example: 3 }) @IsInt() @Min(1) role_definition: number;
  @ApiPropertyOptional({
    type: String,
    description:
      'The organization or team id, or provider UUID, the role is given on. Omit for a global role.',
    example: '1',
  })
  @OptionalField()
  @ValidateIf((_o, v) => v !== null)
  @Matches(/^(\d{1,9}|[0-9a-fA-F-]{36})$/, {
    message: 'object_id must be an organization/team id or a provider UUID',
  })
  object_id?: string | null;
}

export class CreateRoleUserAssignmentDto extends CreateRoleAssignmentBase {
  @ApiProperty({ example: 5 }) @IsInt() @Min(1) user: number;
}

export class CreateRoleTeamAssignmentDto extends CreateRoleAssignmentBase {
  @ApiProperty({ example: 2 }) @IsInt() @Min(1) team: number;
}

export class ActivityEntryDto {
  @ApiProperty({ example: '42' }) id: string;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ type: Number, nullable: true }) actor: number | null;
  @ApiProperty({ example: 'admin' }) actor_username: string;
  @ApiProperty({ example: 'update', description: 'create, update, delete, or an action such as add_member.' })
  operation: string;
  @ApiProperty({ example: 'provider' }) object_type: string;
  @ApiProperty() object_id: string;
  @ApiProperty({ example: 'Home Lab vCenter' }) object_repr: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { enabled: [true, false] } })
  changes: Record<string, unknown>;
  @ApiProperty({ type: Number, nullable: true }) organization: number | null;
}

export class FeatureFlagDto {
  @ApiProperty({ example: 'gateway_auth' }) name: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty() description: string;
}

export class ServiceIndexDto {
  @ApiProperty({ example: 'inventory' }) service: string;
  @ApiProperty({ example: '0.1.0' }) version: string;
  @ApiProperty({ example: '/api/inventory/v1/' }) api_prefix: string;
  @ApiProperty({ example: 'inventory' }) gateway_slug: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) endpoints: Record<
    string,
    string
  >;
}
