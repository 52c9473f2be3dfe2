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
import { ResourceTypeEntity } from './resource-type.entity.js';

/** Turns a vendor's own type name (e.g. AWS `AWS::EC2::Instance`) into a canonical resource type. */
@Entity('vendor_type_mappings')
@Index(['vendor', 'vendorResourceType'], { unique: true })
@Index(['resourceTypeId'])
export class VendorTypeMappingEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 64 }) vendor: string;
  @Column({ type: 'varchar', length: 255 }) vendorResourceType: string;
  @Column({ type: 'uuid' }) resourceTypeId: string;
  @ManyToOne(() => ResourceTypeEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_type_id' })
  resourceType: Relation<ResourceTypeEntity>;
  /** The Ansible collection that manages this kind of object, when there is one. */
  @Column({ type: 'varchar', length: 255, default: '' }) ansibleCollection: string;
  @Column({ type: 'text', default: '' }) description: string;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
