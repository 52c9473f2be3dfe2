import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Permission names frozen here (src/rbac/permissions.ts). */
const ROLE_PERMISSIONS: Record<string, string[]> = {
  'Organization Admin': ['automation_record.view', 'automation_record.add', 'automation_record.change'],
  'Organization Member': ['automation_record.view'],
  'Platform Auditor': ['automation_record.view'],
};

/** A role for the account AAP (or a CI job) posts automation records with. */
const RECORDER_ROLE = {
  name: 'Automation Recorder',
  description: "Post automation records into the organization and read them (an AAP callback's account).",
  permissions: ['automation_record.view', 'automation_record.add'],
};

/**
 * Automation correlation (issue #15): automation_records (one per organization, job and
 * host; the matched resource, rule and confidence), pending_matches (the review queue),
 * automation_host_decisions (what people confirmed or rejected per host name and
 * resource), and who may post, read and resolve them.
 */
export class AutomationRecords1766700000000 implements MigrationInterface {
  name = 'AutomationRecords1766700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "automation_records" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" integer NOT NULL, "job_id" character varying(255) NOT NULL, "job_name" character varying(512) NOT NULL DEFAULT '', "job_template" character varying(512) NOT NULL DEFAULT '', "playbook" character varying(1024) NOT NULL DEFAULT '', "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, "automated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(16) NOT NULL, "task_counts" jsonb NOT NULL DEFAULT '{}', "host_name" character varying(512) NOT NULL, "smbios_serial" character varying(255), "bios_uuid" character varying(255), "mac_addresses" text array NOT NULL DEFAULT '{}', "ip_addresses" text array NOT NULL DEFAULT '{}', "fqdn" character varying(512), "hostname" character varying(255), "resource_id" uuid, "match_status" character varying(16) NOT NULL DEFAULT 'unmatched', "match_rule" character varying(32), "match_confidence" numeric(4,3), "matched_at" TIMESTAMP WITH TIME ZONE, "created_by_id" integer, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_bad38514a590207256d3a53bb5" CHECK ("match_rule" IS NULL OR "match_rule" IN ('confirmed', 'smbios_serial', 'bios_uuid', 'mac_address', 'ip_address', 'fqdn', 'hostname')), CONSTRAINT "CHK_e4b00a0dee870dcb449d7c3d08" CHECK ("match_status" IN ('matched', 'pending', 'confirmed', 'rejected', 'unmatched')), CONSTRAINT "CHK_a68fe1f229e7e145a4730164e7" CHECK ("status" IN ('ok', 'changed', 'failed', 'unreachable', 'skipped')), CONSTRAINT "PK_493509399b08aacc798e3fa6a7f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_e15ca98b9b721df8f569e6756d" ON "automation_records"  ("resource_id", "automated_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_911b52b9fc94a9e125c7ccc2b7" ON "automation_records"  ("organization_id", "started_at")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_900370953e10a88060a4fae041" ON "automation_records"  ("organization_id", "job_id", "host_name")`,
    );
    await queryRunner.query(
      `CREATE TABLE "pending_matches" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" integer NOT NULL, "record_id" uuid NOT NULL, "resource_id" uuid NOT NULL, "match_rule" character varying(32) NOT NULL, "match_confidence" numeric(4,3) NOT NULL, "candidate_count" integer NOT NULL DEFAULT '1', "status" character varying(16) NOT NULL DEFAULT 'pending', "resolved_by_id" integer, "resolved_at" TIMESTAMP WITH TIME ZONE, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_d9ff3c6aa43f2278d20b8594c8" CHECK ("match_rule" IN ('confirmed', 'smbios_serial', 'bios_uuid', 'mac_address', 'ip_address', 'fqdn', 'hostname')), CONSTRAINT "CHK_85428d43a23d8f678388ac510a" CHECK ("status" IN ('pending', 'confirmed', 'rejected', 'superseded')), CONSTRAINT "PK_7d44aff7c837fc10a3f257b48d5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_d4a384f0acad771d1347aafd63" ON "pending_matches"  ("resource_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_8808439853de00d94671d82738" ON "pending_matches"  ("organization_id", "status", "created")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_7530a7365db461e4d8bbc02907" ON "pending_matches"  ("record_id", "resource_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "automation_host_decisions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" integer NOT NULL, "host_name" character varying(512) NOT NULL, "resource_id" uuid NOT NULL, "decision" character varying(16) NOT NULL, "decided_by_id" integer, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_e98bdf67d0bbb804114ff73982" CHECK ("decision" IN ('confirmed', 'rejected')), CONSTRAINT "PK_9ef10ef94f227ffbf53381aa661" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_7e8a57d28e5c58081d36528c74" ON "automation_host_decisions"  ("resource_id")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_66118fca26daa119132ccd8e3a" ON "automation_host_decisions"  ("organization_id", "host_name", "resource_id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "automation_records" ADD CONSTRAINT "FK_6e179e67a9f5c89e173f7d693f8" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "automation_records" ADD CONSTRAINT "FK_9211c3a510eaac5e8771e2b4257" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "automation_records" ADD CONSTRAINT "FK_d866c4cc5f5ae6a6619818cb5e0" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "pending_matches" ADD CONSTRAINT "FK_7415fb35302ada4cfffe71be054" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "pending_matches" ADD CONSTRAINT "FK_6170bacc91e6fd12def82151ad8" FOREIGN KEY ("record_id") REFERENCES "automation_records"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "pending_matches" ADD CONSTRAINT "FK_d4a384f0acad771d1347aafd632" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "pending_matches" ADD CONSTRAINT "FK_0cbf68d69661d5b3a102644791e" FOREIGN KEY ("resolved_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "automation_host_decisions" ADD CONSTRAINT "FK_c78a3b38409c415180e560679fc" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "automation_host_decisions" ADD CONSTRAINT "FK_7e8a57d28e5c58081d36528c749" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "automation_host_decisions" ADD CONSTRAINT "FK_1af3e4cc37fde4f1fc96d088278" FOREIGN KEY ("decided_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    for (const [role, permissions] of Object.entries(ROLE_PERMISSIONS)) {
      await queryRunner.query(
        `UPDATE role_definitions SET permissions = ARRAY(SELECT DISTINCT unnest(permissions || $2::text[]) ORDER BY 1)
         WHERE name = $1 AND managed`,
        [role, permissions],
      );
    }
    await queryRunner.query(
      `INSERT INTO role_definitions (name, description, content_type, permissions, managed)
       VALUES ($1, $2, 'organization', $3::text[], true)
       ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, content_type = EXCLUDED.content_type,
         permissions = EXCLUDED.permissions, managed = true`,
      [RECORDER_ROLE.name, RECORDER_ROLE.description, RECORDER_ROLE.permissions],
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM role_definitions WHERE name = $1 AND managed`, [RECORDER_ROLE.name]);
    for (const [role, permissions] of Object.entries(ROLE_PERMISSIONS)) {
      await queryRunner.query(
        `UPDATE role_definitions SET permissions = ARRAY(SELECT p FROM unnest(permissions) p WHERE p <> ALL($2::text[]))
         WHERE name = $1 AND managed`,
        [role, permissions],
      );
    }
    await queryRunner.query(
      `ALTER TABLE "automation_host_decisions" DROP CONSTRAINT "FK_1af3e4cc37fde4f1fc96d088278"`,
    );
    await queryRunner.query(
      `ALTER TABLE "automation_host_decisions" DROP CONSTRAINT "FK_7e8a57d28e5c58081d36528c749"`,
    );
    await queryRunner.query(
      `ALTER TABLE "automation_host_decisions" DROP CONSTRAINT "FK_c78a3b38409c415180e560679fc"`,
    );
    await queryRunner.query(`ALTER TABLE "pending_matches" DROP CONSTRAINT "FK_0cbf68d69661d5b3a102644791e"`);
    await queryRunner.query(`ALTER TABLE "pending_matches" DROP CONSTRAINT "FK_d4a384f0acad771d1347aafd632"`);
    await queryRunner.query(`ALTER TABLE "pending_matches" DROP CONSTRAINT "FK_6170bacc91e6fd12def82151ad8"`);
    await queryRunner.query(`ALTER TABLE "pending_matches" DROP CONSTRAINT "FK_7415fb35302ada4cfffe71be054"`);
    await queryRunner.query(
      `ALTER TABLE "automation_records" DROP CONSTRAINT "FK_d866c4cc5f5ae6a6619818cb5e0"`,
    );
    await queryRunner.query(
      `ALTER TABLE "automation_records" DROP CONSTRAINT "FK_9211c3a510eaac5e8771e2b4257"`,
    );
    await queryRunner.query(
      `ALTER TABLE "automation_records" DROP CONSTRAINT "FK_6e179e67a9f5c89e173f7d693f8"`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_66118fca26daa119132ccd8e3a"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7e8a57d28e5c58081d36528c74"`);
    await queryRunner.query(`DROP TABLE "automation_host_decisions"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7530a7365db461e4d8bbc02907"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8808439853de00d94671d82738"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d4a384f0acad771d1347aafd63"`);
    await queryRunner.query(`DROP TABLE "pending_matches"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_900370953e10a88060a4fae041"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_911b52b9fc94a9e125c7ccc2b7"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e15ca98b9b721df8f569e6756d"`);
    await queryRunner.query(`DROP TABLE "automation_records"`);
  }
}
