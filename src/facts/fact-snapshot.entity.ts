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
import { ResourceEntity } from '../resources/resource.entity.js';
import { SystemEntity } from './system.entity.js';

/** Kinds of pushed document: Ansible facts (three parts) and collector-agent inventories. */
export const FACT_SNAPSHOT_KINDS = ['ansible', 'agent'] as const;
export type FactSnapshotKind = (typeof FACT_SNAPSHOT_KINDS)[number];

/**
 * A pushed document (system, package and local facts), deduplicated by sha256. A push is
 * diffed only against the previous snapshot of the same kind.
 */
@Entity('fact_snapshots')
@Check('CHK_fact_snapshots_kind', `"kind" IN ('ansible', 'agent')`)
@Index('IDX_fact_snapshots_resource_kind_received', ['resourceId', 'kind', 'receivedAt'])
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
  @Column({ type: 'varchar', length: 16, default: 'ansible' }) kind: FactSnapshotKind;
  @Column({ type: 'jsonb', default: {} }) systemFacts: Record<string, unknown>;
  @Column({ type: 'jsonb', default: {} }) packageFacts: Record<string, unknown>;
  @Column({ type: 'jsonb', default: {} }) localFacts: Record<string, unknown>;
  @Column({ type: 'int', default: 0 }) sizeBytes: number;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
}
