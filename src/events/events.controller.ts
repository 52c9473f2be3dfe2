import { applyDecorators, Controller, Get, Headers, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InvalidQueryError } from '../common/errors.js';
import { EventStreamsService } from './event-streams.service.js';
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
  constructor(
    private readonly events: EventsService,
    private readonly streams: EventStreamsService,
  ) {}

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

  @Get('stream')
  @ApiEndpoint({
    summary: 'Follow the event log as Server-Sent Events',
    description:
      'Each event is sent as `id: <cursor>`, `event: <type>`, `data: <the event as JSON>`. Resume with the ' +
      '`Last-Event-ID` header (browsers send it when they reconnect) or `?after=`: no gap and no duplicate. ' +
      'Without either, the stream starts at the current end of the log. A comment line comes at least every 15 s; ' +
      'a client that does not keep up gets a final `event: overflow` and is disconnected; streams end when the ' +
      'service shuts down. Same filters and scoping as `GET /events/`.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received.' })
  @ApiOkResponse({ description: 'A text/event-stream of events.', schema: { type: 'string' } })
  @applyEventQuery(false)
  async stream(
    @CurrentActor() actor: Actor,
    @Query() query: Record<string, string | string[]>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if ('limit' in query)
      throw new InvalidQueryError('limit', 'the stream has no limit; it sends every event');
    const parsed = parseEventQuery(query);
    let after = parsed.after;
    if (lastEventId !== undefined && lastEventId !== '') {
      if (!/^\d{1,15}$/.test(lastEventId.trim()))
        throw new InvalidQueryError('Last-Event-ID', 'must be an event id (a non-negative integer)');
      after = Number(lastEventId.trim());
    }
    await this.streams.serve(actor, after, parsed.filters, reply);
  }
}
