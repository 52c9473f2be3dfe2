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
import { ProviderEntity } from '../providers/provider.entity.js';
import { ResourceTypeEntity } from '../taxonomy/resource-type.entity.js';
import { POWER_STATES, RESOURCE_STATES, type PowerState, type ResourceState } from './resource.enums.js';

/**
 * One real thing seen by a provider (pulled) or pushed by a host. Indexes are shaped by
 * the read paths: see the migration for the GIN (jsonb_path_ops) and trigram indexes,
 * which TypeORM cannot declare.
 */
@Entity('resources')
@Index(['providerId', 'emsRef'], { unique: true })
@Index(['canonicalId'])
@Index(['organizationId', 'resourceTypeId'])
@Index(['providerId', 'lastSeenAt'])
@Index(['name', 'id'])
@Index('IDX_resources_provider_name', ['providerId', 'name', 'id'])
@Index('IDX_resources_provider_state_name', ['providerId', 'state', 'name', 'id'])
@Index('IDX_resources_properties_gin', { synchronize: false })
@Index('IDX_resources_provider_tags_gin', { synchronize: false })
@Index('IDX_resources_vendor_identifiers_gin', { synchronize: false })
@Index('IDX_resources_search_trgm', { synchronize: false })
@Check(inList('state', RESOURCE_STATES))
@Check(inList('power_state', POWER_STATES, true))
export class ResourceEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) providerId: string;
  @ManyToOne(() => ProviderEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider: Relation<ProviderEntity>;
  /** Copied from the provider so organization-scoped reads need no join. */
  @Column({ type: 'int' }) organizationId: number;
  @Column({ type: 'uuid' }) resourceTypeId: string;
  @ManyToOne(() => ResourceTypeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'resource_type_id' })
  resourceType: Relation<ResourceTypeEntity>;
  /** The vendor's own type name, as reported (e.g. `VirtualMachine`). */
  @Column({ type: 'varchar', length: 255, default: '' }) vendorType: string;
  @Column({ type: 'varchar', length: 512 }) name: string;
  /** The vendor's own id for the object (e.g. a vSphere MOID); unique per provider. */
  @Column({ type: 'varchar', length: 512 }) emsRef: string;
  /** Stable cross-provider fingerprint (SMBIOS UUID for compute). */
  @Column({ type: 'varchar', length: 255, nullable: true }) canonicalId: string | null;
  @Column({ type: 'jsonb', default: {} }) vendorIdentifiers: Record<string, unknown>;
  @Column({ type: 'varchar', length: 32, default: 'unknown' }) state: ResourceState;
  @Column({ type: 'varchar', length: 16, nullable: true }) powerState: PowerState | null;
  @Column({ type: 'varchar', length: 255, default: '' }) region: string;
  @Column({ type: 'varchar', length: 255, default: '' }) availabilityZone: string;
  @Column({ type: 'varchar', length: 255, default: '' }) cloudTenant: string;
  @Column({ type: 'varchar', length: 255, default: '' }) flavor: string;
  @Column({ type: 'varchar', length: 512, default: '' }) fqdn: string;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) ipAddresses: string[];
  @Column({ type: 'varchar', length: 64, default: '' }) osType: string;
  @Column({ type: 'varchar', length: 255, default: '' }) osName: string;
  @Column({ type: 'int', nullable: true }) cpuCount: number | null;
  @Column({ type: 'int', nullable: true }) memoryMb: number | null;
  @Column({ type: 'double precision', nullable: true }) diskGb: number | null;
  @Column({ type: 'jsonb', default: {} }) properties: Record<string, unknown>;
  @Column({ type: 'jsonb', default: {} }) providerTags: Record<string, unknown>;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'timestamptz', nullable: true }) bootTime: Date | null;
  /** When the provider created the object (not when we first saw it). */
  @Column({ type: 'timestamptz', nullable: true }) emsCreatedOn: Date | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) firstDiscoveredAt: Date;
  @Column({ type: 'timestamptz', default: () => 'now()' }) lastSeenAt: Date;
  @Column({ type: 'int', default: 1 }) seenCount: number;
  /** Set when a successful full collection no longer finds it. */
  @Column({ type: 'timestamptz', nullable: true }) removedAt: Date | null;
  /** Hash of everything a collection writes; equal hash = nothing to rewrite. */
  @Column({ type: 'varchar', length: 64, nullable: true }) contentHash: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
