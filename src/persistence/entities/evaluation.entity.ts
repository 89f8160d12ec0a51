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

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
