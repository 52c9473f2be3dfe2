import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One line of the audit trail: who did what to which object. Append-only. */
@Entity('activity_stream')
@Index(['objectType', 'objectId'])
@Index(['organizationId', 'created'])
@Index(['actorId', 'created'])
export class ActivityEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'int', nullable: true }) actorId: number | null;
  /** Kept even when the user row is gone. */
  @Column({ type: 'varchar', length: 150, default: '' }) actorUsername: string;
  /** create, update, delete, or an action name such as collect or cancel. */
  @Column({ type: 'varchar', length: 64 }) operation: string;
  @Column({ type: 'varchar', length: 64 }) objectType: string;
  @Column({ type: 'varchar', length: 64 }) objectId: string;
  @Column({ type: 'varchar', length: 512, default: '' }) objectRepr: string;
  /** Changed fields as {field: [before, after]}, secrets masked. */
  @Column({ type: 'jsonb', default: {} }) changes: Record<string, unknown>;
  @Column({ type: 'int', nullable: true }) organizationId: number | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
}
