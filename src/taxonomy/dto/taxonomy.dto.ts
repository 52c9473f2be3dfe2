import { ApiProperty } from '@nestjs/swagger';

export class ResourceCategoryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'compute' }) slug: string;
  @ApiProperty({ example: 'Compute' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 10 }) sort_order: number;
  @ApiProperty({ description: 'Number of resource types in the category.', example: 9 })
  resource_type_count: number;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export class ResourceTypeDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'virtual_machine' }) slug: string;
  @ApiProperty({ example: 'Virtual Machine' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({ format: 'uuid' }) category: string;
  @ApiProperty({ example: 'compute' }) category_slug: string;
  @ApiProperty({ example: 'Compute' }) category_name: string;
  @ApiProperty({ description: 'Counts toward inventory totals.' }) is_countable: boolean;
  @ApiProperty() sort_order: number;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export class VendorTypeMappingDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'vmware' }) vendor: string;
  @ApiProperty({ example: 'VirtualMachine' }) vendor_resource_type: string;
  @ApiProperty({ format: 'uuid' }) resource_type: string;
  @ApiProperty({ example: 'virtual_machine' }) resource_type_slug: string;
  @ApiProperty({ example: 'vmware.vmware' }) ansible_collection: string;
  @ApiProperty() description: string;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}
