import { Module } from '@nestjs/common';
import { SightingsModule } from '../sightings/sightings.module.js';
import { AnsibleInventoryController, AnsibleInventoryService } from './ansible-inventory.controller.js';
import { MachinesController } from './machines.controller.js';
import { MachinesService } from './machines.service.js';
import { ResourcesController } from './resources.controller.js';
import { ResourcesService } from './resources.service.js';

@Module({
  imports: [SightingsModule],
  controllers: [ResourcesController, MachinesController, AnsibleInventoryController],
  providers: [ResourcesService, MachinesService, AnsibleInventoryService],
  exports: [ResourcesService],
})
export class ResourcesModule {}
