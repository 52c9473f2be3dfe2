import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import { ProviderEntity } from './provider.entity.js';

/**
 * A file stored with a provider (`PUT /providers/{id}/document/`): the CMDB or bare-metal
 * export a `file:import` provider collects. One per provider; the upload replaces it.
 */
@Entity('provider_documents')
export class ProviderDocumentEntity {
  @PrimaryColumn({ type: 'uuid' }) providerId: string;
  @OneToOne(() => ProviderEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider: Relation<ProviderEntity>;
  @Column({ type: 'varchar', length: 255 }) filename: string;
  @Column({ type: 'varchar', length: 255 }) contentType: string;
  @Column({ type: 'int' }) sizeBytes: number;
  @Column({ type: 'char', length: 64 }) sha256: string;
  @Column({ type: 'bytea' }) content: Buffer;
  @Column({ type: 'timestamptz', default: () => 'now()' }) uploadedAt: Date;
  @Column({ type: 'int', nullable: true }) uploadedBy: number | null;
}
