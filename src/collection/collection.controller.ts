import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import { CollectionService } from './collection.service.js';
import { CollectionRunDto, CollectRequestDto } from './dto/collection-run.dto.js';

@ApiTags('collection-runs')
@Controller()
export class CollectionController {
  constructor(private readonly collection: CollectionService) {}

  @Post('providers/:id/collect')
  @HttpCode(202)
  @ApiEndpoint({
    summary: 'Start a collection run of the provider',
    description:
      '404 unknown provider, 403 not allowed, 409 disabled provider, 409 (with `collection_run`) when a run is already pending or running, 400 bad body, else 202 with the pending run.',
    errors: [401, 403, 404, 409],
  })
  @ApiBody({ type: CollectRequestDto, required: false })
  @ApiAcceptedResponse({ type: CollectionRunDto })
  collect(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string, @Body() body: unknown) {
    return this.collection.collect(actor, id, body);
  }

  @Post('collection-runs/:id/cancel')
  @HttpCode(200)
  @ApiEndpoint({ summary: 'Cancel a pending or running collection run', errors: [401, 403, 404, 409] })
  @ApiOkResponse({ type: CollectionRunDto })
  cancel(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.collection.cancel(actor, id);
  }
}
