import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { OrganizationEntity } from '../platform/organization.entity.js';
import { ResourceEntity } from '../resources/resource.entity.js';

/**
 * A user tag: an organization's own `key=value` label, apart from the `provider_tags`
 * collections write. Unique per organization, key and value; written only through
 * src/tags/tags.service.ts.
 */
@Entity('tags')
@Index(['organizationId', 'key', 'value'], { unique: true })
export class TagEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'int' }) organizationId: number;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity>;
  @Column({ type: 'varchar', length: 255 }) key: string;
  @Column({ type: 'varchar', length: 255, default: '' }) value: string;
  /** Six hex digits (NetBox's colour field), or null for none. */
  @Column({ type: 'varchar', length: 6, nullable: true }) color: string | null;
  @Column({ type: 'text', default: '' }) description: string;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}

/** A user tag on a resource (both of the same organization; the tags module checks it). */
@Entity('resource_tags')
@Index(['tagId'])
export class ResourceTagEntity {
  @PrimaryColumn({ type: 'uuid' }) resourceId: string;
  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_id' })
  resource: Relation<ResourceEntity>;
  @PrimaryColumn({ type: 'uuid' }) tagId: string;
  @ManyToOne(() => TagEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id' })
  tag: Relation<TagEntity>;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
}
