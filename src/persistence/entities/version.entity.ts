import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { VersionRecord } from '../../domain/catalog/catalog-records';
import type { DeclaredMetadata, MetadataMismatch, VerifiedMetadata } from '../../domain/artifacts/verified-metadata';
import type { LifecycleStage } from '../../domain/lifecycle/lifecycle-stage';

@Entity({ name: 'model_versions' })
export class VersionEntity implements VersionRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ type: 'text' })
  version!: string;

  // Split semver parts make "latest version" an index-ordered query instead of a string sort.
  @Column({ type: 'integer' })
  major!: number;

  @Column({ type: 'integer' })
  minor!: number;

  @Column({ type: 'integer' })
  patch!: number;

  @Column({ type: 'text', nullable: true })
  prerelease!: string | null;

  @Column({ name: 'storage_path', type: 'text', nullable: true })
  storagePath!: string | null;

  @Column({ type: 'text', nullable: true })
  changelog!: string | null;

  @Column({ name: 'parent_version_id', type: 'uuid', nullable: true })
  parentVersionId!: string | null;

  @Column({ type: 'text' })
  status!: LifecycleStage;

  /** The manifest is complete and stored (set with the files in one transaction). */
  @Column({ name: 'files_complete', type: 'boolean', default: false })
  filesComplete!: boolean;

  /** The immutable source revision the files were read at (a Hugging Face commit sha). */
  @Column({ name: 'source_revision', type: 'text', nullable: true })
  sourceRevision!: string | null;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  source!: Record<string, unknown> | null;

  @Column({ name: 'declared_metadata', type: 'jsonb', nullable: true })
  declaredMetadata!: DeclaredMetadata | null;

  @Column({ name: 'verified_metadata', type: 'jsonb', nullable: true })
  verifiedMetadata!: VerifiedMetadata | null;

  @Column({ name: 'metadata_mismatches', type: 'jsonb' })
  metadataMismatches!: MetadataMismatch[];

  /** The public key (PEM) given at import to check an upstream `model.sig` with, beside the project's. */
  @Column({ name: 'signing_public_key', type: 'text', nullable: true })
  signingPublicKey!: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
