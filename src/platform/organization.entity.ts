import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A tenant boundary: every provider, and so every resource, belongs to one organization. */
@Entity('organizations')
export class OrganizationEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 512, unique: true }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  /** The gateway's id for this organization (JWT `objects.organization[].ansible_id`). */
  @Column({ type: 'uuid', nullable: true, unique: true }) ansibleId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
