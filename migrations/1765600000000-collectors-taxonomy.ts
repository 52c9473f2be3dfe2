import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RESOURCE_TYPES_V2, VENDOR_TYPE_MAPPINGS_V2 } from './data/taxonomy-v2.js';

/**
 * What the AWS, Kubernetes and file collectors need: the `routes_to` relationship type
 * (load balancer → instances, Kubernetes service → pods), the `namespace` resource type
 * and the vendor-type mappings of migrations/data/taxonomy-v2.ts. Set-based like the
 * first taxonomy seed; ON CONFLICT keeps mappings an operator already added.
 */
export class CollectorsTaxonomy1765600000000 implements MigrationInterface {
  name = 'CollectorsTaxonomy1765600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "resource_relationships" DROP CONSTRAINT "CHK_297fbed04037c531215f5857b0"`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_relationships" ADD CONSTRAINT "CHK_5bc8de10f0f395c850be0f7ddb" CHECK ("relationship_type" IN ('runs_on', 'attached_to', 'member_of', 'part_of', 'manages', 'connected_to', 'routes_to'))`,
    );
    await queryRunner.query(
      `INSERT INTO resource_types (category_id, slug, name, is_countable, sort_order)
       SELECT rc.id, t.slug, t.name, t."isCountable", t."sortOrder"
       FROM jsonb_to_recordset($1::jsonb) AS t(slug text, name text, category text, "isCountable" boolean, "sortOrder" int)
       JOIN resource_categories rc ON rc.slug = t.category
       ON CONFLICT (slug) DO NOTHING`,
      [JSON.stringify(RESOURCE_TYPES_V2)],
    );
    await queryRunner.query(
      `INSERT INTO vendor_type_mappings (vendor, vendor_resource_type, resource_type_id, ansible_collection, description)
       SELECT m.vendor, m."vendorResourceType", rt.id, m."ansibleCollection", m.description
       FROM jsonb_to_recordset($1::jsonb)
         AS m(vendor text, "vendorResourceType" text, "resourceType" text, "ansibleCollection" text, description text)
       JOIN resource_types rt ON rt.slug = m."resourceType"
       ON CONFLICT (vendor, vendor_resource_type) DO NOTHING`,
      [JSON.stringify(VENDOR_TYPE_MAPPINGS_V2)],
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM vendor_type_mappings m USING jsonb_to_recordset($1::jsonb) AS v(vendor text, "vendorResourceType" text)
       WHERE m.vendor = v.vendor AND m.vendor_resource_type = v."vendorResourceType"`,
      [JSON.stringify(VENDOR_TYPE_MAPPINGS_V2)],
    );
    await queryRunner.query(
      `DELETE FROM resource_types WHERE slug = ANY($1) AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.resource_type_id = resource_types.id)`,
      [RESOURCE_TYPES_V2.map((t) => t.slug)],
    );
    await queryRunner.query(`DELETE FROM resource_relationships WHERE relationship_type = 'routes_to'`);
    await queryRunner.query(
      `ALTER TABLE "resource_relationships" DROP CONSTRAINT "CHK_5bc8de10f0f395c850be0f7ddb"`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_relationships" ADD CONSTRAINT "CHK_297fbed04037c531215f5857b0" CHECK ("relationship_type" IN ('runs_on', 'attached_to', 'member_of', 'part_of', 'manages', 'connected_to'))`,
    );
  }
}
