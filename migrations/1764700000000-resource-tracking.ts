import type { MigrationInterface, QueryRunner } from 'typeorm';

const HOST_OVERVIEW = (lastSeen: string, seenCount: string) => `
    SELECT r.id AS resource_id, r.organization_id, r.name, r.fqdn, r.canonical_id, r.os_type, r.os_name,
      r.cpu_count, r.memory_mb, r.disk_gb, r.ip_addresses, r.first_discovered_at, ${lastSeen} AS last_seen_at,
      ${seenCount} AS seen_count,
      s.client_address, s.received_at AS facts_received_at,
      s.system_facts ->> 'distribution' AS distribution,
      s.system_facts ->> 'distribution_version' AS distribution_version,
      s.system_facts ->> 'kernel' AS kernel,
      s.system_facts ->> 'architecture' AS architecture,
      s.system_facts ->> 'virtualization_type' AS virtualization_type,
      s.system_facts ->> 'virtualization_role' AS virtualization_role,
      CASE WHEN jsonb_typeof(s.system_facts -> 'processor_vcpus') = 'number' THEN (s.system_facts -> 'processor_vcpus')::numeric END AS processor_vcpus,
      CASE WHEN jsonb_typeof(s.system_facts -> 'memtotal_mb') = 'number' THEN (s.system_facts -> 'memtotal_mb')::numeric END AS memtotal_mb
    FROM (SELECT DISTINCT ON (fs.resource_id) fs.* FROM fact_snapshots fs ORDER BY fs.resource_id, fs.received_at DESC, fs.id DESC) s
    JOIN resources r ON r.id = s.resource_id`;

/**
 * Per-run "seen again" bookkeeping moves off the wide resources row (see
 * src/resources/resource-tracking.sql.ts): a collection run that finds a resource
 * unchanged upserts its narrow resource_tracking row (primary key only, fillfactor 50, so
 * the bump is a HOT update) instead of rewriting the resources row and its ~11 index
 * entries. resource_tracking.seen_count counts the bumps not counted on the resource row,
 * so the values the API shows are greatest(last_seen_at) and the sum of seen_count; with
 * no tracking row they are the resource row's own, which is why the backfill is empty:
 * every existing resource already carries its full figures.
 *
 * Relationships: a run re-upserts every known edge (last_seen_at); fillfactor 50 leaves
 * room on each page so those updates (no indexed column changes) stay HOT too.
 */
export class ResourceTracking1764700000000 implements MigrationInterface {
  name = 'ResourceTracking1764700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "resource_tracking" (
         "resource_id" uuid NOT NULL,
         "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL,
         "seen_count" integer NOT NULL DEFAULT 0,
         CONSTRAINT "PK_resource_tracking" PRIMARY KEY ("resource_id"),
         CONSTRAINT "FK_resource_tracking_resource" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE
       ) WITH (fillfactor = 50)`,
    );
    await queryRunner.query(`ALTER TABLE "resource_relationships" SET (fillfactor = 50)`);
    await queryRunner.query(
      `CREATE OR REPLACE VIEW facts_host_overview AS ${HOST_OVERVIEW(
        `greatest(r.last_seen_at, (SELECT rt.last_seen_at FROM resource_tracking rt WHERE rt.resource_id = r.id))`,
        `(r.seen_count + coalesce((SELECT rt.seen_count FROM resource_tracking rt WHERE rt.resource_id = r.id), 0))`,
      )}`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Fold the tracking figures back into the resource rows before dropping the table.
    await queryRunner.query(
      `UPDATE resources r SET last_seen_at = greatest(r.last_seen_at, rt.last_seen_at), seen_count = r.seen_count + rt.seen_count
       FROM resource_tracking rt WHERE rt.resource_id = r.id`,
    );
    await queryRunner.query(
      `CREATE OR REPLACE VIEW facts_host_overview AS ${HOST_OVERVIEW('r.last_seen_at', 'r.seen_count')}`,
    );
    await queryRunner.query(`ALTER TABLE "resource_relationships" RESET (fillfactor)`);
    await queryRunner.query(`DROP TABLE "resource_tracking"`);
  }
}
