import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { queryOne, runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import type { ResourceCategoryDto, ResourceTypeDto, VendorTypeMappingDto } from './dto/taxonomy.dto.js';

const CATEGORY_SELECT = `c.id, c.slug, c.name, c.description, c.sort_order, c.created, c.modified,
  (SELECT count(*)::int FROM resource_types t WHERE t.category_id = c.id) AS resource_type_count`;
const TYPE_SELECT = `t.id, t.slug, t.name, t.description, t.category_id AS category, c.slug AS category_slug,
  c.name AS category_name, t.is_countable, t.sort_order, t.created, t.modified`;
const TYPE_FROM = `resource_types t JOIN resource_categories c ON c.id = t.category_id`;
const MAPPING_SELECT = `m.id, m.vendor, m.vendor_resource_type, m.resource_type_id AS resource_type,
  t.slug AS resource_type_slug, m.ansible_collection, m.description, m.created, m.modified`;
const MAPPING_FROM = `vendor_type_mappings m JOIN resource_types t ON t.id = m.resource_type_id`;

/** Read access to the taxonomy: categories → types ← vendor mappings (seeded by migration). */
@Injectable()
export class TaxonomyService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  listCategories(query: ParsedListQuery): Promise<Page<ResourceCategoryDto>> {
    return runList(this.db, query, {
      select: CATEGORY_SELECT,
      from: 'resource_categories c',
      map: (r: ResourceCategoryDto) => r,
    });
  }

  getCategory(id: string): Promise<ResourceCategoryDto> {
    return this.one<ResourceCategoryDto>(
      `SELECT ${CATEGORY_SELECT} FROM resource_categories c WHERE c.id = $1`,
      id,
      'Resource category',
    );
  }

  listTypes(query: ParsedListQuery): Promise<Page<ResourceTypeDto>> {
    return runList(this.db, query, { select: TYPE_SELECT, from: TYPE_FROM, map: (r: ResourceTypeDto) => r });
  }

  getType(id: string): Promise<ResourceTypeDto> {
    return this.one<ResourceTypeDto>(
      `SELECT ${TYPE_SELECT} FROM ${TYPE_FROM} WHERE t.id = $1`,
      id,
      'Resource type',
    );
  }

  listMappings(query: ParsedListQuery): Promise<Page<VendorTypeMappingDto>> {
    return runList(this.db, query, {
      select: MAPPING_SELECT,
      from: MAPPING_FROM,
      map: (r: VendorTypeMappingDto) => r,
    });
  }

  getMapping(id: string): Promise<VendorTypeMappingDto> {
    return this.one<VendorTypeMappingDto>(
      `SELECT ${MAPPING_SELECT} FROM ${MAPPING_FROM} WHERE m.id = $1`,
      id,
      'Vendor type mapping',
    );
  }

  private one<T>(sql: string, id: string, what: string): Promise<T> {
    return queryOne<T>(this.db, sql, [id], `${what} ${id} not found.`);
  }
}
