import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The managed role definitions (not editable through the API) and who created or last
 * changed each provider. Permission names: src/rbac/permissions.ts, frozen here.
 */
const ROLES: { name: string; description: string; contentType: string | null; permissions: string[] }[] = [
  {
    name: 'Platform Auditor',
    description: 'Read everything, everywhere.',
    contentType: null,
    permissions: ['organization.view', 'team.view', 'provider.view'],
  },
  {
    name: 'Organization Admin',
    description: 'Everything in the organization: its teams, providers, collections and role assignments.',
    contentType: 'organization',
    permissions: [
      'organization.view',
      'organization.change',
      'team.view',
      'team.add',
      'team.change',
      'team.delete',
      'provider.view',
      'provider.add',
      'provider.change',
      'provider.delete',
      'provider.collect',
    ],
  },
  {
    name: 'Organization Member',
    description: "Read the organization's inventory.",
    contentType: 'organization',
    permissions: ['organization.view', 'team.view', 'provider.view'],
  },
  {
    name: 'Team Admin',
    description: 'Manage the team and its members.',
    contentType: 'team',
    permissions: ['team.view', 'team.change', 'team.member'],
  },
  {
    name: 'Team Member',
    description: 'Belong to the team and hold the roles given to it.',
    contentType: 'team',
    permissions: ['team.view', 'team.member'],
  },
  {
    name: 'Provider Admin',
    description: 'Manage one provider: edit, delete, collect.',
    contentType: 'provider',
    permissions: ['provider.view', 'provider.change', 'provider.delete', 'provider.collect'],
  },
  {
    name: 'Provider Operator',
    description: "Trigger and cancel one provider's collections.",
    contentType: 'provider',
    permissions: ['provider.view', 'provider.collect'],
  },
  {
    name: 'Inventory Viewer',
    description: "Read one provider's inventory.",
    contentType: 'provider',
    permissions: ['provider.view'],
  },
];

export class ManagedRoles1764000000003 implements MigrationInterface {
  name = 'ManagedRoles1764000000003';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO role_definitions (name, description, content_type, permissions, managed)
       SELECT r.name, r.description, r."contentType", ARRAY(SELECT jsonb_array_elements_text(r.permissions)), true
       FROM jsonb_to_recordset($1::jsonb) AS r(name text, description text, "contentType" text, permissions jsonb)
       ON CONFLICT (name) DO UPDATE SET permissions = EXCLUDED.permissions, content_type = EXCLUDED.content_type,
         description = EXCLUDED.description, managed = true`,
      [JSON.stringify(ROLES)],
    );
    await queryRunner.query(`ALTER TABLE "providers" ADD "created_by_id" integer`);
    await queryRunner.query(`ALTER TABLE "providers" ADD "modified_by_id" integer`);
    await queryRunner.query(
      `ALTER TABLE "providers" ADD CONSTRAINT "FK_providers_created_by" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "providers" ADD CONSTRAINT "FK_providers_modified_by" FOREIGN KEY ("modified_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "providers" DROP CONSTRAINT "FK_providers_modified_by"`);
    await queryRunner.query(`ALTER TABLE "providers" DROP CONSTRAINT "FK_providers_created_by"`);
    await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "modified_by_id"`);
    await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "created_by_id"`);
    await queryRunner.query(`DELETE FROM role_definitions WHERE managed`);
  }
}
