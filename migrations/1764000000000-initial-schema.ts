import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole data model of DESIGN §3. Generated from the entities with the schema
 * builder, then reviewed; the statements after the marker are written by hand.
 * PostgreSQL 15 or newer (NULLS NOT DISTINCT).
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE TABLE "organizations" ("id" SERIAL NOT NULL, "name" character varying(512) NOT NULL, "description" text NOT NULL DEFAULT '', "ansible_id" uuid, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_9b7ca6d30b94fef571cff876884" UNIQUE ("name"), CONSTRAINT "UQ_2803a0d3b0d9fede894677f909b" UNIQUE ("ansible_id"), CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "providers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(255) NOT NULL, "description" text NOT NULL DEFAULT '', "organization_id" integer NOT NULL, "vendor" character varying(64) NOT NULL, "provider_type" character varying(64) NOT NULL, "infrastructure" character varying(32) NOT NULL, "endpoint" character varying(1024) NOT NULL DEFAULT '', "connection_config" jsonb NOT NULL DEFAULT '{}', "enabled" boolean NOT NULL DEFAULT true, "last_collection_at" TIMESTAMP WITH TIME ZONE, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_c06db01dd1ee6a94801d402ff5" CHECK ("infrastructure" IN ('private_cloud', 'public_cloud', 'hybrid_cloud', 'bare_metal', 'container', 'network', 'storage', 'edge')), CONSTRAINT "PK_af13fc2ebf382fe0dad2e4793aa" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_1fb9021c42f6b8a5e3729ae4dd" ON "providers" ("vendor", "provider_type")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_36237dfe2a024c92e4acb8a783" ON "providers" ("organization_id", "name")`,
    );
    await queryRunner.query(
      `CREATE TABLE "collection_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "provider_id" uuid NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "collection_type" character varying(16) NOT NULL DEFAULT 'full', "target_resource_types" text array NOT NULL DEFAULT '{}', "task_id" character varying(64), "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "duration_seconds" double precision, "resources_found" integer NOT NULL DEFAULT '0', "resources_created" integer NOT NULL DEFAULT '0', "resources_updated" integer NOT NULL DEFAULT '0', "resources_unchanged" integer NOT NULL DEFAULT '0', "resources_removed" integer NOT NULL DEFAULT '0', "error_message" text NOT NULL DEFAULT '', "triggered_by" character varying(16) NOT NULL DEFAULT 'user', "triggered_by_user_id" integer, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_8932f114c679087551b3a2c91c" CHECK ("triggered_by" IN ('user', 'schedule', 'system')), CONSTRAINT "CHK_2b1c21e77edf98d7bd5f75fd3a" CHECK ("collection_type" IN ('full', 'incremental', 'targeted')), CONSTRAINT "CHK_b1b7c52d13a11631a6297e2d90" CHECK ("status" IN ('pending', 'running', 'completed', 'failed', 'canceled')), CONSTRAINT "PK_8f6ea6aca75e52f42c84f657c8a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_bc2daa1765cf63aa56103fe41b" ON "collection_runs" ("status")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_1628b1af5bf144929886cfb878" ON "collection_runs" ("provider_id", "created")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_collection_runs_one_active_per_provider" ON "collection_runs" ("provider_id") WHERE "status" IN ('pending', 'running')`,
    );
    await queryRunner.query(
      `CREATE TABLE "resource_categories" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" character varying(64) NOT NULL, "name" character varying(255) NOT NULL, "description" text NOT NULL DEFAULT '', "sort_order" integer NOT NULL DEFAULT '0', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_74cab9871cc28ffd1a8653970a1" UNIQUE ("slug"), CONSTRAINT "PK_485b4a84ce81abdb92a367d6baa" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "resource_types" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "category_id" uuid NOT NULL, "slug" character varying(64) NOT NULL, "name" character varying(255) NOT NULL, "description" text NOT NULL DEFAULT '', "is_countable" boolean NOT NULL DEFAULT true, "sort_order" integer NOT NULL DEFAULT '0', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_f3b0aecec5af5fbe6e825d65bb7" UNIQUE ("slug"), CONSTRAINT "PK_d3bca389a6c56e445c7487b245e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_562737ee1b7771904cbfbba40a" ON "resource_types" ("category_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "resources" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "provider_id" uuid NOT NULL, "organization_id" integer NOT NULL, "resource_type_id" uuid NOT NULL, "vendor_type" character varying(255) NOT NULL DEFAULT '', "name" character varying(512) NOT NULL, "ems_ref" character varying(512) NOT NULL, "canonical_id" character varying(255), "vendor_identifiers" jsonb NOT NULL DEFAULT '{}', "state" character varying(32) NOT NULL DEFAULT 'unknown', "power_state" character varying(16), "region" character varying(255) NOT NULL DEFAULT '', "availability_zone" character varying(255) NOT NULL DEFAULT '', "cloud_tenant" character varying(255) NOT NULL DEFAULT '', "flavor" character varying(255) NOT NULL DEFAULT '', "fqdn" character varying(512) NOT NULL DEFAULT '', "ip_addresses" text array NOT NULL DEFAULT '{}', "os_type" character varying(64) NOT NULL DEFAULT '', "os_name" character varying(255) NOT NULL DEFAULT '', "cpu_count" integer, "memory_mb" integer, "disk_gb" double precision, "properties" jsonb NOT NULL DEFAULT '{}', "provider_tags" jsonb NOT NULL DEFAULT '{}', "description" text NOT NULL DEFAULT '', "boot_time" TIMESTAMP WITH TIME ZONE, "ems_created_on" TIMESTAMP WITH TIME ZONE, "first_discovered_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "seen_count" integer NOT NULL DEFAULT '1', "removed_at" TIMESTAMP WITH TIME ZONE, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_6cd340dd2ae4daed78be60eeeb" CHECK ("power_state" IS NULL OR "power_state" IN ('on', 'off', 'suspended', 'unknown')), CONSTRAINT "CHK_133a76b636575356c64486c4ed" CHECK ("state" IN ('running', 'stopped', 'suspended', 'paused', 'pending', 'terminated', 'maintenance', 'available', 'unavailable', 'error', 'template', 'unknown')), CONSTRAINT "PK_632484ab9dff41bba94f9b7c85e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_b166f77f40e9ee9c927d074024" ON "resources" ("name", "id")`);
    await queryRunner.query(
      `CREATE INDEX "IDX_ca9cc977f1d430c8855302de03" ON "resources" ("provider_id", "last_seen_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_20528a2926aa8e851ba12cb518" ON "resources" ("organization_id", "resource_type_id")`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_0370df4bbec454c7e7100ebf87" ON "resources" ("canonical_id")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_cda0ef57df2a5801bce52857a7" ON "resources" ("provider_id", "ems_ref")`,
    );
    await queryRunner.query(
      `CREATE TABLE "systems" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(255) NOT NULL, "description" text NOT NULL DEFAULT '', "organization_id" integer NOT NULL, "system_key" character varying(64) NOT NULL, "secret_hash" character varying(255) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'unknown', "suspended_at" TIMESTAMP WITH TIME ZONE, "last_heartbeat_at" TIMESTAMP WITH TIME ZONE, "resource_id" uuid, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_9fc90850fca41e52b3c2df67b13" UNIQUE ("system_key"), CONSTRAINT "CHK_18d80e72d31a1a56df1b13cb68" CHECK ("status" IN ('unknown', 'active', 'inactive')), CONSTRAINT "PK_aec3139aedeb09c5ae27f2c94d3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_330ca20c701669f444e4900400" ON "systems" ("status", "last_heartbeat_at")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_f3165f412021a65191db889c57" ON "systems" ("organization_id", "name")`,
    );
    await queryRunner.query(
      `CREATE TABLE "fact_snapshots" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "resource_id" uuid NOT NULL, "system_id" uuid, "organization_id" integer NOT NULL, "client_address" character varying(45) NOT NULL DEFAULT '', "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sha256" character(64) NOT NULL, "system_facts" jsonb NOT NULL DEFAULT '{}', "package_facts" jsonb NOT NULL DEFAULT '{}', "local_facts" jsonb NOT NULL DEFAULT '{}', "size_bytes" integer NOT NULL DEFAULT '0', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8a7b0e2504836369eaa23786cc5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_aa04b20a714a1d1a57bec0806f" ON "fact_snapshots" ("client_address", "received_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_50565a353071f21a96665fffb7" ON "fact_snapshots" ("resource_id", "sha256")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_5cc01b88028a4cf47aabde40e1" ON "fact_snapshots" ("resource_id", "received_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "resource_changes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "resource_id" uuid NOT NULL, "organization_id" integer NOT NULL, "detected_at" TIMESTAMP WITH TIME ZONE NOT NULL, "source" character varying(16) NOT NULL, "collection_run_id" uuid, "fact_snapshot_id" uuid, "field_path" text NOT NULL, "change_type" character varying(16) NOT NULL, "previous_value" jsonb, "current_value" jsonb, "category" character varying(16) NOT NULL, "severity" character varying(16) NOT NULL, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_48b8831a8148e162839c98bae7" CHECK ("source" IN ('collection_run', 'fact_snapshot', 'heartbeat')), CONSTRAINT "CHK_8a2a2d2a98316297a9f311ddd2" CHECK ("severity" IN ('info', 'low', 'medium', 'high', 'critical')), CONSTRAINT "CHK_94e1519579b163d4ecb17906ca" CHECK ("category" IN ('os', 'hardware', 'network', 'storage', 'software', 'security', 'identity', 'configuration', 'state', 'availability')), CONSTRAINT "CHK_09c97b355a0441e6ff872217a8" CHECK ("change_type" IN ('added', 'removed', 'modified', 'restored')), CONSTRAINT "PK_5208c1f06bfe17ea919ca04480c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_4316000b99e2089a2e06d39ccd" ON "resource_changes" ("fact_snapshot_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_1c0989790721f01d5da81c5738" ON "resource_changes" ("collection_run_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_bad4b11a26076b215ffcdb7838" ON "resource_changes" ("organization_id", "detected_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_aa44be4d0a47482bcd05ad005d" ON "resource_changes" ("resource_id", "detected_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "activity_stream" ("id" BIGSERIAL NOT NULL, "actor_id" integer, "actor_username" character varying(150) NOT NULL DEFAULT '', "operation" character varying(64) NOT NULL, "object_type" character varying(64) NOT NULL, "object_id" character varying(64) NOT NULL, "object_repr" character varying(512) NOT NULL DEFAULT '', "changes" jsonb NOT NULL DEFAULT '{}', "organization_id" integer, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_da77751707ee5ad73e74ef2216b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_4dcf93cae803ff93e6863a09b9" ON "activity_stream" ("actor_id", "created")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_f8d54759f27806d25c5078c682" ON "activity_stream" ("organization_id", "created")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_167847f38edeb6dd70b480d65f" ON "activity_stream" ("object_type", "object_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "teams" ("id" SERIAL NOT NULL, "name" character varying(512) NOT NULL, "description" text NOT NULL DEFAULT '', "organization_id" integer NOT NULL, "ansible_id" uuid, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_61d1fd1e4cf444497891caf9eec" UNIQUE ("ansible_id"), CONSTRAINT "PK_7e5523774a38b08a6236d322403" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_ba6a9c2e4799922a90245a5661" ON "teams" ("organization_id", "name")`,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" SERIAL NOT NULL, "username" character varying(150) NOT NULL, "email" character varying(254) NOT NULL DEFAULT '', "first_name" character varying(150) NOT NULL DEFAULT '', "last_name" character varying(150) NOT NULL DEFAULT '', "is_superuser" boolean NOT NULL DEFAULT false, "is_platform_auditor" boolean NOT NULL DEFAULT false, "is_active" boolean NOT NULL DEFAULT true, "password_hash" character varying(255), "ansible_id" uuid, "last_login" TIMESTAMP WITH TIME ZONE, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_fe0bb3f6520ee0469504521e710" UNIQUE ("username"), CONSTRAINT "UQ_361c982924859fa010f7a60a681" UNIQUE ("ansible_id"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "property_definitions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "resource_type_id" uuid NOT NULL, "key" character varying(128) NOT NULL, "name" character varying(255) NOT NULL, "description" text NOT NULL DEFAULT '', "value_type" character varying(16) NOT NULL, "required" boolean NOT NULL DEFAULT false, "vendor_scope" character varying(64) NOT NULL DEFAULT '', "example_value" text NOT NULL DEFAULT '', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_7a59b3335881246ddf1721332f" CHECK ("value_type" IN ('string', 'integer', 'float', 'boolean', 'datetime', 'json')), CONSTRAINT "PK_09013b5e4e940a81de054ac6fd2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_6be856fdfef83067a8ca101d95" ON "property_definitions" ("resource_type_id", "key", "vendor_scope")`,
    );
    await queryRunner.query(
      `CREATE TABLE "role_definitions" ("id" SERIAL NOT NULL, "name" character varying(255) NOT NULL, "description" text NOT NULL DEFAULT '', "permissions" text array NOT NULL DEFAULT '{}', "content_type" character varying(32), "managed" boolean NOT NULL DEFAULT false, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_9c9a352b8f08674d919de9b1c73" UNIQUE ("name"), CONSTRAINT "CHK_a49a19e35b2ece1bc3bc8e074a" CHECK ("content_type" IS NULL OR "content_type" IN ('organization', 'team', 'provider')), CONSTRAINT "PK_b8c680aaa145c6009e6bbbc1820" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "role_assignments" ("id" SERIAL NOT NULL, "role_definition_id" integer NOT NULL, "user_id" integer, "team_id" integer, "object_type" character varying(32), "object_id" character varying(64), "source" character varying(8) NOT NULL DEFAULT 'local', "created_by_id" integer, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_5799aa47f4db12975dbfb166c3" CHECK ("source" IN ('local', 'jwt')), CONSTRAINT "CHK_da8f1a0c4520181d4c1265555c" CHECK (("object_type" IS NULL) = ("object_id" IS NULL)), CONSTRAINT "CHK_d00c86697dd2f95f636c798e61" CHECK (("user_id" IS NULL) <> ("team_id" IS NULL)), CONSTRAINT "PK_fc2df9835ac1d2a34839f113783" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_caed0cbf9fef6029986e7d044e" ON "role_assignments" ("object_type", "object_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_c0a73bf0f59b2ddb7d29d34493" ON "role_assignments" ("team_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_d91c8ac0c10fd8c6acdcc5ee94" ON "role_assignments" ("user_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "resource_relationships" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "source_id" uuid NOT NULL, "target_id" uuid NOT NULL, "relationship_type" character varying(32) NOT NULL, "provider_id" uuid, "organization_id" integer NOT NULL, "properties" jsonb NOT NULL DEFAULT '{}', "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "removed_at" TIMESTAMP WITH TIME ZONE, "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_297fbed04037c531215f5857b0" CHECK ("relationship_type" IN ('runs_on', 'attached_to', 'member_of', 'part_of', 'manages', 'connected_to')), CONSTRAINT "PK_3a9da47ee19d3868e38504f133a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_ae805921bdecf58ce0c51e185d" ON "resource_relationships" ("provider_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_37541d2865bc4ce990f94b7916" ON "resource_relationships" ("target_id", "relationship_type")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_285104bf0528482478fb6ad7e6" ON "resource_relationships" ("source_id", "relationship_type")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_edfdceb0fc4e60f5850a5bf2e3" ON "resource_relationships" ("source_id", "target_id", "relationship_type")`,
    );
    await queryRunner.query(
      `CREATE TABLE "resource_sightings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "resource_id" uuid NOT NULL, "collection_run_id" uuid, "provider_id" uuid NOT NULL, "organization_id" integer NOT NULL, "seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "state" character varying(32) NOT NULL DEFAULT 'unknown', "power_state" character varying(16), "cpu_count" integer, "memory_mb" integer, "disk_gb" double precision, "metrics" jsonb NOT NULL DEFAULT '{}', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_970f18ed3a4364a0451488fd9e" CHECK ("power_state" IS NULL OR "power_state" IN ('on', 'off', 'suspended', 'unknown')), CONSTRAINT "CHK_66d6525207d416d1b56994dc09" CHECK ("state" IN ('running', 'stopped', 'suspended', 'paused', 'pending', 'terminated', 'maintenance', 'available', 'unavailable', 'error', 'template', 'unknown')), CONSTRAINT "PK_af1a472220f67f277c3a149553e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_562dad8c55a3d7a92c84b15b38" ON "resource_sightings" ("provider_id", "seen_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_2a618f16f1093e64c7394e4f9b" ON "resource_sightings" ("collection_run_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "vendor_type_mappings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "vendor" character varying(64) NOT NULL, "vendor_resource_type" character varying(255) NOT NULL, "resource_type_id" uuid NOT NULL, "ansible_collection" character varying(255) NOT NULL DEFAULT '', "description" text NOT NULL DEFAULT '', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "modified" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_caa402b66c486e05efbccc35e13" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_7eee2e0770d18d3fee675d708e" ON "vendor_type_mappings" ("resource_type_id")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_13aa34a2427727d9b2de9c794a" ON "vendor_type_mappings" ("vendor", "vendor_resource_type")`,
    );
    await queryRunner.query(
      `ALTER TABLE "providers" ADD CONSTRAINT "FK_5e2d2ca13834072877463e81745" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "collection_runs" ADD CONSTRAINT "FK_81ddbcd7fa8be32077d5b4ba42e" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_types" ADD CONSTRAINT "FK_562737ee1b7771904cbfbba40a0" FOREIGN KEY ("category_id") REFERENCES "resource_categories"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resources" ADD CONSTRAINT "FK_d06fdb5cecdbc3cd890626cd99e" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resources" ADD CONSTRAINT "FK_609437a6806647507a863bf2166" FOREIGN KEY ("resource_type_id") REFERENCES "resource_types"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "systems" ADD CONSTRAINT "FK_610b234324e3e48464aa9dcfca9" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "systems" ADD CONSTRAINT "FK_5fa01abe3f1f4c9a2a90325c349" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "fact_snapshots" ADD CONSTRAINT "FK_c4f041cb22690fc06cb8b805d1f" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "fact_snapshots" ADD CONSTRAINT "FK_9db07b4c83476c9c42348f4255c" FOREIGN KEY ("system_id") REFERENCES "systems"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_changes" ADD CONSTRAINT "FK_cb61cfaaa739b9f372647892eac" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_changes" ADD CONSTRAINT "FK_1c0989790721f01d5da81c5738d" FOREIGN KEY ("collection_run_id") REFERENCES "collection_runs"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_changes" ADD CONSTRAINT "FK_4316000b99e2089a2e06d39ccd0" FOREIGN KEY ("fact_snapshot_id") REFERENCES "fact_snapshots"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "teams" ADD CONSTRAINT "FK_fdc736f761896ccc179c823a785" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "property_definitions" ADD CONSTRAINT "FK_8cb5a8e627d361787f6a15361d8" FOREIGN KEY ("resource_type_id") REFERENCES "resource_types"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "role_assignments" ADD CONSTRAINT "FK_2658de61f23b069839958789ad9" FOREIGN KEY ("role_definition_id") REFERENCES "role_definitions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "role_assignments" ADD CONSTRAINT "FK_d91c8ac0c10fd8c6acdcc5ee946" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "role_assignments" ADD CONSTRAINT "FK_c0a73bf0f59b2ddb7d29d344931" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_relationships" ADD CONSTRAINT "FK_d38d7185f9130c16f927f5f474d" FOREIGN KEY ("source_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_relationships" ADD CONSTRAINT "FK_660558d5858d7de1b0a47a5b668" FOREIGN KEY ("target_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_relationships" ADD CONSTRAINT "FK_ae805921bdecf58ce0c51e185d6" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_sightings" ADD CONSTRAINT "FK_7715e2cfba215e6f862f6d85be1" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "resource_sightings" ADD CONSTRAINT "FK_2a618f16f1093e64c7394e4f9bb" FOREIGN KEY ("collection_run_id") REFERENCES "collection_runs"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "vendor_type_mappings" ADD CONSTRAINT "FK_7eee2e0770d18d3fee675d708e4" FOREIGN KEY ("resource_type_id") REFERENCES "resource_types"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Hand-written: what TypeORM cannot declare on entities.
    await queryRunner.query(
      `CREATE INDEX "IDX_resources_properties_gin" ON "resources" USING gin ("properties" jsonb_path_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_resources_provider_tags_gin" ON "resources" USING gin ("provider_tags" jsonb_path_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_resources_vendor_identifiers_gin" ON "resources" USING gin ("vendor_identifiers" jsonb_path_ops)`,
    );
    // One trigram index over every searched text column; the list query searches this exact expression.
    await queryRunner.query(
      `CREATE INDEX "IDX_resources_search_trgm" ON "resources" USING gin ((("name" || ' ' || "ems_ref" || ' ' || coalesce("canonical_id", '') || ' ' || "fqdn" || ' ' || "vendor_type")) gin_trgm_ops)`,
    );
    // History of one resource: newest first, with the aggregated columns included for index-only scans.
    await queryRunner.query(
      `CREATE INDEX "IDX_resource_sightings_history" ON "resource_sightings" ("resource_id", "seen_at" DESC) INCLUDE ("state", "power_state", "cpu_count", "memory_mb", "disk_gb")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_resource_sightings_seen_at" ON "resource_sightings" ("seen_at" DESC, "id" DESC)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_role_assignments_subject_object" ON "role_assignments" ("role_definition_id", "user_id", "team_id", "object_type", "object_id") NULLS NOT DISTINCT`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "vendor_type_mappings" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "resource_sightings" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "resource_relationships" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "role_assignments" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "role_definitions" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "property_definitions" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "users" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "teams" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "activity_stream" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "resource_changes" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "fact_snapshots" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "systems" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "resources" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "resource_types" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "resource_categories" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "collection_runs" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "providers" CASCADE`);
    await queryRunner.query(`DROP TABLE IF EXISTS "organizations" CASCADE`);
  }
}
