import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { inList } from '../database/sql-checks.js';
import { ProviderEntity } from '../providers/provider.entity.js';
import { ResourceEntity } from '../resources/resource.entity.js';
import { RELATIONSHIP_TYPES, type RelationshipType } from './relationship.enums.js';

/**
 * A typed edge between two resources (VM runs_on host, host part_of cluster, ...).
 * No database foreign keys (a first run inserts ~3 edges per resource): triggers give the
 * same ON DELETE behaviour, see migrations/1764800000000-collection-write-path.ts. The
 * stored last_seen_at of an open edge can lag; read it through relationship-last-seen.sql.ts.
 */
@Entity('resource_relationships')
// The unique index also serves lookups by source_id (and type): no separate index.
@Index(['sourceId', 'targetId', 'relationshipType'], { unique: true })
@Index(['targetId', 'relationshipType'])
@Index(['providerId'])
@Check(inList('relationship_type', RELATIONSHIP_TYPES))
export class ResourceRelationshipEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) sourceId: string;
  @ManyToOne(() => ResourceEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'source_id' })
  source: Relation<ResourceEntity>;
  @Column({ type: 'uuid' }) targetId: string;
  @ManyToOne(() => ResourceEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'target_id' })
  target: Relation<ResourceEntity>;
  @Column({ type: 'varchar', length: 32 }) relationshipType: RelationshipType;
  /** The provider whose collection reported the edge. */
  @Column({ type: 'uuid', nullable: true }) providerId: string | null;
  @ManyToOne(() => ProviderEntity, { nullable: true, createForeignKeyConstraints: false })
  @JoinColumn({ name: 'provider_id' })
  provider: Relation<ProviderEntity> | null;
  @Column({ type: 'int' }) organizationId: number;
  @Column({ type: 'jsonb', default: {} }) properties: Record<string, unknown>;
  @Column({ type: 'timestamptz', default: () => 'now()' }) firstSeenAt: Date;
  @Column({ type: 'timestamptz', default: () => 'now()' }) lastSeenAt: Date;
  /** Set when a successful full collection no longer reports the edge. */
  @Column({ type: 'timestamptz', nullable: true }) removedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
