import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { CollectionRunEntity } from '../collection/collection-run.entity.js';
import { inList } from '../database/sql-checks.js';
import { ResourceEntity } from '../resources/resource.entity.js';
import {
  POWER_STATES,
  RESOURCE_STATES,
  type PowerState,
  type ResourceState,
} from '../resources/resource.enums.js';

/**
 * A point-in-time observation of a resource (one per collection run or accepted push).
 * Append-only, so it has `created` but no `modified`. The history index
 * (resource_id, seen_at DESC) INCLUDE (state, power_state, cpu_count, memory_mb, disk_gb)
 * lets /history/ aggregate 100,000 sightings with an index-only scan; it is created in
 * the migration because TypeORM cannot declare INCLUDE columns.
 *
 * No database foreign keys (their per-row trigger halved the write rate): triggers give
 * the same ON DELETE behaviour, see migrations/1764800000000-collection-write-path.ts.
 */
@Entity('resource_sightings')
@Index('IDX_resource_sightings_history', { synchronize: false })
@Index('IDX_resource_sightings_seen_at', { synchronize: false })
@Index(['collectionRunId'])
@Index(['providerId', 'seenAt'])
@Check(inList('state', RESOURCE_STATES))
@Check(inList('power_state', POWER_STATES, true))
export class ResourceSightingEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) resourceId: string;
  @ManyToOne(() => ResourceEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'resource_id' })
  resource: Relation<ResourceEntity>;
  /** Null for sightings that come from a push. */
  @Column({ type: 'uuid', nullable: true }) collectionRunId: string | null;
  @ManyToOne(() => CollectionRunEntity, { nullable: true, createForeignKeyConstraints: false })
  @JoinColumn({ name: 'collection_run_id' })
  collectionRun: Relation<CollectionRunEntity> | null;
  /** Copied from the resource for filtering without a join. */
  @Column({ type: 'uuid' }) providerId: string;
  @Column({ type: 'int' }) organizationId: number;
  @Column({ type: 'timestamptz' }) seenAt: Date;
  @Column({ type: 'varchar', length: 32, default: 'unknown' }) state: ResourceState;
  @Column({ type: 'varchar', length: 16, nullable: true }) powerState: PowerState | null;
  @Column({ type: 'int', nullable: true }) cpuCount: number | null;
  @Column({ type: 'int', nullable: true }) memoryMb: number | null;
  @Column({ type: 'double precision', nullable: true }) diskGb: number | null;
  /** Type-specific measurements (CPU ready %, datastore free space, ...). */
  @Column({ type: 'jsonb', default: {} }) metrics: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
}
