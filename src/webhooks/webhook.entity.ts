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
import { inList } from '../database/sql-checks.js';
import { OrganizationEntity } from '../platform/organization.entity.js';

/**
 * A webhook: an organization's HTTPS (or HTTP) endpoint that receives the events its
 * `eventTypes` select, signed with its secret (sealed with the SecretBox, never answered).
 */
@Entity('webhooks')
@Index(['organizationId', 'name'], { unique: true })
export class WebhookEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'int' }) organizationId: number;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity>;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'text' }) url: string;
  /** Event types or prefixes (`resource.*`); empty: every event. */
  @Column({ type: 'text', array: true, default: '{}' }) eventTypes: string[];
  /** The signing secret, sealed (`$encrypted$v1$…`). */
  @Column({ type: 'text' }) secret: string;
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}

export const DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One delivery of one event (or a test ping) to one webhook. The row is the truth about
 * the delivery; queue jobs only carry its id, and a worker claims the row before sending
 * (a lease), so a duplicate or stale job does nothing and a lost one is found again.
 */
@Entity('webhook_deliveries')
@Index(['webhookId', 'created'])
@Index(['status', 'nextAttemptAt'])
@Check(inList('status', DELIVERY_STATUSES))
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) webhookId: string;
  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'webhook_id' })
  webhook: Relation<WebhookEntity>;
  /** The event delivered (null for test pings). */
  @Column({ type: 'bigint', nullable: true }) eventId: string | null;
  @Column({ type: 'varchar', length: 64 }) eventType: string;
  /** The JSON body sent (the same bytes on every attempt). */
  @Column({ type: 'text' }) body: string;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status: DeliveryStatus;
  /** Attempts started so far. */
  @Column({ type: 'int', default: 0 }) attempt: number;
  @Column({ type: 'timestamptz', default: () => 'now()' }) nextAttemptAt: Date;
  /** While delivering: when a worker that stopped answering loses the delivery to another. */
  @Column({ type: 'timestamptz', nullable: true }) leaseUntil: Date | null;
  @Column({ type: 'int', nullable: true }) responseCode: number | null;
  @Column({ type: 'int', nullable: true }) durationMs: number | null;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'timestamptz', nullable: true }) deliveredAt: Date | null;
  /** Set on deliveries made by POST …/redeliver/: the one redelivered. */
  @Column({ type: 'uuid', nullable: true }) redeliveryOf: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}

/** The dispatcher's durable cursor into the event log (one row). */
@Entity('webhook_dispatch_cursor')
export class WebhookDispatchCursorEntity {
  @PrimaryColumn({ type: 'smallint' }) id: number;
  @Column({ type: 'bigint' }) cursor: string;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
