import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Permission names frozen here (src/rbac/permissions.ts). */
const ROLE_PERMISSIONS: Record<string, string[]> = {
  'Organization Admin': ['alert_rule.view', 'alert_rule.add', 'alert_rule.change', 'alert_rule.delete'],
};

/**
 * alert_rules and the evaluator's cursor into the event log (starting at the log's end:
 * history opens no alerts); alerts remember their rule, their match count and when they
 * are next due at Alertmanager, and the platform's own alerts (IngestStalled) belong to
 * no organization. The built-in rules are added per organization at run time
 * (src/alerting/builtin-alert-rules.ts).
 */
export class AlertRules1766600000000 implements MigrationInterface {
  name = 'AlertRules1766600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "alert_rules" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" integer NOT NULL, "name" character varying(255) NOT NULL, "description" text NOT NULL DEFAULT '', "builtin" character varying(32), "enabled" boolean NOT NULL DEFAULT true, "event_types" text array NOT NULL DEFAULT '{}', "categories" text array NOT NULL DEFAULT '{}', "severity_min" character varying(16), "field_path" character varying(500), "resource_selector" text, "alertname" character varying(255) NOT NULL, "severity" character varying(16) NOT NULL, "labels" jsonb NOT NULL DEFAULT '{}', "annotations" jsonb NOT NULL DEFAULT '{}', "max_per_hour" integer NOT NULL DEFAULT '50', "max_critical_per_hour" integer NOT NULL DEFAULT '10', "suppressed_count" integer NOT NULL DEFAULT '0', "last_suppressed_at" TIMESTAMP WITH TIME ZONE, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_c8847e3c54e82d6523002d3260" CHECK ("severity_min" IS NULL OR "severity_min" IN ('info', 'low', 'medium', 'high', 'critical')), CONSTRAINT "CHK_2fc6dfe9bd6b5a06707a9e7704" CHECK ("severity" IN ('critical', 'high', 'warning', 'medium', 'low', 'info')), CONSTRAINT "CHK_806655a8c09d6ddef697226c4b" CHECK ("builtin" IS NULL OR "builtin" IN ('link_failed', 'collection_run_failed', 'resource_removed', 'critical_change')), CONSTRAINT "PK_ae580564f087ffab9d229225aec" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_47e20831d2ad7648a76ee203ff" ON "alert_rules"  ("organization_id", "builtin") WHERE builtin IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_edf08e2ea901ac53a361a82575" ON "alert_rules"  ("organization_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "alert_rule_cursor" ("id" smallint NOT NULL, "cursor" bigint NOT NULL, "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7cfc14e780de37922d27c1fe08b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`ALTER TABLE "alerts" ADD "rule_id" uuid`);
    await queryRunner.query(`ALTER TABLE "alerts" ADD "match_count" integer NOT NULL DEFAULT '1'`);
    await queryRunner.query(`ALTER TABLE "alerts" ADD "push_due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "alerts" ALTER COLUMN "organization_id" DROP NOT NULL`);
    await queryRunner.query(
      `CREATE INDEX "IDX_1c74da1c033ae61a6d71a39571" ON "alerts"  ("push_due_at") WHERE push_due_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_5b070ff8f265982a77e10fba96" ON "alerts"  ("rule_id", "created") `,
    );
    await queryRunner.query(
      `ALTER TABLE "alert_rules" ADD CONSTRAINT "FK_d4abe9dbb16e4d54d1deadef472" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alerts" ADD CONSTRAINT "FK_a03c8afb3e29b85c8feccd730ef" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `INSERT INTO "alert_rule_cursor" ("id", "cursor") SELECT 1, coalesce(max(id), 0) FROM "events"`,
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
    await queryRunner.query(`ALTER TABLE "alerts" DROP CONSTRAINT "FK_a03c8afb3e29b85c8feccd730ef"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5b070ff8f265982a77e10fba96"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_1c74da1c033ae61a6d71a39571"`);
    await queryRunner.query(`DELETE FROM "alerts" WHERE "organization_id" IS NULL`);
    await queryRunner.query(`ALTER TABLE "alerts" ALTER COLUMN "organization_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "alerts" DROP COLUMN "push_due_at"`);
    await queryRunner.query(`ALTER TABLE "alerts" DROP COLUMN "match_count"`);
    await queryRunner.query(`ALTER TABLE "alerts" DROP COLUMN "rule_id"`);
    await queryRunner.query(`DROP TABLE "alert_rule_cursor"`);
    await queryRunner.query(`DROP TABLE "alert_rules"`);
  }
}
