import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The anonymous push rate limit, one row per client address: kept in PostgreSQL so N
 * API replicas share one budget. A submission is accepted by an upsert whose
 * `WHERE last_accepted_at <= now() - limit` lets exactly one concurrent request win.
 * A bucket is a client address (IPv6: its /FACTS_RATE_LIMIT_IPV6_PREFIX network); expired
 * rows are pruned by the push-rate-limit-pruning job.
 */
@Entity('push_rate_limits')
export class PushRateLimitEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) bucket: string;
  @Index('IDX_push_rate_limits_last_accepted_at')
  @Column({ type: 'timestamptz' })
  lastAcceptedAt: Date;
}
