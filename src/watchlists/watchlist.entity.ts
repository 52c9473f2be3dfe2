import {
  Check,
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
import { inList } from '../database/sql-checks.js';
import { OrganizationEntity } from '../platform/organization.entity.js';
import { UserEntity } from '../platform/user.entity.js';
import { ResourceEntity } from '../resources/resource.entity.js';

export const WATCHLIST_TYPES = ['static', 'dynamic'] as const;
export type WatchlistType = (typeof WATCHLIST_TYPES)[number];

/**
 * A watchlist: an organization's chosen resources (static), or a saved resources filter
 * (dynamic) whose matches are kept in `watchlist_members` so their changes can be events.
 */
@Entity('watchlists')
@Index(['organizationId', 'name'], { unique: true })
@Check(inList('watchlist_type', WATCHLIST_TYPES))
export class WatchlistEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'int' }) organizationId: number;
  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization: Relation<OrganizationEntity>;
  @Column({ type: 'varchar', length: 255 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'varchar', length: 16 }) watchlistType: WatchlistType;
  /** Dynamic lists: the resources list's parameters (name → values); null for static lists. */
  @Column({ type: 'jsonb', nullable: true }) filterQuery: Record<string, string[]> | null;
  @Column({ type: 'int', nullable: true }) createdById: number | null;
  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by_id' })
  createdBy: Relation<UserEntity> | null;
  /** Dynamic lists: when the stored membership was last evaluated. */
  @Column({ type: 'timestamptz', nullable: true }) evaluatedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}

/** A resource in a watchlist: chosen (static) or matched at the last evaluation (dynamic). */
@Entity('watchlist_members')
@Index(['resourceId'])
export class WatchlistMemberEntity {
  @PrimaryColumn({ type: 'uuid' }) watchlistId: string;
  @ManyToOne(() => WatchlistEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'watchlist_id' })
  watchlist: Relation<WatchlistEntity>;
  @PrimaryColumn({ type: 'uuid' }) resourceId: string;
  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_id' })
  resource: Relation<ResourceEntity>;
  @CreateDateColumn({ type: 'timestamptz' }) added: Date;
}
