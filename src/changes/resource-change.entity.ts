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
import { FactSnapshotEntity } from '../facts/fact-snapshot.entity.js';
import { ResourceEntity } from '../resources/resource.entity.js';
import {
  CHANGE_CATEGORIES,
  CHANGE_SEVERITIES,
  CHANGE_SOURCES,
  CHANGE_TYPES,
  type ChangeCategory,
  type ChangeSeverity,
  type ChangeSource,
  type ChangeType,
} from './resource-change.enums.js';

/** One detected drift of one field of one resource. Never deleted by retention. */
@Entity('resource_changes')
@Index(['resourceId', 'detectedAt'])
@Index(['organizationId', 'detectedAt'])
@Index(['collectionRunId'])
@Index(['factSnapshotId'])
// Partial, created by migrations/1766400000000-resource-present-at.ts.
@Index('IDX_resource_changes_restorations', { synchronize: false })
@Check(inList('change_type', CHANGE_TYPES))
@Check(inList('category', CHANGE_CATEGORIES))
@Check(inList('severity', CHANGE_SEVERITIES))
@Check(inList('source', CHANGE_SOURCES))
export class ResourceChangeEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) resourceId: string;
  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_id' })
  resource: Relation<ResourceEntity>;
  @Column({ type: 'int' }) organizationId: number;
  @Column({ type: 'timestamptz' }) detectedAt: Date;
  @Column({ type: 'varchar', length: 16 }) source: ChangeSource;
  @Column({ type: 'uuid', nullable: true }) collectionRunId: string | null;
  @ManyToOne(() => CollectionRunEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'collection_run_id' })
  collectionRun: Relation<CollectionRunEntity> | null;
  @Column({ type: 'uuid', nullable: true }) factSnapshotId: string | null;
  @ManyToOne(() => FactSnapshotEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'fact_snapshot_id' })
  factSnapshot: Relation<FactSnapshotEntity> | null;
  /** A stable readable path such as `memory_mb` or `packages.nginx.version`. */
  @Column({ type: 'text' }) fieldPath: string;
  @Column({ type: 'varchar', length: 16 }) changeType: ChangeType;
  @Column({ type: 'jsonb', nullable: true }) previousValue: unknown;
  @Column({ type: 'jsonb', nullable: true }) currentValue: unknown;
  @Column({ type: 'varchar', length: 16 }) category: ChangeCategory;
  @Column({ type: 'varchar', length: 16 }) severity: ChangeSeverity;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
}
