import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A standalone install needs somewhere to put providers before anyone creates organizations. */
export class DefaultOrganization1764000000002 implements MigrationInterface {
  name = 'DefaultOrganization1764000000002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO organizations (name, description) VALUES ('Default', 'Created at installation.')
       ON CONFLICT (name) DO NOTHING`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM organizations o WHERE o.name = 'Default'
       AND NOT EXISTS (SELECT 1 FROM providers p WHERE p.organization_id = o.id)`,
    );
  }
}
