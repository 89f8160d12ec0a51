import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { PolicyOverrides } from '../../domain/governance/promotion-policy';

/** A project's settings; a project without a row is private and follows the default policy. */
@Entity({ name: 'projects' })
export class ProjectEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  /** Readable by every authenticated caller (as models on a public hub); writes still need a role in it. */
  @Column({ type: 'boolean' })
  public!: boolean;

  /** Only what differs from DEFAULT_POLICY. */
  @Column({ type: 'jsonb' })
  policy!: PolicyOverrides;

  /** EC public keys (PEM) whose upstream signatures this project trusts. */
  @Column({ name: 'trusted_signing_keys', type: 'jsonb', default: () => "'[]'" })
  trustedSigningKeys!: string[];

  /** CA certificates (PEM) a signing certificate must chain to. */
  @Column({ name: 'trusted_signing_certificates', type: 'jsonb', default: () => "'[]'" })
  trustedSigningCertificates!: string[];

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
