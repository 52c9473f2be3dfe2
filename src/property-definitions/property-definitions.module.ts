import { Module } from '@nestjs/common';
import { PropertyDefinitionsController } from './property-definitions.controller.js';
import { PropertyDefinitionsService } from './property-definitions.service.js';

@Module({ controllers: [PropertyDefinitionsController], providers: [PropertyDefinitionsService] })
export class PropertyDefinitionsModule {}
