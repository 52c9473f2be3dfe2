import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** What a role may do (a set of permission codenames) and on which kind of object it is given. */
@Entity('role_definitions')
@Check(`"content_type" IS NULL OR "content_type" IN ('organization', 'team', 'provider')`)
export class RoleDefinitionEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 255, unique: true }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  /** Permission codenames such as `provider.view`, `provider.change`, `collection.run`. */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) permissions: string[];
  /** The object type the role is assigned on; null for global roles. */
  @Column({ type: 'varchar', length: 32, nullable: true }) contentType: string | null;
  /** Seeded by migration and not editable through the API. */
  @Column({ type: 'boolean', default: false }) managed: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) modified: Date;
}
