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
import { ResourceEntity } from '../resources/resource.entity.js';
import { APPLIED_RULES } from './match-rules.js';

/** What happened to the host in the job (Ansible's per-host recap, summarized). */
export const HOST_STATUSES = ['ok', 'changed', 'failed', 'unreachable', 'skipped'] as const;
export type HostStatus = (typeof HOST_STATUSES)[number];

/**
 * matched: one candidate at or above the threshold; pending: candidates wait in
 * /pending-matches/; confirmed: a person confirmed one; rejected: a person rejected every
 * candidate; unmatched: no rule found a candidate.
 */
export const MATCH_STATUSES = ['matched', 'pending', 'confirmed', 'rejected', 'unmatched'] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

/**
 * One host of one automation job (an AAP/AWX job or an ansible-playbook run), with the
 * identity the host reported and the resource it was matched to. One row per
 * (organization, job_id, host_name): posting the same pair again updates it.
 */
@Entity('automation_records')
@Index(['organizationId', 'jobId', 'hostName'], { unique: true })
@Index(['organizationId', 'startedAt'])
@Index(['resourceId', 'automatedAt'])
@Check(inList('status', HOST_STATUSES))
@Check(inList('match_status', MATCH_STATUSES))
@Check(inList('match_rule', APPLIED_RULES, true))
export class AutomationRecordEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'int' }) organizationId: number;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity>;
  @Column({ type: 'varchar', length: 255 }) jobId: string;
  @Column({ type: 'varchar', length: 512, default: '' }) jobName: string;
  @Column({ type: 'varchar', length: 512, default: '' }) jobTemplate: string;
  @Column({ type: 'varchar', length: 1024, default: '' }) playbook: string;
  @Column({ type: 'timestamptz' }) startedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt: Date | null;
  /** finished_at, else started_at: what "last automated" means for the resource. */
  @Column({ type: 'timestamptz' }) automatedAt: Date;
  @Column({ type: 'varchar', length: 16 }) status: HostStatus;
  /** Ansible's task counts for the host (ok, changed, failed, unreachable, skipped, ...). */
  @Column({ type: 'jsonb', default: {} }) taskCounts: Record<string, number>;
  /** The host's name in the job's inventory. */
  @Column({ type: 'varchar', length: 512 }) hostName: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) smbiosSerial: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) biosUuid: string | null;
  @Column({ type: 'text', array: true, default: '{}' }) macAddresses: string[];
  @Column({ type: 'text', array: true, default: '{}' }) ipAddresses: string[];
  @Column({ type: 'varchar', length: 512, nullable: true }) fqdn: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) hostname: string | null;
  @Column({ type: 'uuid', nullable: true }) resourceId: string | null;
  @ManyToOne(() => ResourceEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'resource_id' })
  resource: Relation<ResourceEntity> | null;
  @Column({ type: 'varchar', length: 16, default: 'unmatched' }) matchStatus: MatchStatus;
  /** The rule that matched or proposed (null: unmatched). */
  @Column({ type: 'varchar', length: 32, nullable: true }) matchRule: string | null;
  @Column({ type: 'numeric', precision: 4, scale: 3, nullable: true }) matchConfidence: string | null;
  @Column({ type: 'timestamptz', nullable: true }) matchedAt: Date | null;
  @Column({ type: 'int', nullable: true }) createdById: number | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'created_by_id' })
  createdBy: Relation<UserEntity> | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}

/** pending: waits for a person; confirmed / rejected: decided; superseded: another candidate of its record was confirmed. */
export const PENDING_MATCH_STATUSES = ['pending', 'confirmed', 'rejected', 'superseded'] as const;
export type PendingMatchStatus = (typeof PENDING_MATCH_STATUSES)[number];

/** A proposed (record, resource) pair a person confirms or rejects. */
@Entity('pending_matches')
@Index(['recordId', 'resourceId'], { unique: true })
@Index(['organizationId', 'status', 'created'])
@Index(['resourceId'])
@Check(inList('status', PENDING_MATCH_STATUSES))
@Check(inList('match_rule', APPLIED_RULES))
export class PendingMatchEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'int' }) organizationId: number;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity>;
  @Column({ type: 'uuid' }) recordId: string;
  @ManyToOne(() => AutomationRecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_id' })
  record: Relation<AutomationRecordEntity>;
  @Column({ type: 'uuid' }) resourceId: string;
  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_id' })
  resource: Relation<ResourceEntity>;
  @Column({ type: 'varchar', length: 32 }) matchRule: string;
  @Column({ type: 'numeric', precision: 4, scale: 3 }) matchConfidence: string;
  /** How many candidates the rule found for the record (more than one: ambiguous). */
  @Column({ type: 'int', default: 1 }) candidateCount: number;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status: PendingMatchStatus;
  @Column({ type: 'int', nullable: true }) resolvedById: number | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'resolved_by_id' })
  resolvedBy: Relation<UserEntity> | null;
  @Column({ type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}

export const HOST_DECISIONS = ['confirmed', 'rejected'] as const;
export type HostDecision = (typeof HOST_DECISIONS)[number];

/**
 * What people decided about a host name and a resource: a confirmed pair matches later
 * records of that host name first (rule `confirmed`); a rejected pair is never proposed again.
 */
@Entity('automation_host_decisions')
@Index(['organizationId', 'hostName', 'resourceId'], { unique: true })
@Index(['resourceId'])
@Check(inList('decision', HOST_DECISIONS))
export class AutomationHostDecisionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'int' }) organizationId: number;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity>;
  @Column({ type: 'varchar', length: 512 }) hostName: string;
  @Column({ type: 'uuid' }) resourceId: string;
  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_id' })
  resource: Relation<ResourceEntity>;
  @Column({ type: 'varchar', length: 16 }) decision: HostDecision;
  @Column({ type: 'int', nullable: true }) decidedById: number | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'decided_by_id' })
  decidedBy: Relation<UserEntity> | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
