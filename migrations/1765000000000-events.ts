import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * events: the transactional change log (issue 10). `id` is the cursor; readers never
 * hand out an id above the horizon computed in src/events/event-horizon.ts, so a
 * transaction that commits late is never skipped.
 */
export class Events1765000000000 implements MigrationInterface {
  name = 'Events1765000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "organization_id" integer NOT NULL, "provider_id" uuid, "resource_id" uuid, "system_id" uuid, "type" text NOT NULL, "severity" text, "payload" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "CHK_eb7d592e356665f4fb4292c219" CHECK ("severity" IS NULL OR "severity" IN ('low', 'medium', 'high', 'critical')), CONSTRAINT "PK_40731c7151fe4be3116e45ddf73" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_8ca2c8bc9e4cc71e07c45b6d57" ON "events" ("occurred_at")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_700d00110c6ce4fbf85b3a3ecc" ON "events" ("provider_id", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_edc3a05170bd71f4d849f91bd5" ON "events" ("resource_id", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_365ec2efeb7e01e7d6535f3499" ON "events" ("organization_id", "id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "events"`);
  }
}
