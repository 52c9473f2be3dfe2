import { ApiProperty } from '@nestjs/swagger';

export class ResourceSummaryGroupDto {
  @ApiProperty({
    description:
      "One key per group_by field holding the group's value (an id for resource_type, category, provider and organization, with their `*_slug`/`*_name` labels beside it; a date for `…:day`/`…:week`; null when the resources have none), then `count`.",
    example: 14,
  })
  count: number;
  [key: string]: unknown;
}

export class ResourceSummaryDto {
  @ApiProperty({ type: [String], example: ['resource_type'] }) group_by: string[];
  @ApiProperty({ description: 'Resources matched by the filters (all groups).', example: 27 }) count: number;
  @ApiProperty({ description: 'How many groups there are (at most 1000 are listed, largest first).' })
  group_count: number;
  @ApiProperty({ description: 'True when more groups exist than are listed.' }) truncated: boolean;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [
      {
        resource_type: '6f1c…',
        resource_type_slug: 'virtual_machine',
        resource_type_name: 'Virtual Machine',
        count: 14,
      },
    ],
  })
  groups: ResourceSummaryGroupDto[];
}
