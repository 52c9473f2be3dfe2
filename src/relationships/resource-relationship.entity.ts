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

/** A typed edge between two resources (VM runs_on host, host part_of cluster, ...). */
@Entity('resource_relationships')
@Index(['sourceId', 'targetId', 'relationshipType'], { unique: true })
@Index(['sourceId', 'relationshipType'])
@Index(['targetId', 'relationshipType'])
@Index(['providerId'])
@Check(inList('relationship_type', RELATIONSHIP_TYPES))
export class ResourceRelationshipEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) sourceId: string;
  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'source_id' })
  source: Relation<ResourceEntity>;
  @Column({ type: 'uuid' }) targetId: string;
  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'target_id' })
  target: Relation<ResourceEntity>;
  @Column({ type: 'varchar', length: 32 }) relationshipType: RelationshipType;
  /** The provider whose collection reported the edge. */
  @Column({ type: 'uuid', nullable: true }) providerId: string | null;
  @ManyToOne(() => ProviderEntity, { onDelete: 'CASCADE', nullable: true })
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
