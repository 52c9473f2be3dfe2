import { Controller, Get, Injectable, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { InvalidQueryError } from '../common/errors.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery } from '../common/list/list.decorators.js';
import { ResourcesService } from '../resources/resources.service.js';
import { FactSnapshotDto } from './dto/fact-snapshot.dto.js';
import { FACT_SNAPSHOT_KINDS } from './fact-snapshot.entity.js';
import { FACT_SNAPSHOT_LIST } from './fact-snapshot.list-spec.js';

const COLUMNS = `fs.id, fs.resource_id AS resource, fs.system_id AS system, fs.organization_id AS organization,
  fs.client_address, fs.received_at, fs.sha256, fs.size_bytes, fs.kind`;
const PAYLOAD = `, fs.system_facts, fs.package_facts, fs.local_facts`;

type SnapshotRow = Omit<FactSnapshotDto, 'received_at'> & { received_at: Date };
const toDto = (row: SnapshotRow): FactSnapshotDto => ({ ...row, received_at: row.received_at.toISOString() });

function withPayload(include: string | string[] | undefined): boolean {
  if (include === undefined || include === '') return false;
  if (include === 'payload') return true;
  throw new InvalidQueryError('include', 'the only accepted value is "payload".');
}

@Injectable()
export class FactSnapshotsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly resources: ResourcesService,
  ) {}

  async list(
    actor: Actor,
    id: string,
    query: ParsedListQuery,
    payload: boolean,
  ): Promise<Page<FactSnapshotDto>> {
    await this.resources.assertVisible(actor, id);
    return runList(this.db, query, {
      select: COLUMNS + (payload ? PAYLOAD : ''),
      from: 'fact_snapshots fs',
      where: [`fs.resource_id = ${query.params.add(id)}`],
      map: toDto,
    });
  }

  async latest(actor: Actor, id: string, kind?: string): Promise<FactSnapshotDto> {
    if (kind !== undefined && !(FACT_SNAPSHOT_KINDS as readonly string[]).includes(kind))
      throw new InvalidQueryError('kind', `must be one of ${FACT_SNAPSHOT_KINDS.join(', ')}.`);
    await this.resources.assertVisible(actor, id);
    return toDto(
      await queryOne<SnapshotRow>(
        this.db,
        `SELECT ${COLUMNS}${PAYLOAD} FROM fact_snapshots fs WHERE fs.resource_id = $1 AND ($2::text IS NULL OR fs.kind = $2)
         ORDER BY fs.received_at DESC, fs.id DESC LIMIT 1`,
        [id, kind ?? null],
        `Resource ${id} has no facts.`,
      ),
    );
  }
}

@ApiTags('facts')
@Controller('resources/:id/facts')
export class FactSnapshotsController {
  constructor(private readonly snapshots: FactSnapshotsService) {}

  @Get()
  @ApiEndpoint({
    summary: "List a host's fact snapshots, newest first (payloads with ?include=payload)",
    errors: [404],
  })
  @ApiListQuery(FACT_SNAPSHOT_LIST)
  @ApiPaginatedResponse(FactSnapshotDto)
  list(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @ListQuery(FACT_SNAPSHOT_LIST) query: ParsedListQuery,
    @Query('include') include?: string,
  ) {
    return this.snapshots.list(actor, id, query, withPayload(include));
  }

  @Get('latest')
  @ApiEndpoint({ summary: "A host's latest fact snapshot, with its payload", errors: [400, 404] })
  @ApiQuery({
    name: 'kind',
    required: false,
    enum: FACT_SNAPSHOT_KINDS,
    description: 'The latest of this document kind (default: of any kind).',
  })
  @ApiOkResponse({ type: FactSnapshotDto })
  latest(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string, @Query('kind') kind?: string) {
    return this.snapshots.latest(actor, id, kind);
  }
}
