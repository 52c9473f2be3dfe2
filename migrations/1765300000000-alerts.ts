import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Permission names frozen here (src/rbac/permissions.ts). */
const ROLE_PERMISSIONS: Record<string, string[]> = {
  'Platform Auditor': ['alert.view'],
  'Organization Admin': ['alert.view', 'alert.change'],
  'Organization Member': ['alert.view'],
};

/** alerts: one row per alert occurrence (organization, fingerprint, start), and who may see and handle them. */
export class Alerts1765300000000 implements MigrationInterface {
  name = 'Alerts1765300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "alerts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" integer NOT NULL, "source" character varying(16) NOT NULL, "alertname" character varying(255) NOT NULL, "severity" character varying(32) NOT NULL DEFAULT 'none', "status" character varying(16) NOT NULL, "fingerprint" character varying(64) NOT NULL, "labels" jsonb NOT NULL DEFAULT '{}', "annotations" jsonb NOT NULL DEFAULT '{}', "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE, "last_received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "receiver" character varying(255), "system_id" uuid, "resource_id" uuid, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by_id" integer, "resolved_by_id" integer, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_39581a01069f607c67602dc63f" CHECK ("source" IN ('inventory', 'alertmanager')), CONSTRAINT "CHK_50478462e41d2ab6ec3d982561" CHECK ("status" IN ('firing', 'resolved')), CONSTRAINT "PK_60f895662df096bfcdfab7f4b96" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_6e2cfb1dd571f4113fd04619a7" ON "alerts" ("resource_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_c656aa25567125b74323485502" ON "alerts" ("system_id")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_3692ad73936aba5c817b650667" ON "alerts" ("organization_id", "status", "starts_at")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_9e8a7235395de7e762dc21304f" ON "alerts" ("organization_id", "fingerprint", "starts_at")`,
    );
    await queryRunner.query(
      `ALTER TABLE "alerts" ADD CONSTRAINT "FK_ba66a38e94abfda415d5a9df76b" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alerts" ADD CONSTRAINT "FK_c656aa25567125b743234855022" FOREIGN KEY ("system_id") REFERENCES "systems"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alerts" ADD CONSTRAINT "FK_6e2cfb1dd571f4113fd04619a70" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alerts" ADD CONSTRAINT "FK_00f213b9af2a7f181a831e85182" FOREIGN KEY ("acknowledged_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "alerts" ADD CONSTRAINT "FK_f24ed04d19fdae8c55b4f6f2324" FOREIGN KEY ("resolved_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
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
    await queryRunner.query(`DROP TABLE "alerts"`);
  }
}
