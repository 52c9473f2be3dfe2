import { Module } from '@nestjs/common';
import { ResourceSightingsController } from './resource-sightings.controller.js';
import { ResourceSightingsService } from './resource-sightings.service.js';

@Module({
  controllers: [ResourceSightingsController],
  providers: [ResourceSightingsService],
  exports: [ResourceSightingsService],
})
export class SightingsModule {}
