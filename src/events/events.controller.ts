import { applyDecorators, Controller, Get, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { RequestUrl } from '../common/list/list.decorators.js';
import { EVENT_PAYLOAD_MODELS, EventPageDto } from './dto/event.dto.js';
import { EVENT_SEVERITIES, EVENT_TYPES } from './event.enums.js';
import { MAX_EVENT_LIMIT, parseEventQuery, EventsService } from './events.service.js';

/** The query parameters of the event readers (the list and the stream). */
export function applyEventQuery(withLimit: boolean) {
  return applyDecorators(
    ApiQuery({
      name: 'after',
      required: false,
      type: Number,
      description: 'A cursor: only events after this id (the stream also takes `Last-Event-ID`).',
    }),
    ...(withLimit
      ? [
          ApiQuery({
            name: 'limit',
            required: false,
            type: Number,
            description: `1 to ${MAX_EVENT_LIMIT}, default 100.`,
          }),
        ]
      : []),
    ApiQuery({
      name: 'type',
      required: false,
      isArray: true,
      type: String,
      description: `Repeatable; a type (${EVENT_TYPES.join(', ')}) or a prefix such as \`resource.*\`.`,
    }),
    ApiQuery({ name: 'organization', required: false, isArray: true, type: Number }),
    ApiQuery({ name: 'provider', required: false, isArray: true, type: String }),
    ApiQuery({ name: 'resource', required: false, isArray: true, type: String }),
    ApiQuery({ name: 'severity_min', required: false, enum: EVENT_SEVERITIES }),
  );
}

@ApiTags('events')
@ApiExtraModels(...EVENT_PAYLOAD_MODELS)
@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiEndpoint({
    summary: 'Read the event log, oldest first, by cursor',
    description:
      'Keyset pagination: `next` (and `cursor`) carry the cursor; an event whose transaction commits late is never skipped. ' +
      'Events are scoped like the objects they describe (system events by system.view, the rest by provider.view).',
  })
  @ApiOkResponse({ type: EventPageDto })
  @applyEventQuery(true)
  async list(
    @CurrentActor() actor: Actor,
    @Query() query: Record<string, string | string[]>,
    @RequestUrl() base: string,
  ): Promise<EventPageDto> {
    const parsed = parseEventQuery(query);
    const page = await this.events.readVisible(actor, parsed.after ?? 0, parsed.filters, parsed.limit);
    let next: string | null = null;
    if (!page.caughtUp) {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        if (name === 'after') continue;
        for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
      }
      search.set('after', String(page.cursor));
      next = `${base}?${search.toString()}`;
    }
    return { results: page.events, cursor: page.cursor, next };
  }
}
