import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the collection engine needs: schedules on providers, leases, cancel requests and
 * rejected-record counts on runs, a content hash on resources (so an unchanged
 * re-collection does not rewrite the row), and an unlogged staging table where a run's
 * relationship records wait until every resource they point at has been written.
 */
export class CollectionEngine1764000000004 implements MigrationInterface {
  name = 'CollectionEngine1764000000004';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "providers" ADD "schedule" character varying(128)`);
    await queryRunner.query(`ALTER TABLE "providers" ADD "next_collection_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE INDEX "IDX_providers_next_collection_at" ON "providers" ("next_collection_at")`,
    );
    await queryRunner.query(`ALTER TABLE "collection_runs" ADD "lease_expires_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "collection_runs" ADD "cancel_requested_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(
      `ALTER TABLE "collection_runs" ADD "resources_rejected" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(`ALTER TABLE "collection_runs" ADD "warnings" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "resources" ADD "content_hash" character varying(64)`);
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "collection_relationship_staging" ("run_id" uuid NOT NULL, "source_ref" character varying(512) NOT NULL, "target_ref" character varying(512) NOT NULL, "relationship_type" character varying(32) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_collection_relationship_staging_run" ON "collection_relationship_staging" ("run_id")`,
    );
    // Uploaded plugin archives live in the database so every replica and worker can extract them.
    await queryRunner.query(
      `CREATE TABLE "provider_plugin_archives" ("key" character varying(130) NOT NULL, "manifest" jsonb NOT NULL, "archive" bytea NOT NULL, "sha256" character(64) NOT NULL, "uploaded_by_id" integer, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_provider_plugin_archives" PRIMARY KEY ("key"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "provider_plugin_archives"`);
    await queryRunner.query(`DROP TABLE "collection_relationship_staging"`);
    await queryRunner.query(`ALTER TABLE "resources" DROP COLUMN "content_hash"`);
    await queryRunner.query(`ALTER TABLE "collection_runs" DROP COLUMN "warnings"`);
    await queryRunner.query(`ALTER TABLE "collection_runs" DROP COLUMN "resources_rejected"`);
    await queryRunner.query(`ALTER TABLE "collection_runs" DROP COLUMN "cancel_requested_at"`);
    await queryRunner.query(`ALTER TABLE "collection_runs" DROP COLUMN "lease_expires_at"`);
    await queryRunner.query(`DROP INDEX "IDX_providers_next_collection_at"`);
    await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "next_collection_at"`);
    await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "schedule"`);
  }
}
