import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { ResourceEntity } from '../resources/resource.entity.js';
import { SystemEntity } from './system.entity.js';

/** A pushed document (system, package and local facts), deduplicated by sha256. */
@Entity('fact_snapshots')
@Index(['resourceId', 'receivedAt'])
@Index(['resourceId', 'sha256'])
@Index(['clientAddress', 'receivedAt'])
export class FactSnapshotEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) resourceId: string;
  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_id' })
  resource: Relation<ResourceEntity>;
  @Column({ type: 'uuid', nullable: true }) systemId: string | null;
  @ManyToOne(() => SystemEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'system_id' })
  system: Relation<SystemEntity> | null;
  @Column({ type: 'int' }) organizationId: number;
  @Column({ type: 'varchar', length: 45, default: '' }) clientAddress: string;
  @Column({ type: 'timestamptz' }) receivedAt: Date;
  /** sha256 (hex) of the canonical JSON of the three parts. */
  @Column({ type: 'char', length: 64 }) sha256: string;
  @Column({ type: 'jsonb', default: {} }) systemFacts: Record<string, unknown>;
  @Column({ type: 'jsonb', default: {} }) packageFacts: Record<string, unknown>;
  @Column({ type: 'jsonb', default: {} }) localFacts: Record<string, unknown>;
  @Column({ type: 'int', default: 0 }) sizeBytes: number;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
}
