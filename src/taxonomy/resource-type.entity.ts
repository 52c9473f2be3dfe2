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
import { ResourceCategoryEntity } from './resource-category.entity.js';

/** A canonical kind of thing: virtual_machine, hypervisor_host, block_storage, ... */
@Entity('resource_types')
@Index(['categoryId'])
export class ResourceTypeEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) categoryId: string;
  @ManyToOne(() => ResourceCategoryEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'category_id' })
  category: Relation<ResourceCategoryEntity>;
  @Column({ type: 'varchar', length: 64, unique: true }) slug: string;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  /** Whether resources of this type count toward inventory totals (licensing, reporting). */
  @Column({ type: 'boolean', default: true }) isCountable: boolean;
  @Column({ type: 'int', default: 0 }) sortOrder: number;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
