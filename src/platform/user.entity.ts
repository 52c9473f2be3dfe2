import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A person (or script) that calls the API: created locally or from gateway JWT claims. */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 150, unique: true }) username: string;
  @Column({ type: 'varchar', length: 254, default: '' }) email: string;
  @Column({ type: 'varchar', length: 150, default: '' }) firstName: string;
  @Column({ type: 'varchar', length: 150, default: '' }) lastName: string;
  @Column({ type: 'boolean', default: false }) isSuperuser: boolean;
  @Column({ type: 'boolean', default: false }) isPlatformAuditor: boolean;
  @Column({ type: 'boolean', default: true }) isActive: boolean;
  /** scrypt hash for local accounts; null for gateway-only users. */
  @Column({ type: 'varchar', length: 255, nullable: true }) passwordHash: string | null;
  /** The gateway's `sub` claim. */
  @Column({ type: 'uuid', nullable: true, unique: true }) ansibleId: string | null;
  @Column({ type: 'timestamptz', nullable: true }) lastLogin: Date | null;
  /** When the password last changed: cached Basic credentials and older local tokens stop working. */
  @Column({ type: 'timestamptz', nullable: true }) passwordChangedAt: Date | null;
  /** `iat` of the newest gateway token applied to this user (seconds): older tokens change nothing. */
  @Column({ type: 'bigint', nullable: true }) gatewayTokenIat: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
