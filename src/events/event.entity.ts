import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { inList } from '../database/sql-checks.js';
import { EVENT_SEVERITIES, type EventSeverity } from './event.enums.js';

/**
 * The transactional change log: one row per thing that happened to the inventory,
 * written in the same transaction as the change itself (src/events/events.service.ts is
 * the only writer). `id` is the cursor every consumer reads by. No foreign keys: an
 * event outlives the resource or provider it describes until retention removes it.
 */
@Entity('events')
@Index(['organizationId', 'id'])
@Index(['resourceId', 'id'])
@Index(['providerId', 'id'])
@Index(['occurredAt'])
@Check(inList('severity', EVENT_SEVERITIES, true))
export class EventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) occurredAt: Date;
  @Column({ type: 'int' }) organizationId: number;
  @Column({ type: 'uuid', nullable: true }) providerId: string | null;
  @Column({ type: 'uuid', nullable: true }) resourceId: string | null;
  @Column({ type: 'uuid', nullable: true }) systemId: string | null;
  @Column({ type: 'text' }) type: string;
  @Column({ type: 'text', nullable: true }) severity: EventSeverity | null;
  @Column({ type: 'jsonb', default: {} }) payload: Record<string, unknown>;
}
