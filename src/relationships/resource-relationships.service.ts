import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { AccessService } from '../rbac/access.service.js';
import type { ResourceRelationshipDto } from './dto/resource-relationship.dto.js';
import { RELATIONSHIP_LAST_SEEN_AT_SQL } from './relationship-last-seen.sql.js';

type Dated = 'first_seen_at' | 'last_seen_at' | 'removed_at' | 'created' | 'modified';
interface RelationshipRow extends Omit<ResourceRelationshipDto, Dated> {
  first_seen_at: Date;
  last_seen_at: Date;
  removed_at: Date | null;
  created: Date;
  modified: Date;
}

const SELECT = `rel.id, rel.source_id AS source, src.name AS source_name, st.slug AS source_type,
  rel.target_id AS target, tgt.name AS target_name, tt.slug AS target_type, rel.relationship_type,
  rel.provider_id AS provider, rel.organization_id AS organization, rel.properties, rel.first_seen_at,
  ${RELATIONSHIP_LAST_SEEN_AT_SQL} AS last_seen_at, rel.removed_at, rel.created, rel.modified`;
const FROM = `resource_relationships rel
  JOIN resources src ON src.id = rel.source_id JOIN resource_types st ON st.id = src.resource_type_id
  JOIN resources tgt ON tgt.id = rel.target_id JOIN resource_types tt ON tt.id = tgt.resource_type_id`;

const toDto = (row: RelationshipRow): ResourceRelationshipDto => ({
  ...row,
  first_seen_at: row.first_seen_at.toISOString(),
  last_seen_at: row.last_seen_at.toISOString(),
  removed_at: row.removed_at?.toISOString() ?? null,
  created: row.created.toISOString(),
  modified: row.modified.toISOString(),
});

@Injectable()
export class ResourceRelationshipsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<ResourceRelationshipDto>> {
    const where = await this.visible(actor, query.params);
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      countFrom: 'resource_relationships rel',
      where,
      map: toDto,
    });
  }

  async get(actor: Actor, id: string): Promise<ResourceRelationshipDto> {
    const params = new SqlParams();
    const where = [`rel.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const sql = `SELECT ${SELECT} FROM ${FROM} WHERE ${where.join(' AND ')}`;
    return toDto(
      await queryOne<RelationshipRow>(this.db, sql, params.values, `Relationship ${id} not found.`),
    );
  }

  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'provider.view', params, {
      organization: 'rel.organization_id',
      provider: 'rel.provider_id',
    });
  }
}
