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
import { OrganizationEntity } from '../platform/organization.entity.js';
import { UserEntity } from '../platform/user.entity.js';
import { INFRASTRUCTURES, type Infrastructure } from './provider.enums.js';

/** A connection to one infrastructure endpoint, collected by the plugin `vendor:provider_type`. */
@Entity('providers')
@Index(['organizationId', 'name'], { unique: true })
@Index(['vendor', 'providerType'])
@Check(inList('infrastructure', INFRASTRUCTURES))
export class ProviderEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'int' }) organizationId: number;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity>;
  @Column({ type: 'varchar', length: 64 }) vendor: string;
  @Column({ type: 'varchar', length: 64 }) providerType: string;
  @Column({ type: 'varchar', length: 32 }) infrastructure: Infrastructure;
  @Column({ type: 'varchar', length: 1024, default: '' }) endpoint: string;
  /** Plugin connection settings; values under secret-looking keys are AES-256-GCM ciphertext. */
  @Column({ type: 'jsonb', default: {} }) connectionConfig: Record<string, unknown>;
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  @Column({ type: 'timestamptz', nullable: true }) lastCollectionAt: Date | null;
  /** A cron expression, or an interval in seconds; null: collected on demand only. */
  @Column({ type: 'varchar', length: 128, nullable: true }) schedule: string | null;
  @Index('IDX_providers_next_collection_at')
  @Column({ type: 'timestamptz', nullable: true })
  nextCollectionAt: Date | null;
  /**
   * When the provider's last successful full collection saw its relationships: every
   * edge of the provider still open was seen then (see relationship-last-seen.sql.ts).
   */
  @Column({ type: 'timestamptz', nullable: true }) relationshipsSeenAt: Date | null;
  @Column({ type: 'int', nullable: true }) createdById: number | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'FK_providers_created_by' })
  createdBy: Relation<UserEntity> | null;
  @Column({ type: 'int', nullable: true }) modifiedById: number | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'modified_by_id', foreignKeyConstraintName: 'FK_providers_modified_by' })
  modifiedBy: Relation<UserEntity> | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
