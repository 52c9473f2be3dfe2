import { Global, Module } from '@nestjs/common';
import { ActivityService } from './activity.service.js';
import { OrganizationsService } from './organizations.service.js';
import {
  ActivityStreamController,
  OrganizationsController,
  RoleDefinitionsController,
  RoleTeamAssignmentsController,
  RoleUserAssignmentsController,
  ServiceInfoController,
  TeamsController,
  UsersController,
} from './platform.controllers.js';
import { RoleAssignmentsService } from './role-assignments.service.js';
import { RoleDefinitionsService } from './role-definitions.service.js';
import { TeamsService } from './teams.service.js';
import { UsersService } from './users.service.js';

/** Organizations, teams, users, roles, the activity stream and service information. */
@Global()
@Module({
  controllers: [
    OrganizationsController,
    TeamsController,
    UsersController,
    RoleDefinitionsController,
    RoleUserAssignmentsController,
    RoleTeamAssignmentsController,
    ActivityStreamController,
    ServiceInfoController,
  ],
  providers: [
    ActivityService,
    OrganizationsService,
    TeamsService,
    UsersService,
    RoleDefinitionsService,
    RoleAssignmentsService,
  ],
  exports: [ActivityService, OrganizationsService],
})
export class PlatformModule {}
