import {
  Check,
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
import { inList } from '../database/sql-checks.js';
import { ResourceTypeEntity } from '../taxonomy/resource-type.entity.js';

export const PROPERTY_VALUE_TYPES = ['string', 'integer', 'float', 'boolean', 'datetime', 'json'] as const;
export type PropertyValueType = (typeof PROPERTY_VALUE_TYPES)[number];

/** The schema contract for one key of `Resource.properties` on one resource type. */
@Entity('property_definitions')
@Index(['resourceTypeId', 'key', 'vendorScope'], { unique: true })
@Check(inList('value_type', PROPERTY_VALUE_TYPES))
export class PropertyDefinitionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) resourceTypeId: string;
  @ManyToOne(() => ResourceTypeEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_type_id' })
  resourceType: Relation<ResourceTypeEntity>;
  @Column({ type: 'varchar', length: 128 }) key: string;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'varchar', length: 16 }) valueType: PropertyValueType;
  @Column({ type: 'boolean', default: false }) required: boolean;
  /** Empty: applies to every vendor; otherwise only to that vendor's collectors. */
  @Column({ type: 'varchar', length: 64, default: '' }) vendorScope: string;
  @Column({ type: 'text', default: '' }) exampleValue: string;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
