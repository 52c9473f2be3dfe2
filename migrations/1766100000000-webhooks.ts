import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Permission names frozen here (src/rbac/permissions.ts). */
const ROLE_PERMISSIONS: Record<string, string[]> = {
  'Organization Admin': ['webhook.view', 'webhook.add', 'webhook.change', 'webhook.delete'],
};

/**
 * webhooks, their deliveries and the dispatcher's cursor into the event log (starting
 * at the log's end: history is not delivered), and who may manage them.
 */
export class Webhooks1766100000000 implements MigrationInterface {
  name = 'Webhooks1766100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhooks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" integer NOT NULL, "name" character varying(255) NOT NULL, "url" text NOT NULL, "event_types" text array NOT NULL DEFAULT '{}', "secret" text NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9e8795cfc899ab7bdaa831e8527" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_293f3e8c52737da668e8e67c2f" ON "webhooks"  ("organization_id", "name")`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "webhook_id" uuid NOT NULL, "event_id" bigint, "event_type" character varying(64) NOT NULL, "body" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempt" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "lease_until" TIMESTAMP WITH TIME ZONE, "response_code" integer, "duration_ms" integer, "error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, "redelivery_of" uuid, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_6ce6a653b22e0599fef61028be" CHECK ("status" IN ('pending', 'delivering', 'succeeded', 'dead')), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_284017efc3cbfe592288749a9c" ON "webhook_deliveries"  ("status", "next_attempt_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_b332ae05ee2ea311061400037d" ON "webhook_deliveries"  ("webhook_id", "created")`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_dispatch_cursor" ("id" smallint NOT NULL, "cursor" bigint NOT NULL, "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8b111bafeb3edf5366eacfd68af" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhooks" ADD CONSTRAINT "FK_1263da9f2a66fe09006bd86130e" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_a0286aeb96db651efd1ae2966f2" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `INSERT INTO "webhook_dispatch_cursor" ("id", "cursor") SELECT 1, coalesce(max(id), 0) FROM "events"`,
    );
    for (const [role, permissions] of Object.entries(ROLE_PERMISSIONS)) {
      await queryRunner.query(
        `UPDATE role_definitions SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || $2::text[]) ORDER BY 1)
         WHERE name = $1 AND managed`,
        [role, permissions],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [role, permissions] of Object.entries(ROLE_PERMISSIONS)) {
      await queryRunner.query(
        `UPDATE role_definitions SET permissions = ARRAY(SELECT p FROM unnest(permissions) p WHERE p <> ALL($2::text[]))
         WHERE name = $1 AND managed`,
        [role, permissions],
      );
    }
    await queryRunner.query(`DROP TABLE "webhook_dispatch_cursor"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP TABLE "webhooks"`);
  }
}
