import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsInt,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { OptionalField } from '../../common/http/validators.js';

/** No `=` (the `key=value` syntax splits at the first one), no control characters, no spaces at either end. */
const KEY_PATTERN = /^(?!\s)(?:(?!\p{Cc})[^=])+(?<!\s)$/u;
const VALUE_PATTERN = /^\P{Cc}*$/u;

/** Body of POST /tags/. */
export class CreateTagDto {
  @ApiProperty({ description: 'Organization id.', example: 1 })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  organization: number;

  @ApiProperty({ example: 'env', maxLength: 255, description: 'No `=`, no spaces at either end.' })
  @IsString()
  @Length(1, 255)
  @Matches(KEY_PATTERN, {
    message: 'key must not contain "=" or control characters, nor start or end with a space',
  })
  key: string;

  @ApiPropertyOptional({ example: 'prod', maxLength: 255, default: '' })
  @OptionalField()
  @IsString()
  @MaxLength(255)
  @Matches(VALUE_PATTERN, { message: 'value must not contain control characters' })
  value?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '4caf50',
    description: 'Six hex digits (as NetBox), without `#`; null: none.',
  })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsString()
  @Matches(/^[0-9a-fA-F]{6}$/, { message: 'color must be six hex digits, e.g. 4caf50' })
  color?: string | null;

  @ApiPropertyOptional({ default: '', maxLength: 2000 })
  @OptionalField()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

/** Body of PATCH /tags/{id}/ (the organization cannot change). */
export class UpdateTagDto extends PartialType(CreateTagDto, { skipNullProperties: false }) {}

export class TagDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty({ example: 'env' }) key: string;
  @ApiProperty({ example: 'prod' }) value: string;
  @ApiProperty({
    example: 'env=prod',
    description: 'key=value, as `?tag=` and the tagging endpoints spell it.',
  })
  name: string;
  @ApiProperty({ type: String, nullable: true, example: '4caf50' }) color: string | null;
  @ApiProperty() description: string;
  @ApiProperty({ description: 'Resources carrying it.' }) resource_count: number;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export interface TagRow {
  id: string;
  organization_id: number;
  key: string;
  value: string;
  color: string | null;
  description: string;
  resource_count: number;
  created: Date;
  modified: Date;
}

export const toTagDto = (row: TagRow): TagDto => ({
  id: row.id,
  organization: row.organization_id,
  key: row.key,
  value: row.value,
  name: `${row.key}=${row.value}`,
  color: row.color,
  description: row.description,
  resource_count: Number(row.resource_count),
  created: row.created.toISOString(),
  modified: row.modified.toISOString(),
});

/** One tag of a resource, of either kind. */
export class ResourceTagDto {
  @ApiProperty({
    enum: ['provider', 'user'],
    description:
      "provider: from the resource's `provider_tags` (collections own them); user: a tag of /tags/.",
  })
  kind: 'provider' | 'user';
  @ApiProperty({ example: 'env' }) key: string;
  @ApiProperty({
    example: 'prod',
    description: 'Text (a provider tag value that is not a string is its JSON text).',
  })
  value: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The user tag (null for provider tags).',
  })
  id: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'User tags: its colour.' }) color: string | null;
}

const TAG_REFS: ApiPropertyOptions & { description: string } = {
  type: [String],
  example: ['env=prod', 'team=web'],
  description: 'Tags as `key=value` (split at the first `=`; no `=`: the value is empty). At most 100.',
};

/** An optional list of up to 100 `key=value` tag references; `what` starts its description. */
const TagRefsField = (what: string) =>
  applyDecorators(
    ApiPropertyOptional({ ...TAG_REFS, description: `${what} ${TAG_REFS.description}` }),
    OptionalField(),
    IsArray(),
    ArrayMaxSize(100),
    IsString({ each: true }),
    MaxLength(511, { each: true }),
  );

/** Body of POST /resources/{id}/tags/: either `set`, or `add` and/or `remove`. */
export class ChangeResourceTagsDto {
  @TagRefsField('The user tags the resource carries afterwards (others come off).')
  set?: string[];

  @TagRefsField('User tags to put on.')
  add?: string[];

  @TagRefsField('User tags to take off.')
  remove?: string[];
}

/** Body of POST /resources/tags/: tag or untag every resource a filter selects. */
export class BulkResourceTagsDto {
  @ApiProperty({ description: 'The organization whose resources (and tags) this works on.', example: 1 })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  organization: number;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }],
    example: 'resource_type=virtual_machine&state=running&tag=env=prod',
    description:
      'The resources list\'s filters: its query string, or an object of the same parameters ({"state": ["running"]}). Every filter, lookup and `search` of GET /resources/; paging and ordering parameters are refused; at least one parameter.',
  })
  @IsDefined()
  filter: unknown;

  @TagRefsField('User tags to put on.')
  add?: string[];

  @TagRefsField('User tags to take off.')
  remove?: string[];
}

export class BulkResourceTagsResultDto {
  @ApiProperty({ description: 'Resources the filter selected (that you may tag).' }) matched: number;
  @ApiProperty({ description: 'Resources that got at least one of the tags.' }) tagged: number;
  @ApiProperty({ description: 'Resources that lost at least one of the tags.' }) untagged: number;
}

/** `key=value` → its parts (split at the first `=`; none: an empty value). */
export function parseTagRef(ref: string): { key: string; value: string } {
  const at = ref.indexOf('=');
  return at < 0 ? { key: ref, value: '' } : { key: ref.slice(0, at), value: ref.slice(at + 1) };
}

/** A resource's tags of both kinds: its provider tags (in key order), then its user tags. */
export function resourceTagsOf(
  providerTags: Record<string, unknown>,
  userTags: { id: string; key: string; value: string; color: string | null }[],
): ResourceTagDto[] {
  const provided: ResourceTagDto[] = Object.keys(providerTags)
    .sort()
    .map((key) => {
      const value = providerTags[key];
      return {
        kind: 'provider',
        key,
        value: typeof value === 'string' ? value : JSON.stringify(value),
        id: null,
        color: null,
      };
    });
  return [
    ...provided,
    ...userTags.map((t): ResourceTagDto => ({
      kind: 'user',
      key: t.key,
      value: t.value,
      id: t.id,
      color: t.color,
    })),
  ];
}
