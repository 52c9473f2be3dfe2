import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Local tokens revoked before they expire (POST /auth/logout/), by their `jti`. The auth
 * guard refuses a local token whose jti is here; a row is useless once `expires_at` has
 * passed (the token is refused as expired anyway) and is pruned on later logouts.
 */
@Entity('revoked_tokens')
export class RevokedTokenEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_revoked_tokens' }) jti: string;
  @Column({ type: 'integer' }) userId: number;
  @Index('IDX_revoked_tokens_expires_at')
  @Column({ type: 'timestamptz' })
  expiresAt: Date;
  @Column({ type: 'timestamptz', default: () => 'now()' }) revokedAt: Date;
}
