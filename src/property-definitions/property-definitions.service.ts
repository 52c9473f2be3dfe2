import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import type { PropertyDefinitionDto } from './dto/property-definition.dto.js';

const SELECT = `p.id, p.resource_type_id AS resource_type, t.slug AS resource_type_slug, p.key, p.name, p.description,
  p.value_type, p.required, p.vendor_scope, p.example_value, p.created, p.modified`;
const FROM = `property_definitions p JOIN resource_types t ON t.id = p.resource_type_id`;

@Injectable()
export class PropertyDefinitionsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  list(query: ParsedListQuery): Promise<Page<PropertyDefinitionDto>> {
    return runList(this.db, query, { select: SELECT, from: FROM, map: (r: PropertyDefinitionDto) => r });
  }

  get(id: string): Promise<PropertyDefinitionDto> {
    return queryOne(
      this.db,
      `SELECT ${SELECT} FROM ${FROM} WHERE p.id = $1`,
      [id],
      `Property definition ${id} not found.`,
    );
  }
}
