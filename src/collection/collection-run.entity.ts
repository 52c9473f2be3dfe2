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
import {
  COLLECTION_TYPES,
  RUN_STATUSES,
  RUN_TRIGGERS,
  type CollectionType,
  type RunStatus,
  type RunTrigger,
} from './collection-run.enums.js';

/** One execution of a provider's plugin. */
@Entity('collection_runs')
@Check(inList('status', RUN_STATUSES))
@Check(inList('collection_type', COLLECTION_TYPES))
@Check(inList('triggered_by', RUN_TRIGGERS))
// At most one pending-or-running run per provider, enforced by the database so that
// concurrent collect requests cannot both win.
@Index('UQ_collection_runs_one_active_per_provider', ['providerId'], {
  unique: true,
  where: `"status" IN ('pending', 'running')`,
})
@Index(['providerId', 'created'])
@Index(['status'])
export class CollectionRunEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) providerId: string;
  @ManyToOne(() => ProviderEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider: Relation<ProviderEntity>;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status: RunStatus;
  @Column({ type: 'varchar', length: 16, default: 'full' }) collectionType: CollectionType;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) targetResourceTypes: string[];
  /** The job queue's id for this run. */
  @Column({ type: 'varchar', length: 64, nullable: true }) taskId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) completedAt: Date | null;
  @Column({ type: 'double precision', nullable: true }) durationSeconds: number | null;
  @Column({ type: 'int', default: 0 }) resourcesFound: number;
  @Column({ type: 'int', default: 0 }) resourcesCreated: number;
  @Column({ type: 'int', default: 0 }) resourcesUpdated: number;
  @Column({ type: 'int', default: 0 }) resourcesUnchanged: number;
  @Column({ type: 'int', default: 0 }) resourcesRemoved: number;
  @Column({ type: 'text', default: '' }) errorMessage: string;
  /** Records the run could not store (unknown resource type, dangling relationship). */
  @Column({ type: 'int', default: 0 }) resourcesRejected: number;
  /** Why records were rejected (the first few), and other non-fatal notes. */
  @Column({ type: 'jsonb', default: [] }) warnings: string[];
  /** The worker renews this while it runs; a run whose lease expired ends failed. */
  @Column({ type: 'timestamptz', nullable: true }) leaseExpiresAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) cancelRequestedAt: Date | null;
  @Column({ type: 'varchar', length: 16, default: 'user' }) triggeredBy: RunTrigger;
  @Column({ type: 'int', nullable: true }) triggeredByUserId: number | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
