import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `GET /resources/?present_at=`: a resource's earlier removals are read from its
 * restorations (src/changes/resource-as-of.query.ts). They are a sliver of
 * resource_changes, so they get a partial index of their own.
 */
export class ResourcePresentAt1766400000000 implements MigrationInterface {
  name = 'ResourcePresentAt1766400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_resource_changes_restorations" ON "resource_changes" ("resource_id", "detected_at")
       WHERE "field_path" = 'removed_at' AND "change_type" = 'restored'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_resource_changes_restorations"`);
  }
}
