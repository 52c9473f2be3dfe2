import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  CATEGORIES,
  PROPERTY_DEFINITIONS,
  RESOURCE_TYPES,
  VENDOR_TYPE_MAPPINGS,
} from './data/taxonomy-v1.js';

/**
 * Seeds the taxonomy (categories → types ← vendor mappings) and the first property
 * definitions. Set-based: each table is filled by one INSERT … SELECT over a JSON array.
 */
export class SeedTaxonomy1764000000001 implements MigrationInterface {
  name = 'SeedTaxonomy1764000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO resource_categories (slug, name, sort_order)
       SELECT c.slug, c.name, c."sortOrder" FROM jsonb_to_recordset($1::jsonb) AS c(slug text, name text, "sortOrder" int)
       ON CONFLICT (slug) DO NOTHING`,
      [JSON.stringify(CATEGORIES)],
    );
    await queryRunner.query(
      `INSERT INTO resource_types (category_id, slug, name, is_countable, sort_order)
       SELECT rc.id, t.slug, t.name, t."isCountable", t."sortOrder"
       FROM jsonb_to_recordset($1::jsonb) AS t(slug text, name text, category text, "isCountable" boolean, "sortOrder" int)
       JOIN resource_categories rc ON rc.slug = t.category
       ON CONFLICT (slug) DO NOTHING`,
      [JSON.stringify(RESOURCE_TYPES)],
    );
    await queryRunner.query(
      `INSERT INTO vendor_type_mappings (vendor, vendor_resource_type, resource_type_id, ansible_collection, description)
       SELECT m.vendor, m."vendorResourceType", rt.id, m."ansibleCollection", m.description
       FROM jsonb_to_recordset($1::jsonb)
         AS m(vendor text, "vendorResourceType" text, "resourceType" text, "ansibleCollection" text, description text)
       JOIN resource_types rt ON rt.slug = m."resourceType"
       ON CONFLICT (vendor, vendor_resource_type) DO NOTHING`,
      [JSON.stringify(VENDOR_TYPE_MAPPINGS)],
    );
    await queryRunner.query(
      `INSERT INTO property_definitions (resource_type_id, key, name, value_type, required, vendor_scope, example_value, description)
       SELECT rt.id, p.key, p.name, p."valueType", p.required, p."vendorScope", p."exampleValue", p.description
       FROM jsonb_to_recordset($1::jsonb)
         AS p("resourceType" text, key text, name text, "valueType" text, required boolean, "vendorScope" text,
              "exampleValue" text, description text)
       JOIN resource_types rt ON rt.slug = p."resourceType"
       ON CONFLICT (resource_type_id, key, vendor_scope) DO NOTHING`,
      [JSON.stringify(PROPERTY_DEFINITIONS)],
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM property_definitions`);
    await queryRunner.query(`DELETE FROM vendor_type_mappings`);
    await queryRunner.query(`DELETE FROM resource_types`);
    await queryRunner.query(`DELETE FROM resource_categories`);
  }
}
