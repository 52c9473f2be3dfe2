import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { ResourceDto } from '../resources/dto/resource.dto.js';
import { RESOURCE_LIST } from '../resources/resource.list-spec.js';
import {
  CreateWatchlistDto,
  UpdateWatchlistDto,
  WatchlistDto,
  WatchlistResourcesDto,
  WatchlistResourcesResultDto,
} from './dto/watchlist.dto.js';
import { WATCHLIST_LIST } from './watchlist.list-spec.js';
import { WatchlistsService } from './watchlists.service.js';

@ApiTags('watchlists')
@Controller('watchlists')
export class WatchlistsController {
  constructor(private readonly watchlists: WatchlistsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List watchlists (watchlist.view)', errors: [401] })
  @ApiListQuery(WATCHLIST_LIST)
  @ApiPaginatedResponse(WatchlistDto)
  list(@CurrentActor() actor: Actor, @ListQuery(WATCHLIST_LIST) query: ParsedListQuery) {
    return this.watchlists.list(actor, query);
  }

  @Post()
  @ApiEndpoint({
    summary: 'Create a watchlist (watchlist.add)',
    description:
      'static: `resource_ids` it starts with; dynamic: `filter_query`, checked now (a bad parameter is a 400 naming it) and evaluated at once. Names are unique per organization.',
    errors: [401, 403],
  })
  @ApiCreatedResponse({ type: WatchlistDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateWatchlistDto) {
    return this.watchlists.create(actor, body);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a watchlist', errors: [401, 404] })
  @ApiOkResponse({ type: WatchlistDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.watchlists.get(actor, id);
  }

  @Patch(':id')
  @ApiEndpoint({
    summary: 'Change a watchlist (watchlist.change)',
    description:
      'A new `filter_query` of a dynamic list is evaluated at once: the members it adds and drops are `watchlist.member_added` / `watchlist.member_removed` events.',
    errors: [401, 403, 404],
  })
  @ApiOkResponse({ type: WatchlistDto })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateWatchlistDto,
  ) {
    return this.watchlists.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({ summary: 'Delete a watchlist (watchlist.delete)', errors: [401, 403, 404] })
  @ApiNoContentResponse({ description: 'Deleted.' })
  remove(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.watchlists.remove(actor, id);
  }

  @Get(':id/resources')
  @ApiEndpoint({
    summary: "A watchlist's current members, with every filter, ordering and paging of the resources list",
    description:
      'Static lists: the chosen resources. Dynamic lists: the saved filter evaluated now (the stored membership behind the events catches up within WATCHLIST_EVALUATION_SECONDS). Only resources you can see.',
    errors: [401, 404],
  })
  @ApiListQuery(RESOURCE_LIST)
  @ApiPaginatedResponse(ResourceDto)
  resources(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @ListQuery(RESOURCE_LIST) query: ParsedListQuery,
  ) {
    return this.watchlists.listResources(actor, id, query);
  }

  @Post(':id/resources/add')
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Add resources to a static watchlist (watchlist.change)',
    description:
      'Resources of its organization; one `watchlist.member_added` event per resource that joined.',
    errors: [401, 403, 404],
  })
  @ApiOkResponse({ type: WatchlistResourcesResultDto })
  add(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: WatchlistResourcesDto,
  ) {
    return this.watchlists.chooseResources(actor, id, 'add', body.resource_ids);
  }

  @Post(':id/resources/remove')
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Remove resources from a static watchlist (watchlist.change)',
    description: 'One `watchlist.member_removed` event per resource that left.',
    errors: [401, 403, 404],
  })
  @ApiOkResponse({ type: WatchlistResourcesResultDto })
  removeResources(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: WatchlistResourcesDto,
  ) {
    return this.watchlists.chooseResources(actor, id, 'remove', body.resource_ids);
  }
}
