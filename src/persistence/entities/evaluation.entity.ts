import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { EvaluationRecord } from '../../domain/catalog/catalog-records';

@Entity({ name: 'evaluations' })
export class EvaluationEntity implements EvaluationRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  /** mmlu, humaneval, mt_bench, … (lowercase). */
  @Column({ type: 'text' })
  benchmark!: string;

  @Column({ type: 'double precision' })
  score!: number;

  @Column({ name: 'num_shots', type: 'integer', nullable: true })
  numShots!: number | null;

  @Column({ type: 'jsonb' })
  details!: Record<string, unknown>;

  /** A `Provenance`: MEASURED (our run: operation_id), RECORDED (typed in by `recorded_by`) or REPORTED (a model card). */
  @Column({ type: 'text', default: 'MEASURED' })
  provenance!: string;

  @Column({ name: 'operation_id', type: 'uuid', nullable: true })
  operationId!: string | null;

  @Column({ type: 'text', nullable: true })
  suite!: string | null;

  @Column({ type: 'text', nullable: true })
  task!: string | null;

  @Column({ type: 'text', nullable: true })
  metric!: string | null;

  @Column({ type: 'integer', nullable: true })
  n!: number | null;

  @Column({ type: 'double precision', nullable: true })
  stderr!: number | null;

  @Column({ name: 'dataset_version', type: 'text', nullable: true })
  datasetVersion!: string | null;

  @Column({ type: 'text', nullable: true })
  runner!: string | null;

  @Column({ name: 'runner_version', type: 'text', nullable: true })
  runnerVersion!: string | null;

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
