import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Power states take vSphere's names (`poweredOn`, `poweredOff`, `suspended`, `unknown`),
 * as the original service and its VMware seed reported them, and the states gain `active`
 * (a host, cluster, datastore or pool in service) and `inactive` (a template). Existing
 * rows are renamed in place (`on` → `poweredOn`, `off` → `poweredOff`) so filters keep
 * finding them; a resource's content hash still covers the old name, so its next
 * collection rewrites the row once (without recording a change: the stored value already
 * matches). Plugins that still send `on`/`off` are mapped by the record preparer.
 */
export class VspherePowerStates1765200000000 implements MigrationInterface {
  name = 'VspherePowerStates1765200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "resources" DROP CONSTRAINT "CHK_6cd340dd2ae4daed78be60eeeb"`);
    await queryRunner.query(`ALTER TABLE "resources" DROP CONSTRAINT "CHK_133a76b636575356c64486c4ed"`);
    await queryRunner.query(
      `ALTER TABLE "resource_sightings" DROP CONSTRAINT "CHK_970f18ed3a4364a0451488fd9e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_sightings" DROP CONSTRAINT "CHK_66d6525207d416d1b56994dc09"`,
    );
    for (const table of ['resources', 'resource_sightings']) {
      await queryRunner.query(
        `UPDATE "${table}" SET power_state = CASE power_state WHEN 'on' THEN 'poweredOn' ELSE 'poweredOff' END
         WHERE power_state IN ('on', 'off')`,
      );
    }
    await queryRunner.query(
      `ALTER TABLE "resources" ADD CONSTRAINT "CHK_1c8d6a74a31defd42c6f84f237" CHECK ("power_state" IS NULL OR "power_state" IN ('poweredOn', 'poweredOff', 'suspended', 'unknown'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "resources" ADD CONSTRAINT "CHK_186023bf8acc23a8b0cd755adc" CHECK ("state" IN ('running', 'stopped', 'active', 'inactive', 'suspended', 'paused', 'pending', 'terminated', 'maintenance', 'available', 'unavailable', 'error', 'template', 'unknown'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_sightings" ADD CONSTRAINT "CHK_c75993f7f36cbb4e894db97407" CHECK ("power_state" IS NULL OR "power_state" IN ('poweredOn', 'poweredOff', 'suspended', 'unknown'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_sightings" ADD CONSTRAINT "CHK_9ac475ac31702a6fd4df567e24" CHECK ("state" IN ('running', 'stopped', 'active', 'inactive', 'suspended', 'paused', 'pending', 'terminated', 'maintenance', 'available', 'unavailable', 'error', 'template', 'unknown'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "resources" DROP CONSTRAINT "CHK_1c8d6a74a31defd42c6f84f237"`);
    await queryRunner.query(`ALTER TABLE "resources" DROP CONSTRAINT "CHK_186023bf8acc23a8b0cd755adc"`);
    await queryRunner.query(
      `ALTER TABLE "resource_sightings" DROP CONSTRAINT "CHK_c75993f7f36cbb4e894db97407"`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_sightings" DROP CONSTRAINT "CHK_9ac475ac31702a6fd4df567e24"`,
    );
    for (const table of ['resources', 'resource_sightings']) {
      await queryRunner.query(
        `UPDATE "${table}" SET power_state = CASE power_state WHEN 'poweredOn' THEN 'on' ELSE 'off' END
         WHERE power_state IN ('poweredOn', 'poweredOff')`,
      );
      await queryRunner.query(
        `UPDATE "${table}" SET state = CASE state WHEN 'active' THEN 'available' ELSE 'template' END
         WHERE state IN ('active', 'inactive')`,
      );
    }
    await queryRunner.query(
      `ALTER TABLE "resources" ADD CONSTRAINT "CHK_6cd340dd2ae4daed78be60eeeb" CHECK ("power_state" IS NULL OR "power_state" IN ('on', 'off', 'suspended', 'unknown'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "resources" ADD CONSTRAINT "CHK_133a76b636575356c64486c4ed" CHECK ("state" IN ('running', 'stopped', 'suspended', 'paused', 'pending', 'terminated', 'maintenance', 'available', 'unavailable', 'error', 'template', 'unknown'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_sightings" ADD CONSTRAINT "CHK_970f18ed3a4364a0451488fd9e" CHECK ("power_state" IS NULL OR "power_state" IN ('on', 'off', 'suspended', 'unknown'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_sightings" ADD CONSTRAINT "CHK_66d6525207d416d1b56994dc09" CHECK ("state" IN ('running', 'stopped', 'suspended', 'paused', 'pending', 'terminated', 'maintenance', 'available', 'unavailable', 'error', 'template', 'unknown'))`,
    );
  }
}
