import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Failed-authentication counters (see auth-throttle.ts), one row per bucket: a username
 * or system key from one client address (`user:<address>|<username>`,
 * `system:<address>|<system key>`) or a client address alone (`address:<address>`).
 * Kept in PostgreSQL so every replica counts the same failures; a row limits nothing
 * once its window and its lockout have passed, and the auth-throttle-pruning job deletes it.
 */
@Entity('auth_throttle')
export class AuthThrottleEntity {
  @PrimaryColumn({ type: 'varchar', length: 320, primaryKeyConstraintName: 'PK_auth_throttle' })
  bucket: string;
  @Column({ type: 'integer' }) failures: number;
  @Index('IDX_auth_throttle_window_ends_at')
  @Column({ type: 'timestamptz' })
  windowEndsAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) lockedUntil: Date | null;
}
