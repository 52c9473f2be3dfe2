import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * fact_snapshots.kind: which kind of document a snapshot holds ('ansible': the three fact
 * parts; 'agent': a collector agent's inventory). A push is diffed only against the
 * previous snapshot of its own kind. Also the index the push-rate-limit pruning needs.
 */
export class FactSnapshotKinds1766200000000 implements MigrationInterface {
  name = 'FactSnapshotKinds1766200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "fact_snapshots" ADD "kind" character varying(16) NOT NULL DEFAULT 'ansible'`,
    );
    await queryRunner.query(
      `ALTER TABLE "fact_snapshots" ADD CONSTRAINT "CHK_fact_snapshots_kind" CHECK ("kind" IN ('ansible', 'agent'))`,
    );
    // Agent inventories stored before this migration were kept as system_facts of an ansible snapshot.
    await queryRunner.query(
      `UPDATE "fact_snapshots" SET "kind" = 'agent'
       WHERE "system_facts" ? 'data' AND jsonb_typeof("system_facts"->'data') = 'object'
         AND "package_facts" = '{}'::jsonb AND "local_facts" = '{}'::jsonb`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_fact_snapshots_resource_kind_received" ON "fact_snapshots" ("resource_id", "kind", "received_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_push_rate_limits_last_accepted_at" ON "push_rate_limits" ("last_accepted_at")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_push_rate_limits_last_accepted_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_fact_snapshots_resource_kind_received"`);
    await queryRunner.query(`ALTER TABLE "fact_snapshots" DROP CONSTRAINT "CHK_fact_snapshots_kind"`);
    await queryRunner.query(`ALTER TABLE "fact_snapshots" DROP COLUMN "kind"`);
  }
}
