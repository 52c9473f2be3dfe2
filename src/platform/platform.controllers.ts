import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { AuthenticationService } from '../auth/authentication.service.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { IntParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import {
  ApiListQuery,
  ApiPaginatedResponse,
  ListQuery,
  requestBase,
} from '../common/list/list.decorators.js';
import { wholeList } from '../common/list/page.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { API_PREFIX, SERVICE_NAME, VERSION } from '../version.js';
import { ActivityService } from './activity.service.js';
import {
  ActivityEntryDto,
  CreateOrganizationDto,
  CreateRoleDefinitionDto,
  CreateRoleTeamAssignmentDto,
  CreateRoleUserAssignmentDto,
  CreateTeamDto,
  CreateUserDto,
  FeatureFlagDto,
  OrganizationDto,
  RoleDefinitionDto,
  RoleTeamAssignmentDto,
  RoleUserAssignmentDto,
  ServiceIndexDto,
  TeamDto,
  TeamMemberDto,
  UpdateOrganizationDto,
  UpdateRoleDefinitionDto,
  UpdateTeamDto,
  UpdateUserDto,
  UserDto,
  MeDto,
} from './dto/platform.dto.js';
import { OrganizationsService } from './organizations.service.js';
import {
  ACTIVITY_LIST,
  ORGANIZATION_LIST,
  ROLE_DEFINITION_LIST,
  ROLE_TEAM_ASSIGNMENT_LIST,
  ROLE_USER_ASSIGNMENT_LIST,
  TEAM_LIST,
  USER_LIST,
} from './platform.list-specs.js';
import { RoleAssignmentsService } from './role-assignments.service.js';
import { RoleDefinitionsService } from './role-definitions.service.js';
import { TeamsService } from './teams.service.js';
import { UsersService } from './users.service.js';

const Id = () => Param('id', IntParamPipe);

@ApiTags('platform')
@Controller('organizations')
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly teams: TeamsService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @ApiEndpoint({ summary: 'List organizations you can see', errors: [401] })
  @ApiListQuery(ORGANIZATION_LIST)
  @ApiPaginatedResponse(OrganizationDto)
  list(@CurrentActor() actor: Actor, @ListQuery(ORGANIZATION_LIST) query: ParsedListQuery) {
    return this.organizations.list(actor, query);
  }

  @Post()
  @ApiEndpoint({ summary: 'Create an organization (superusers)', errors: [401, 403] })
  @ApiCreatedResponse({ type: OrganizationDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateOrganizationDto) {
    return this.organizations.create(actor, body);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get an organization', errors: [401, 404] })
  @ApiOkResponse({ type: OrganizationDto })
  get(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.organizations.get(actor, id);
  }

  @Patch(':id')
  @ApiEndpoint({ summary: 'Update an organization (organization admins)', errors: [401, 403, 404] })
  @ApiOkResponse({ type: OrganizationDto })
  update(@CurrentActor() actor: Actor, @Id() id: number, @Body() body: UpdateOrganizationDto) {
    return this.organizations.update(actor, id, body);
  }

  @Put(':id')
  @ApiEndpoint({ summary: 'Replace an organization (organization admins)', errors: [401, 403, 404] })
  @ApiOkResponse({ type: OrganizationDto })
  replace(@CurrentActor() actor: Actor, @Id() id: number, @Body() body: CreateOrganizationDto) {
    return this.organizations.update(actor, id, { description: '', ...body });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({
    summary: 'Delete an organization without providers (superusers)',
    errors: [401, 403, 404, 409],
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  remove(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.organizations.remove(actor, id);
  }

  @Get(':id/teams')
  @ApiEndpoint({ summary: "List an organization's teams", errors: [401, 404] })
  @ApiListQuery(TEAM_LIST)
  @ApiPaginatedResponse(TeamDto)
  listTeams(@CurrentActor() actor: Actor, @Id() id: number, @ListQuery(TEAM_LIST) query: ParsedListQuery) {
    return this.teams.list(actor, query, id);
  }

  @Get(':id/users')
  @ApiEndpoint({ summary: 'List users holding a role in the organization or its teams', errors: [401, 404] })
  @ApiListQuery(USER_LIST)
  @ApiPaginatedResponse(UserDto)
  async listUsers(
    @CurrentActor() actor: Actor,
    @Id() id: number,
    @ListQuery(USER_LIST) query: ParsedListQuery,
  ) {
    await this.organizations.get(actor, id);
    return this.users.list(actor, query, id);
  }
}

@ApiTags('platform')
@Controller('teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List teams you can see', errors: [401] })
  @ApiListQuery(TEAM_LIST)
  @ApiPaginatedResponse(TeamDto)
  list(@CurrentActor() actor: Actor, @ListQuery(TEAM_LIST) query: ParsedListQuery) {
    return this.teams.list(actor, query);
  }

  @Post()
  @ApiEndpoint({ summary: 'Create a team (organization admins)', errors: [401, 403] })
  @ApiCreatedResponse({ type: TeamDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateTeamDto) {
    return this.teams.create(actor, body);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a team', errors: [401, 404] })
  @ApiOkResponse({ type: TeamDto })
  get(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.teams.get(actor, id);
  }

  @Patch(':id')
  @ApiEndpoint({ summary: 'Update a team', errors: [401, 403, 404] })
  @ApiOkResponse({ type: TeamDto })
  update(@CurrentActor() actor: Actor, @Id() id: number, @Body() body: UpdateTeamDto) {
    return this.teams.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Delete a team', errors: [401, 403, 404] })
  @ApiNoContentResponse({ description: 'Deleted.' })
  remove(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.teams.remove(actor, id);
  }

  @Get(':id/members')
  @ApiEndpoint({ summary: "List a team's members", errors: [401, 404] })
  @ApiListQuery(USER_LIST)
  @ApiPaginatedResponse(UserDto)
  members(@CurrentActor() actor: Actor, @Id() id: number, @ListQuery(USER_LIST) query: ParsedListQuery) {
    return this.teams.members(actor, id, query);
  }

  @Post(':id/members')
  @HttpCode(204)
  @ApiEndpoint({
    summary: 'Add a member (Team Member role, or Team Admin with admin=true)',
    errors: [401, 403, 404],
  })
  @ApiNoContentResponse({ description: 'Added (or already a member).' })
  addMember(@CurrentActor() actor: Actor, @Id() id: number, @Body() body: TeamMemberDto) {
    return this.teams.addMember(actor, id, body.user, body.admin ?? false);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Remove a member', errors: [401, 403, 404] })
  @ApiNoContentResponse({ description: 'Removed.' })
  removeMember(
    @CurrentActor() actor: Actor,
    @Id() id: number,
    @Param('userId', IntParamPipe) userId: number,
  ) {
    return this.teams.removeMember(actor, id, userId);
  }
}

@ApiTags('platform')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly roleAssignments: RoleAssignmentsService,
  ) {}

  @Get()
  @ApiEndpoint({ summary: 'List users you can see', errors: [401] })
  @ApiListQuery(USER_LIST)
  @ApiPaginatedResponse(UserDto)
  list(@CurrentActor() actor: Actor, @ListQuery(USER_LIST) query: ParsedListQuery) {
    return this.users.list(actor, query);
  }

  @Post()
  @ApiEndpoint({ summary: 'Create a local user (superusers)', errors: [401, 403] })
  @ApiCreatedResponse({ type: UserDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto) {
    return this.users.create(actor, body);
  }

  @Get('me')
  @ApiEndpoint({ summary: 'The calling user, with the roles it holds', errors: [401] })
  @ApiOkResponse({ type: MeDto })
  async me(@CurrentActor() actor: Actor): Promise<MeDto> {
    return { ...(await this.users.me(actor)), roles: await this.roleAssignments.rolesOf(actor.id) };
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a user', errors: [401, 404] })
  @ApiOkResponse({ type: UserDto })
  get(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.users.get(actor, id);
  }

  @Patch(':id')
  @ApiEndpoint({
    summary: 'Update a user (superusers; anyone for their own password, email and names)',
    errors: [401, 403, 404],
  })
  @ApiOkResponse({ type: UserDto })
  update(@CurrentActor() actor: Actor, @Id() id: number, @Body() body: UpdateUserDto) {
    return this.users.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Delete a user (superusers)', errors: [401, 403, 404, 409] })
  @ApiNoContentResponse({ description: 'Deleted.' })
  remove(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.users.remove(actor, id);
  }
}

@ApiTags('rbac')
@Controller('role_definitions')
export class RoleDefinitionsController {
  constructor(private readonly roles: RoleDefinitionsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List role definitions', errors: [401] })
  @ApiListQuery(ROLE_DEFINITION_LIST)
  @ApiPaginatedResponse(RoleDefinitionDto)
  list(@ListQuery(ROLE_DEFINITION_LIST) query: ParsedListQuery) {
    return this.roles.list(query);
  }

  @Post()
  @ApiEndpoint({
    summary: 'Create a custom role definition (superusers and organization admins)',
    errors: [401, 403],
  })
  @ApiCreatedResponse({ type: RoleDefinitionDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateRoleDefinitionDto) {
    return this.roles.create(actor, body);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a role definition', errors: [401, 404] })
  @ApiOkResponse({ type: RoleDefinitionDto })
  get(@Id() id: number) {
    return this.roles.get(id);
  }

  @Patch(':id')
  @ApiEndpoint({ summary: 'Update a custom role definition (superusers)', errors: [401, 403, 404, 409] })
  @ApiOkResponse({ type: RoleDefinitionDto })
  update(@CurrentActor() actor: Actor, @Id() id: number, @Body() body: UpdateRoleDefinitionDto) {
    return this.roles.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({
    summary: 'Delete a custom role definition and its assignments (superusers)',
    errors: [401, 403, 404, 409],
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  remove(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.roles.remove(actor, id);
  }
}

@ApiTags('rbac')
@Controller('role_user_assignments')
export class RoleUserAssignmentsController {
  constructor(private readonly assignments: RoleAssignmentsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List role assignments to users', errors: [401] })
  @ApiListQuery(ROLE_USER_ASSIGNMENT_LIST)
  @ApiPaginatedResponse(RoleUserAssignmentDto)
  list(@CurrentActor() actor: Actor, @ListQuery(ROLE_USER_ASSIGNMENT_LIST) query: ParsedListQuery) {
    return this.assignments.list(actor, 'user', query);
  }

  @Post()
  @ApiEndpoint({ summary: 'Give a user a role', errors: [401, 403, 409] })
  @ApiCreatedResponse({ type: RoleUserAssignmentDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateRoleUserAssignmentDto) {
    return this.assignments.create(actor, 'user', { ...body, subjectId: body.user });
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a role assignment', errors: [401, 404] })
  @ApiOkResponse({ type: RoleUserAssignmentDto })
  get(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.assignments.get(actor, 'user', id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Take a role away', errors: [401, 403, 404] })
  @ApiNoContentResponse({ description: 'Removed.' })
  remove(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.assignments.remove(actor, 'user', id);
  }
}

@ApiTags('rbac')
@Controller('role_team_assignments')
export class RoleTeamAssignmentsController {
  constructor(private readonly assignments: RoleAssignmentsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List role assignments to teams (their members inherit them)', errors: [401] })
  @ApiListQuery(ROLE_TEAM_ASSIGNMENT_LIST)
  @ApiPaginatedResponse(RoleTeamAssignmentDto)
  list(@CurrentActor() actor: Actor, @ListQuery(ROLE_TEAM_ASSIGNMENT_LIST) query: ParsedListQuery) {
    return this.assignments.list(actor, 'team', query);
  }

  @Post()
  @ApiEndpoint({ summary: 'Give a team a role', errors: [401, 403, 409] })
  @ApiCreatedResponse({ type: RoleTeamAssignmentDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateRoleTeamAssignmentDto) {
    return this.assignments.create(actor, 'team', { ...body, subjectId: body.team });
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a role assignment', errors: [401, 404] })
  @ApiOkResponse({ type: RoleTeamAssignmentDto })
  get(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.assignments.get(actor, 'team', id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Take a role away from a team', errors: [401, 403, 404] })
  @ApiNoContentResponse({ description: 'Removed.' })
  remove(@CurrentActor() actor: Actor, @Id() id: number) {
    return this.assignments.remove(actor, 'team', id);
  }
}

@ApiTags('platform')
@Controller('activitystream')
export class ActivityStreamController {
  constructor(private readonly activity: ActivityService) {}

  @Get()
  @ApiEndpoint({ summary: 'The audit trail: who did what, newest first', errors: [401] })
  @ApiListQuery(ACTIVITY_LIST)
  @ApiPaginatedResponse(ActivityEntryDto)
  list(@CurrentActor() actor: Actor, @ListQuery(ACTIVITY_LIST) query: ParsedListQuery) {
    return this.activity.list(actor, query);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get an activity entry', errors: [401, 404] })
  @ApiOkResponse({ type: ActivityEntryDto })
  get(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.activity.get(actor, id);
  }
}

@ApiTags('platform')
@Controller()
export class ServiceInfoController {
  constructor(
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    private readonly authentication: AuthenticationService,
  ) {}

  @Get('feature_flags')
  @ApiEndpoint({ summary: 'Feature flags (from configuration)', errors: [401] })
  @ApiPaginatedResponse(FeatureFlagDto)
  featureFlags() {
    const flags: FeatureFlagDto[] = [
      {
        name: 'gateway_auth',
        enabled: this.authentication.gatewayConfigured,
        description: 'Gateway JWTs are accepted (GATEWAY_JWT_PUBLIC_KEY or _URL is set).',
      },
      {
        name: 'local_accounts',
        enabled: true,
        description: 'Local users sign in with HTTP Basic or tokens from `inventory token`.',
      },
      ...Object.entries(this.config.featureFlags).map(([name, enabled]) => ({
        name,
        enabled,
        description: `INVENTORY_FEATURE_${name.toUpperCase()}`,
      })),
    ].sort((a, b) => a.name.localeCompare(b.name));
    return wholeList(flags);
  }

  @Get('service-index')
  @ApiEndpoint({ summary: 'Service name, version and API prefix (for the gateway)', errors: [401] })
  @ApiOkResponse({ type: ServiceIndexDto })
  serviceIndex(@Req() request: FastifyRequest): ServiceIndexDto {
    const base = requestBase(request).replace(/service-index\/?$/, '');
    return {
      service: SERVICE_NAME,
      version: VERSION,
      api_prefix: `/${API_PREFIX}/`,
      gateway_slug: SERVICE_NAME,
      endpoints: {
        api: base,
        docs: `${base}docs/`,
        openapi: `${base}openapi.json`,
        health: `${base}health/`,
      },
    };
  }
}
