import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * alert_rules.resolve_event_types: events that resolve a rule's firing alert of the same
 * subject. The built-in rules get theirs (a run that completes resolves Collection run
 * failed; a restored resource, Resource removed) unless an administrator set some.
 */
export class AlertRuleResolveEvents1766600000001 implements MigrationInterface {
  name = 'AlertRuleResolveEvents1766600000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "alert_rules" ADD "resolve_event_types" text array NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(
      `UPDATE alert_rules SET resolve_event_types = '{collection_run.completed}' WHERE builtin = 'collection_run_failed'`,
    );
    await queryRunner.query(
      `UPDATE alert_rules SET resolve_event_types = '{resource.restored}' WHERE builtin = 'resource_removed'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "alert_rules" DROP COLUMN "resolve_event_types"`);
  }
}
