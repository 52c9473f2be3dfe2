import { Module } from '@nestjs/common';
import {
  ResourceCategoriesController,
  ResourceTypesController,
  VendorTypeMappingsController,
} from './taxonomy.controller.js';
import { TaxonomyService } from './taxonomy.service.js';

@Module({
  controllers: [ResourceCategoriesController, ResourceTypesController, VendorTypeMappingsController],
  providers: [TaxonomyService],
  exports: [TaxonomyService],
})
export class TaxonomyModule {}
