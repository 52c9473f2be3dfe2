import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Permission names frozen here (src/rbac/permissions.ts). */
const ROLE_PERMISSIONS: Record<string, string[]> = {
  'Organization Admin': ['tag.view', 'tag.add', 'tag.change', 'tag.delete', 'resource.tag'],
  'Organization Member': ['tag.view'],
  'Platform Auditor': ['tag.view'],
  'Provider Admin': ['resource.tag'],
};

/**
 * User tags (issue #15): an organization's `key=value` tags and their assignments to
 * resources, apart from the collected `provider_tags`, and who may manage and apply them.
 */
export class Tags1766800000000 implements MigrationInterface {
  name = 'Tags1766800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tags" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" integer NOT NULL, "key" character varying(255) NOT NULL, "value" character varying(255) NOT NULL DEFAULT '', "color" character varying(6), "description" text NOT NULL DEFAULT '', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e7dc17249a1148a1970748eda99" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_ffaf3fff065eaee5583f5d6ef8" ON "tags"  ("organization_id", "key", "value") `,
    );
    await queryRunner.query(
      `CREATE TABLE "resource_tags" ("resource_id" uuid NOT NULL, "tag_id" uuid NOT NULL, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f0db14b7ade2c271566c3bef363" PRIMARY KEY ("resource_id", "tag_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_34f67f0fae4af891606973e9b5" ON "resource_tags"  ("tag_id") `);
    await queryRunner.query(
      `ALTER TABLE "tags" ADD CONSTRAINT "FK_8f8033a570b04520455cc93ed3d" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_tags" ADD CONSTRAINT "FK_804580fef1c203e9345c7509f21" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_tags" ADD CONSTRAINT "FK_34f67f0fae4af891606973e9b54" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
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
    await queryRunner.query(`DROP TABLE "resource_tags"`);
    await queryRunner.query(`DROP TABLE "tags"`);
  }
}
