import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { OperationKind, OperationRecord, OperationStatus } from '../../domain/onboarding/operation';
import { bigintColumn } from '../column-transformers';

@Entity({ name: 'operations' })
export class OperationEntity implements OperationRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  kind!: OperationKind;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ name: 'version_id', type: 'uuid', nullable: true })
  versionId!: string | null;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ type: 'text' })
  status!: OperationStatus;

  @Column({ type: 'double precision' })
  progress!: number;

  @Column({ name: 'bytes_done', type: 'bigint', transformer: bigintColumn })
  bytesDone!: bigint;

  @Column({ name: 'bytes_total', type: 'bigint', nullable: true, transformer: bigintColumn })
  bytesTotal!: bigint | null;

  @Column({ name: 'current_step', type: 'text', nullable: true })
  currentStep!: string | null;

  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ type: 'integer' })
  sequence!: number;

  @Column({ name: 'source_revision', type: 'text', nullable: true })
  sourceRevision!: string | null;

  /** The source was listed into import_files (at sourceRevision); later attempts reuse that listing. */
  @Column({ type: 'boolean', default: false })
  listed!: boolean;

  @Column({ type: 'jsonb' })
  input!: Record<string, unknown>;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
