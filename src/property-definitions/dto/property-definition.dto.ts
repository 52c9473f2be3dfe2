import { ApiProperty } from '@nestjs/swagger';
import { PROPERTY_VALUE_TYPES } from '../property-definition.entity.js';

export class PropertyDefinitionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) resource_type: string;
  @ApiProperty({ example: 'virtual_machine' }) resource_type_slug: string;
  @ApiProperty({
    example: 'guest_id',
    description: 'The exact key collectors write into Resource.properties.',
  })
  key: string;
  @ApiProperty({ example: 'Guest OS identifier' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: PROPERTY_VALUE_TYPES }) value_type: string;
  @ApiProperty({ description: 'Collectors must populate this key.' }) required: boolean;
  @ApiProperty({ description: 'Empty: every vendor; otherwise only this vendor.', example: 'vmware' })
  vendor_scope: string;
  @ApiProperty({ example: 'rhel9_64Guest' }) example_value: string;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}
