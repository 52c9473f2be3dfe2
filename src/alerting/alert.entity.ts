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
import { SystemEntity } from '../facts/system.entity.js';
import { OrganizationEntity } from '../platform/organization.entity.js';
import { UserEntity } from '../platform/user.entity.js';
import { ResourceEntity } from '../resources/resource.entity.js';
import { AlertRuleEntity } from './alert-rule.entity.js';

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
/** Where an alert came from: the inventory's own rules, or Alertmanager's webhook (POST /alert_history). */
export const ALERT_SOURCES = ['inventory', 'alertmanager'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

/**
 * One alert occurrence: a fingerprint (stable over its labels) firing from `starts_at`
 * until resolved. Repeated notifications of the same occurrence update this row.
 */
@Entity('alerts')
@Index(['organizationId', 'fingerprint', 'startsAt'], { unique: true })
@Index(['organizationId', 'status', 'startsAt'])
@Index(['systemId'])
@Index(['resourceId'])
@Index(['ruleId', 'created'])
@Index(['pushDueAt'], { where: 'push_due_at IS NOT NULL' })
@Check(inList('status', ALERT_STATUSES))
@Check(inList('source', ALERT_SOURCES))
export class AlertEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** null: the platform's own (IngestStalled), seen only by global alert.view holders. */
  @Column({ type: 'int', nullable: true }) organizationId: number | null;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity> | null;
  @Column({ type: 'varchar', length: 16 }) source: AlertSource;
  @Column({ type: 'varchar', length: 255 }) alertname: string;
  /** The `severity` label (critical, warning, info, … as the sender spells it). */
  @Column({ type: 'varchar', length: 32, default: 'none' }) severity: string;
  @Column({ type: 'varchar', length: 16 }) status: AlertStatus;
  @Column({ type: 'varchar', length: 64 }) fingerprint: string;
  @Column({ type: 'jsonb', default: {} }) labels: Record<string, string>;
  @Column({ type: 'jsonb', default: {} }) annotations: Record<string, unknown>;
  @Column({ type: 'timestamptz' }) startsAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) endsAt: Date | null;
  /** The last notification about this occurrence. */
  @Column({ type: 'timestamptz' }) lastReceivedAt: Date;
  /** Alertmanager's receiver that reported it. */
  @Column({ type: 'varchar', length: 255, nullable: true }) receiver: string | null;
  @Column({ type: 'uuid', nullable: true }) systemId: string | null;
  @ManyToOne(() => SystemEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'system_id' })
  system: Relation<SystemEntity> | null;
  @Column({ type: 'uuid', nullable: true }) resourceId: string | null;
  @ManyToOne(() => ResourceEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'resource_id' })
  resource: Relation<ResourceEntity> | null;
  /** The inventory's rule that opened it (source inventory). */
  @Column({ type: 'uuid', nullable: true }) ruleId: string | null;
  @ManyToOne(() => AlertRuleEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'rule_id' })
  rule: Relation<AlertRuleEntity> | null;
  /** How many matches (events, checks) this occurrence has had. */
  @Column({ type: 'int', default: 1 }) matchCount: number;
  /** When the inventory next sends it to Alertmanager (a refresh while firing, the resolve); null: nothing to send. */
  @Column({ type: 'timestamptz', nullable: true }) pushDueAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) acknowledgedAt: Date | null;
  @Column({ type: 'int', nullable: true }) acknowledgedById: number | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'acknowledged_by_id' })
  acknowledgedBy: Relation<UserEntity> | null;
  @Column({ type: 'int', nullable: true }) resolvedById: number | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'resolved_by_id' })
  resolvedBy: Relation<UserEntity> | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
