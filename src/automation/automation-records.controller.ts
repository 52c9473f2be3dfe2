import {
  Body,
  type CallHandler,
  Controller,
  type ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  type NestInterceptor,
  Param,
  Post,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ValidationFailedError } from '../common/errors.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { AUTOMATION_RECORD_LIST, RESOURCE_AUTOMATION_LIST } from './automation.list-spec.js';
import { AutomationRecordsService } from './automation-records.service.js';
import {
  AutomationPostResultDto,
  AutomationRecordDto,
  AutomationRecordResultDto,
  MAX_RECORDS_PER_REQUEST,
  PostAutomationRecordsDto,
} from './dto/automation-record.dto.js';

/** The route whose body limit is AUTOMATION_MAX_BODY_MB (installHttpHooks). */
export const AUTOMATION_RECORDS_ROUTE = /(^|\/)automation-records\/?$/;

/**
 * More than MAX_RECORDS_PER_REQUEST records: a 400 naming the limit before the
 * validation pipe walks every one of them (interceptors run before pipes).
 */
@Injectable()
class RecordLimitInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    const records =
      typeof body === 'object' && body !== null ? (body as { records?: unknown }).records : undefined;
    if (Array.isArray(records) && records.length > MAX_RECORDS_PER_REQUEST)
      throw new ValidationFailedError(
        { records: [`At most ${MAX_RECORDS_PER_REQUEST} records per request (got ${records.length}).`] },
        `At most ${MAX_RECORDS_PER_REQUEST} records per request (got ${records.length}); post them in batches.`,
      );
    return next.handle();
  }
}

@ApiTags('automation')
@ApiExtraModels(AutomationRecordResultDto)
@Controller('automation-records')
export class AutomationRecordsController {
  constructor(private readonly records: AutomationRecordsService) {}

  @Get()
  @ApiEndpoint({ summary: 'List automation records (automation_record.view)', errors: [401] })
  @ApiListQuery(AUTOMATION_RECORD_LIST)
  @ApiPaginatedResponse(AutomationRecordDto)
  list(@CurrentActor() actor: Actor, @ListQuery(AUTOMATION_RECORD_LIST) query: ParsedListQuery) {
    return this.records.list(actor, query);
  }

  @Post()
  @HttpCode(200)
  @UseInterceptors(RecordLimitInterceptor)
  @ApiEndpoint({
    summary: 'Post the per-host results of automation jobs (automation_record.add)',
    description:
      `Up to ${MAX_RECORDS_PER_REQUEST} records, one per host of a job. A record is kept once per ` +
      '(organization, job_id, host_name): posting the same pair again updates it and matches it again ' +
      '(unless a person confirmed its match). Each record is matched to a resource of the organization by ' +
      'the first rule (AUTOMATION_MATCH_RULES) that finds a candidate; a lone candidate at or above ' +
      'AUTOMATION_AUTO_MATCH_THRESHOLD is the match, others wait in /pending-matches/. ' +
      'Invalid records are named by index (`records.3.status`); nothing is written then.',
    errors: [401, 403, 413],
  })
  @ApiOkResponse({ type: AutomationPostResultDto })
  post(@CurrentActor() actor: Actor, @Body() body: PostAutomationRecordsDto) {
    return this.records.post(actor, body);
  }
}

@ApiTags('automation')
@Controller('resources')
export class ResourceAutomationsController {
  constructor(private readonly records: AutomationRecordsService) {}

  @Get(':id/automations')
  @ApiEndpoint({
    summary: 'The automation records matched to a resource, newest first (automation_record.view)',
    errors: [401, 404],
  })
  @ApiListQuery(RESOURCE_AUTOMATION_LIST)
  @ApiPaginatedResponse(AutomationRecordDto)
  list(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @ListQuery(RESOURCE_AUTOMATION_LIST) query: ParsedListQuery,
  ) {
    return this.records.listForResource(actor, id, query);
  }
}
