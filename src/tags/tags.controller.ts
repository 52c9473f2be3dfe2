import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import {
  BulkResourceTagsDto,
  BulkResourceTagsResultDto,
  ChangeResourceTagsDto,
  CreateTagDto,
  ResourceTagDto,
  TagDto,
  UpdateTagDto,
} from './dto/tag.dto.js';
import { TAG_LIST } from './tag.list-spec.js';
import { TagsService } from './tags.service.js';

@ApiTags('tags')
@Controller('tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List user tags (tag.view)', errors: [401] })
  @ApiListQuery(TAG_LIST)
  @ApiPaginatedResponse(TagDto)
  list(@CurrentActor() actor: Actor, @ListQuery(TAG_LIST) query: ParsedListQuery) {
    return this.tags.list(actor, query);
  }

  @Post()
  @ApiEndpoint({
    summary: 'Create a user tag (tag.add)',
    description: 'Unique per organization, key and value (a duplicate is a 400).',
    errors: [401, 403],
  })
  @ApiCreatedResponse({ type: TagDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateTagDto) {
    return this.tags.create(actor, body);
  }

  @Get(':id')
  @ApiEndpoint({ summary: 'Get a user tag', errors: [401, 404] })
  @ApiOkResponse({ type: TagDto })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.tags.get(actor, id);
  }

  @Patch(':id')
  @ApiEndpoint({
    summary: 'Change a user tag (tag.change)',
    description:
      'A new key or value renames it on every resource that carries it: each gets a `resource.untagged` event (the old key=value) and a `resource.tagged` one (the new).',
    errors: [401, 403, 404],
  })
  @ApiOkResponse({ type: TagDto })
  update(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string, @Body() body: UpdateTagDto) {
    return this.tags.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiEndpoint({
    summary: 'Delete a user tag (tag.delete)',
    description: 'It comes off every resource (a `resource.untagged` event each).',
    errors: [401, 403, 404],
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  remove(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.tags.remove(actor, id);
  }
}

/** Tagging resources: /resources/{id}/tags/ and bulk by filter at /resources/tags/. */
@ApiTags('resources')
@Controller('resources')
export class ResourceTagsController {
  constructor(private readonly tags: TagsService) {}

  @Post('tags')
  @HttpCode(200)
  @ApiEndpoint({
    summary: 'Tag or untag every resource a filter selects (resource.tag)',
    description:
      "`filter` takes the resources list's own filters (its query string or an object of them). Only resources of `organization` that you can see and tag are touched; tags must exist there (unknown ones are a 400). One `resource.tagged` / `resource.untagged` event per resource that changed.",
    errors: [401, 403],
  })
  @ApiOkResponse({ type: BulkResourceTagsResultDto })
  bulk(@CurrentActor() actor: Actor, @Body() body: BulkResourceTagsDto) {
    return this.tags.bulk(actor, body);
  }

  @Get(':id/tags')
  @ApiEndpoint({
    summary: "A resource's tags, both kinds (provider tags first, then user tags)",
    errors: [401, 404],
  })
  @ApiOkResponse({ type: [ResourceTagDto] })
  list(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.tags.resourceTags(actor, id);
  }

  @Post(':id/tags')
  @HttpCode(200)
  @ApiEndpoint({
    summary: "Change a resource's user tags (resource.tag)",
    description:
      '`set` replaces its user tags; `add` and `remove` change some. Tags are `key=value` and must exist in its organization (unknown ones are a 400: create them with POST /tags/ first, as NetBox wants). Provider tags are not touched. Answers its tags of both kinds.',
    errors: [401, 403, 404],
  })
  @ApiOkResponse({ type: [ResourceTagDto] })
  change(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: ChangeResourceTagsDto,
  ) {
    return this.tags.changeResourceTags(actor, id, body);
  }
}
