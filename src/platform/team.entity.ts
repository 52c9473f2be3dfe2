import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { OrganizationEntity } from './organization.entity.js';

@Entity('teams')
@Index(['organizationId', 'name'], { unique: true })
export class TeamEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 512 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'int' }) organizationId: number;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity>;
  @Column({ type: 'uuid', nullable: true, unique: true }) ansibleId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
