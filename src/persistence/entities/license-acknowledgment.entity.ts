import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export interface StoredUsage {
  commercial: boolean;
  derivatives: boolean;
  monthlyActiveUsers: string;
  apiOnly: boolean;
  distribution: boolean;
}

/** Who acknowledged which license text (by its sha256) for which usage of a version. */
@Entity({ name: 'license_acknowledgments' })
export class LicenseAcknowledgmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @Column({ name: 'license_id', type: 'text' })
  licenseId!: string;

  @Column({ name: 'text_hash', type: 'text' })
  textHash!: string;

  @Column({ type: 'jsonb' })
  usage!: StoredUsage;

  @Column({ name: 'usage_hash', type: 'text' })
  usageHash!: string;

  @Column({ name: 'acknowledged_by', type: 'text' })
  acknowledgedBy!: string;

  @CreateDateColumn({ name: 'acknowledged_at', type: 'timestamptz' })
  acknowledgedAt!: Date;
}
