import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import {
  Allow,
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { OptionalField } from '../../common/http/validators.js';
import { WATCHLIST_TYPES } from '../watchlist.entity.js';

const FILTER_QUERY_DOC = {
  oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }],
  example: { resource_type: ['virtual_machine'], tag: ['env=prod'] },
  description:
    "Dynamic lists: the resources list's filters, as its query string (`resource_type=virtual_machine&tag=env=prod`) or an object of the same parameters; checked when saved (a bad one is a 400 naming `filter_query.<parameter>`), answered as an object of lists. Every filter, lookup and `search` of GET /resources/; paging and ordering parameters are refused.",
};

/** Body of POST /watchlists/. */
export class CreateWatchlistDto {
  @ApiProperty({ description: 'Organization id.', example: 1 })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  organization: number;

  @ApiProperty({ example: 'Production VMs', maxLength: 255 })
  @IsString()
  @Length(1, 255)
  name: string;

  @ApiPropertyOptional({ default: '', maxLength: 2000 })
  @OptionalField()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({
    enum: WATCHLIST_TYPES,
    description: 'static: chosen resources; dynamic: a saved resources filter.',
  })
  @IsIn(WATCHLIST_TYPES)
  watchlist_type: 'static' | 'dynamic';

  @ApiPropertyOptional({
    ...FILTER_QUERY_DOC,
    description: `${FILTER_QUERY_DOC.description} Required for dynamic lists, refused for static ones.`,
  })
  @Allow()
  filter_query?: unknown;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Static lists: the resources it starts with (of its organization, at most 1000).',
  })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  resource_ids?: string[];
}

/** Body of PATCH /watchlists/{id}/ (organization and type cannot change). */
export class UpdateWatchlistDto extends PartialType(OmitType(CreateWatchlistDto, ['resource_ids'] as const), {
  skipNullProperties: false,
}) {}

/** Body of POST /watchlists/{id}/resources/add/ and .../remove/. */
export class WatchlistResourcesDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'Resources of the watchlist’s organization (at most 1000).',
  })
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  resource_ids: string[];
}

export class WatchlistResourcesResultDto {
  @ApiProperty({ example: 'Added 2 resources.' }) detail: string;
  @ApiProperty({ description: 'Members that joined or left (resources already in, or not in, count 0).' })
  changed: number;
  @ApiProperty({ description: 'Members now.' }) resource_count: number;
}

export class WatchlistDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: WATCHLIST_TYPES }) watchlist_type: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    nullable: true,
    example: { tag: ['env=prod'] },
    description: 'Dynamic lists: the saved filter (parameter → values); null for static lists.',
  })
  filter_query: Record<string, string[]> | null;
  @ApiProperty({ type: Number, nullable: true, description: 'User id.' }) created_by: number | null;
  @ApiProperty({
    description:
      'Members: the chosen resources, or the matches of the last evaluation (see evaluated_at) for dynamic lists.',
  })
  resource_count: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Dynamic lists: when the stored membership was last evaluated.',
  })
  evaluated_at: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export interface WatchlistRow {
  id: string;
  organization_id: number;
  name: string;
  description: string;
  watchlist_type: string;
  filter_query: Record<string, string[]> | null;
  created_by_id: number | null;
  resource_count: number;
  evaluated_at: Date | null;
  created: Date;
  modified: Date;
}

export const toWatchlistDto = (row: WatchlistRow): WatchlistDto => ({
  id: row.id,
  organization: row.organization_id,
  name: row.name,
  description: row.description,
  watchlist_type: row.watchlist_type,
  filter_query: row.filter_query,
  created_by: row.created_by_id,
  resource_count: Number(row.resource_count),
  evaluated_at: row.evaluated_at?.toISOString() ?? null,
  created: row.created.toISOString(),
  modified: row.modified.toISOString(),
});
