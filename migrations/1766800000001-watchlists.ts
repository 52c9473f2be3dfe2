import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Permission names frozen here (src/rbac/permissions.ts). */
const ROLE_PERMISSIONS: Record<string, string[]> = {
  'Organization Admin': ['watchlist.view', 'watchlist.add', 'watchlist.change', 'watchlist.delete'],
  'Organization Member': ['watchlist.view'],
  'Platform Auditor': ['watchlist.view'],
};

/**
 * Watchlists (issue #15): static (chosen resources) or dynamic (a saved resources filter),
 * their stored membership (what membership events are computed against), and who may
 * manage them.
 */
export class Watchlists1766800000001 implements MigrationInterface {
  name = 'Watchlists1766800000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "watchlists" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" integer NOT NULL, "name" character varying(255) NOT NULL, "description" text NOT NULL DEFAULT '', "watchlist_type" character varying(16) NOT NULL, "filter_query" jsonb, "created_by_id" integer, "evaluated_at" TIMESTAMP WITH TIME ZONE, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_4bb8c6bdb59818ef2e8968e286" CHECK ("watchlist_type" IN ('static', 'dynamic')), CONSTRAINT "PK_aa3c717b50a10f7a435c65eda5a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_230b71cfaccecd7f6324a23e25" ON "watchlists"  ("organization_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "watchlist_members" ("watchlist_id" uuid NOT NULL, "resource_id" uuid NOT NULL, "added" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_328c8651ec567221ecaaaaa17cd" PRIMARY KEY ("watchlist_id", "resource_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_71ec4105f0d81c513c90f430aa" ON "watchlist_members"  ("resource_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "watchlists" ADD CONSTRAINT "FK_d39d2a2357a08739f86e8914e1c" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "watchlists" ADD CONSTRAINT "FK_c478e88a30a67c74113d1165ff9" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "watchlist_members" ADD CONSTRAINT "FK_fc76b597de92689341aebb751ec" FOREIGN KEY ("watchlist_id") REFERENCES "watchlists"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "watchlist_members" ADD CONSTRAINT "FK_71ec4105f0d81c513c90f430aaa" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
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
    await queryRunner.query(`DROP TABLE "watchlist_members"`);
    await queryRunner.query(`DROP TABLE "watchlists"`);
  }
}
