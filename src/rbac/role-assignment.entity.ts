import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { TeamEntity } from '../platform/team.entity.js';
import { UserEntity } from '../platform/user.entity.js';
import { RoleDefinitionEntity } from './role-definition.entity.js';

/**
 * A role given to a user or a team, globally (object null) or on one organization,
 * team or provider. `source` says who manages it: `jwt` rows are kept in sync with
 * gateway claims, `local` rows are made through the API.
 */
@Entity('role_assignments')
@Check(`("user_id" IS NULL) <> ("team_id" IS NULL)`)
@Check(`("object_type" IS NULL) = ("object_id" IS NULL)`)
@Check(`"source" IN ('local', 'jwt')`)
@Index(['userId'])
@Index(['teamId'])
@Index(['objectType', 'objectId'])
// Unique over (role, user, team, object_type, object_id) NULLS NOT DISTINCT: created in the migration.
@Index('UQ_role_assignments_subject_object', { synchronize: false })
export class RoleAssignmentEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' }) roleDefinitionId: number;
  @ManyToOne(() => RoleDefinitionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'role_definition_id' })
  roleDefinition: Relation<RoleDefinitionEntity>;
  @Column({ type: 'int', nullable: true }) userId: number | null;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'user_id' })
  user: Relation<UserEntity> | null;
  @Column({ type: 'int', nullable: true }) teamId: number | null;
  @ManyToOne(() => TeamEntity, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'team_id' })
  team: Relation<TeamEntity> | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) objectType: string | null;
  /** Organization or team id, or provider UUID, as text. */
  @Column({ type: 'varchar', length: 64, nullable: true }) objectId: string | null;
  @Column({ type: 'varchar', length: 8, default: 'local' }) source: 'local' | 'jwt';
  @Column({ type: 'int', nullable: true }) createdById: number | null;
  @CreateDateColumn({ type: 'timestamptz' }) created: Date;
}
