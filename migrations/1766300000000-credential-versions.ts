import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * users.password_changed_at: every replica compares it with what it cached for Basic
 * credentials and with a local token's `iat`, so a password change ends both everywhere.
 * users.gateway_token_iat: the `iat` of the newest gateway token synchronized for the
 * user; an older token never rolls the user's roles back.
 */
export class CredentialVersions1766300000000 implements MigrationInterface {
  name = 'CredentialVersions1766300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "password_changed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "users" ADD "gateway_token_iat" bigint`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "gateway_token_iat"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "password_changed_at"`);
  }
}
