import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The lease of one periodic job: a replica runs the job only after winning
 * `UPDATE ... SET next_run_at = now() + interval WHERE next_run_at <= now()`, so each
 * interval exactly one replica of the cluster runs it.
 */
@Entity('scheduled_jobs')
export class ScheduledJobEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) name: string;
  @Column({ type: 'timestamptz' }) nextRunAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) lastStartedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastFinishedAt: Date | null;
  /** What the last run did (rows deleted, systems moved), for operators. */
  @Column({ type: 'jsonb', default: {} }) lastResult: Record<string, unknown>;
}
