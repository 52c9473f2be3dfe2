import { Module } from '@nestjs/common';
import { ResourceRelationshipsController } from './resource-relationships.controller.js';
import { ResourceRelationshipsService } from './resource-relationships.service.js';

@Module({ controllers: [ResourceRelationshipsController], providers: [ResourceRelationshipsService] })
export class RelationshipsModule {}
