import type { MigrationInterface, QueryRunner } from 'typeorm';

/** auth_throttle: failed-authentication counters per username or system key and client address, and per address (issue #11 item 3). */
export class AuthThrottle1766500000000 implements MigrationInterface {
  name = 'AuthThrottle1766500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "auth_throttle" ("bucket" character varying(320) NOT NULL, "failures" integer NOT NULL, "window_ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_auth_throttle" PRIMARY KEY ("bucket"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_throttle_window_ends_at" ON "auth_throttle" ("window_ends_at")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "auth_throttle"`);
  }
}
