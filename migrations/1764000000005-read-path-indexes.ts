import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes measured by bench/read-api.bench.ts on 1,000,000 resources: a provider's
 * resources in name order (lists and deep pages), and the same narrowed by state (the
 * most common dashboard filter), both with the id tie-breaker so the ORDER BY and the
 * COUNT can be answered from the index.
 */
export class ReadPathIndexes1764000000005 implements MigrationInterface {
  name = 'ReadPathIndexes1764000000005';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_resources_provider_name" ON "resources" ("provider_id", "name", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_resources_provider_state_name" ON "resources" ("provider_id", "state", "name", "id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_resources_provider_state_name"`);
    await queryRunner.query(`DROP INDEX "IDX_resources_provider_name"`);
  }
}
