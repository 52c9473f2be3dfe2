import type { MigrationInterface, QueryRunner } from 'typeorm';

/** provider_documents: the file a `file:import` provider collects (one per provider, deleted with it). */
export class ProviderDocuments1765600000001 implements MigrationInterface {
  name = 'ProviderDocuments1765600000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "provider_documents" ("provider_id" uuid NOT NULL, "filename" character varying(255) NOT NULL, "content_type" character varying(255) NOT NULL, "size_bytes" integer NOT NULL, "sha256" character(64) NOT NULL, "content" bytea NOT NULL, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "uploaded_by" integer, CONSTRAINT "PK_e585bd5e4e94f4e0a555015b572" PRIMARY KEY ("provider_id"))`,
    );
    // Deleted with its provider (a handful of rows, so a real foreign key costs nothing here).
    await queryRunner.query(
      `ALTER TABLE "provider_documents" ADD CONSTRAINT "FK_e585bd5e4e94f4e0a555015b572" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "provider_documents"`);
  }
}
