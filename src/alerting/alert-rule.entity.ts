import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { CHANGE_SEVERITIES } from '../changes/resource-change.enums.js';
import { inList } from '../database/sql-checks.js';
import { OrganizationEntity } from '../platform/organization.entity.js';

/** The built-in rules every organization has (on by default, editable, never deleted). */
export const BUILTIN_RULES = [
  'link_failed',
  'collection_run_failed',
  'resource_removed',
  'critical_change',
] as const;
export type BuiltinRule = (typeof BUILTIN_RULES)[number];

/** The `severity` a rule gives its alerts (Alertmanager's customary ones and the change severities). */
export const RULE_SEVERITIES = ['critical', 'high', 'warning', 'medium', 'low', 'info'] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

/**
 * An alert rule of an organization: which events open alerts (types or prefixes, the
 * change categories, minimum severity and field path of their change rows, a resource
 * selector in the resources list's filter syntax), and what those alerts carry
 * (alertname, severity, labels, annotation templates). Each rule opens at most
 * `maxPerHour` alerts an hour, `maxCriticalPerHour` of them critical.
 */
@Entity('alert_rules')
@Index(['organizationId', 'name'], { unique: true })
@Index(['organizationId', 'builtin'], { unique: true, where: 'builtin IS NOT NULL' })
@Check(inList('builtin', BUILTIN_RULES, true))
@Check(inList('severity', RULE_SEVERITIES))
@Check(inList('severity_min', CHANGE_SEVERITIES, true))
export class AlertRuleEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'int' }) organizationId: number;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity>;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  /** Which built-in rule this is; null: the organization's own. */
  @Column({ type: 'varchar', length: 32, nullable: true }) builtin: BuiltinRule | null;
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  /** Event types or prefixes (`resource.*`); empty: every event. */
  @Column({ type: 'text', array: true, default: '{}' }) eventTypes: string[];
  /** Event types or prefixes that resolve the rule's firing alert of the same subject (resource, provider, system). */
  @Column({ type: 'text', array: true, default: '{}' }) resolveEventTypes: string[];
  /** Change categories a change row must have (any of); empty: any. */
  @Column({ type: 'text', array: true, default: '{}' }) categories: string[];
  @Column({ type: 'varchar', length: 16, nullable: true }) severityMin: string | null;
  /** Glob over change rows' field paths (`*` within a segment, `**` across). */
  @Column({ type: 'varchar', length: 500, nullable: true }) fieldPath: string | null;
  /** The resources list's filter syntax (`resource_type=virtual_machine&tag=env=prod`). */
  @Column({ type: 'text', nullable: true }) resourceSelector: string | null;
  @Column({ type: 'varchar', length: 255 }) alertname: string;
  @Column({ type: 'varchar', length: 16 }) severity: RuleSeverity;
  @Column({ type: 'jsonb', default: {} }) labels: Record<string, string>;
  @Column({ type: 'jsonb', default: {} }) annotations: Record<string, string>;
  @Column({ type: 'int', default: 50 }) maxPerHour: number;
  @Column({ type: 'int', default: 10 }) maxCriticalPerHour: number;
  /** Matches that opened no alert because a rate limit was reached (since the rule was created). */
  @Column({ type: 'int', default: 0 }) suppressedCount: number;
  @Column({ type: 'timestamptz', nullable: true }) lastSuppressedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}

/** The evaluator's durable cursor into the event log (one row). */
@Entity('alert_rule_cursor')
export class AlertRuleCursorEntity {
  @PrimaryColumn({ type: 'smallint' }) id: number;
  @Column({ type: 'bigint' }) cursor: string;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
