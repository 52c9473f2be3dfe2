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
import { ResourceEntity } from '../resources/resource.entity.js';

export const SYSTEM_STATUSES = ['unknown', 'active', 'inactive'] as const;
export type SystemStatus = (typeof SYSTEM_STATUSES)[number];

/** An enrolled push client (agent) with its own credentials. */
@Entity('systems')
@Index(['organizationId', 'name'], { unique: true })
@Index(['status', 'lastHeartbeatAt'])
@Check(inList('status', SYSTEM_STATUSES))
export class SystemEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'int' }) organizationId: number;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity>;
  /** Public half of the credentials, e.g. SYS-XXXX-XXXX-XXXX-XXXX. */
  @Column({ type: 'varchar', length: 64, unique: true }) systemKey: string;
  /** Salted slow hash of the secret; the secret itself is shown once. */
  @Column({ type: 'varchar', length: 255 }) secretHash: string;
  @Column({ type: 'varchar', length: 16, default: 'unknown' }) status: SystemStatus;
  @Column({ type: 'timestamptz', nullable: true }) suspendedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastHeartbeatAt: Date | null;
  /** The host resource, once facts have arrived. */
  @Column({ type: 'uuid', nullable: true }) resourceId: string | null;
  @ManyToOne(() => ResourceEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'resource_id' })
  resource: Relation<ResourceEntity> | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
