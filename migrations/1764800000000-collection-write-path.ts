import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The collection write path without per-row foreign-key triggers.
 *
 * A foreign key costs one trigger call per inserted row, and each call locks the
 * referenced row (SELECT … FOR KEY SHARE), which dirties the page of the wide resources
 * row it points at. Measured on the 100,000-VM lab (bench/README.md): the three keys of
 * resource_relationships made a first run's 305,500 edge inserts take 18.5 s instead of
 * 5.8 s, and the two keys of resource_sightings doubled the cost of a run's sightings.
 *
 * These append-heavy tables only ever receive ids that the same statement read from
 * resources (the batch writer) or locked (pushed facts), and the collection writer holds
 * a FOR KEY SHARE lock on its provider row while it writes, so a provider deletion cannot
 * slip in between. The ON DELETE behaviour the keys gave is kept by triggers:
 * - deleting a provider first removes its sightings, relationships and tracking rows in
 *   bulk through their provider_id indexes (before the cascade to resources and runs);
 * - deleting resources (any way) removes their sightings, tracking rows and edges, once
 *   per statement with the deleted ids as a transition table;
 * - deleting collection runs clears the sightings' collection_run_id (was SET NULL).
 *
 * Relationships: a full run no longer rewrites every edge it sees again. It inserts new
 * edges, reopens closed ones, closes the ones it did not see, and stamps
 * providers.relationships_seen_at; an open edge's last_seen_at is derived from that stamp
 * (src/relationships/relationship-last-seen.sql.ts).
 *
 * The (source_id, relationship_type) index goes: the unique (source_id, target_id,
 * relationship_type) index answers the same lookups, and each index on this table costs
 * about a second per 300,000 new edges.
 *
 * The trigram search index gets a larger pending list, so a run's inserts are merged into
 * it in larger sorted batches (about 40% less time on the first run's 108,000 rows); a
 * search reads at most that much unmerged list (~18 ms measured at 27 MB).
 */
export class CollectionWritePath1764800000000 implements MigrationInterface {
  name = 'CollectionWritePath1764800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, constraint] of FOREIGN_KEYS)
      await queryRunner.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${constraint}"`);

    await queryRunner.query(`
      CREATE FUNCTION inventory_provider_deleting() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM resource_sightings WHERE provider_id = OLD.id;
        DELETE FROM resource_relationships WHERE provider_id = OLD.id;
        DELETE FROM resource_tracking rt USING resources r WHERE r.provider_id = OLD.id AND rt.resource_id = r.id;
        RETURN OLD;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "providers_deleting" BEFORE DELETE ON "providers" FOR EACH ROW EXECUTE FUNCTION inventory_provider_deleting()`,
    );

    await queryRunner.query(`
      CREATE FUNCTION inventory_resources_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM resource_sightings s USING gone g WHERE s.resource_id = g.id;
        DELETE FROM resource_relationships rel USING gone g WHERE rel.source_id = g.id;
        DELETE FROM resource_relationships rel USING gone g WHERE rel.target_id = g.id;
        DELETE FROM resource_tracking rt USING gone g WHERE rt.resource_id = g.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "resources_deleted" AFTER DELETE ON "resources" REFERENCING OLD TABLE AS gone
       FOR EACH STATEMENT EXECUTE FUNCTION inventory_resources_deleted()`,
    );

    await queryRunner.query(`
      CREATE FUNCTION inventory_collection_runs_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE resource_sightings s SET collection_run_id = NULL FROM gone g WHERE s.collection_run_id = g.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "collection_runs_deleted" AFTER DELETE ON "collection_runs" REFERENCING OLD TABLE AS gone
       FOR EACH STATEMENT EXECUTE FUNCTION inventory_collection_runs_deleted()`,
    );

    await queryRunner.query(`ALTER TABLE "providers" ADD "relationships_seen_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER INDEX "IDX_resources_search_trgm" SET (gin_pending_list_limit = 32768)`);
    await queryRunner.query(`DROP INDEX "IDX_285104bf0528482478fb6ad7e6"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_285104bf0528482478fb6ad7e6" ON "resource_relationships" ("source_id", "relationship_type")`,
    );
    await queryRunner.query(`ALTER INDEX "IDX_resources_search_trgm" RESET (gin_pending_list_limit)`);
    // Fold the provider stamp back into the open edges it stands for.
    await queryRunner.query(
      `UPDATE resource_relationships rel SET last_seen_at = p.relationships_seen_at
       FROM providers p WHERE rel.provider_id = p.id AND rel.removed_at IS NULL
         AND p.relationships_seen_at > rel.last_seen_at`,
    );
    await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "relationships_seen_at"`);
    await queryRunner.query(`DROP TRIGGER "collection_runs_deleted" ON "collection_runs"`);
    await queryRunner.query(`DROP FUNCTION inventory_collection_runs_deleted()`);
    await queryRunner.query(`DROP TRIGGER "resources_deleted" ON "resources"`);
    await queryRunner.query(`DROP FUNCTION inventory_resources_deleted()`);
    await queryRunner.query(`DROP TRIGGER "providers_deleting" ON "providers"`);
    await queryRunner.query(`DROP FUNCTION inventory_provider_deleting()`);
    for (const [table, constraint, definition] of FOREIGN_KEYS)
      await queryRunner.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${constraint}" ${definition}`);
  }
}

const FOREIGN_KEYS: [table: string, constraint: string, definition: string][] = [
  [
    'resource_relationships',
    'FK_d38d7185f9130c16f927f5f474d',
    `FOREIGN KEY ("source_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  ],
  [
    'resource_relationships',
    'FK_660558d5858d7de1b0a47a5b668',
    `FOREIGN KEY ("target_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  ],
  [
    'resource_relationships',
    'FK_ae805921bdecf58ce0c51e185d6',
    `FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  ],
  [
    'resource_sightings',
    'FK_7715e2cfba215e6f862f6d85be1',
    `FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
  ],
  [
    'resource_sightings',
    'FK_2a618f16f1093e64c7394e4f9bb',
    `FOREIGN KEY ("collection_run_id") REFERENCES "collection_runs"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
  ],
  [
    'resource_tracking',
    'FK_resource_tracking_resource',
    `FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE`,
  ],
];
