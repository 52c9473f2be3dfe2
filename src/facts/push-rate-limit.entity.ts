import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The anonymous push rate limit, one row per client address: kept in PostgreSQL so N
 * API replicas share one budget. A submission is accepted by an upsert whose
 * `WHERE last_accepted_at <= now() - limit` lets exactly one concurrent request win.
 */
@Entity('push_rate_limits')
export class PushRateLimitEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) bucket: string;
  @Column({ type: 'timestamptz' }) lastAcceptedAt: Date;
}
