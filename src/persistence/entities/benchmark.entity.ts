import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { BenchmarkRecord } from '../../domain/catalog/catalog-records';

@Entity({ name: 'benchmarks' })
export class BenchmarkEntity implements BenchmarkRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  /** e.g. "1xH100-80GB"; free text so new hardware needs no migration. */
  @Column({ name: 'hardware_profile', type: 'text' })
  hardwareProfile!: string;

  @Column({ name: 'ttft_p50_ms', type: 'double precision', nullable: true })
  ttftP50Ms!: number | null;

  @Column({ name: 'ttft_p99_ms', type: 'double precision', nullable: true })
  ttftP99Ms!: number | null;

  @Column({ name: 'latency_p50_ms', type: 'double precision', nullable: true })
  latencyP50Ms!: number | null;

  @Column({ name: 'latency_p99_ms', type: 'double precision', nullable: true })
  latencyP99Ms!: number | null;

  @Column({ name: 'throughput_tokens_per_second', type: 'double precision', nullable: true })
  throughputTokensPerSecond!: number | null;

  /** Engine, batch size, concurrency, prompt/output lengths, quantization: what makes runs comparable. */
  @Column({ type: 'jsonb' })
  configuration!: Record<string, unknown>;

  /** A `Provenance`: MEASURED (our run: operation_id), RECORDED (typed in by `recorded_by`) or REPORTED (a model card). */
  @Column({ type: 'text', default: 'MEASURED' })
  provenance!: string;

  /** The benchmark run that measured this row (null for hand-recorded and reported rows). */
  @Column({ name: 'operation_id', type: 'uuid', nullable: true })
  operationId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  profile!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  scenario!: Record<string, unknown> | null;

  /** Per-level metrics of a measured sweep (LevelMetrics[]). */
  @Column({ type: 'jsonb', nullable: true })
  levels!: Record<string, unknown>[] | null;

  /** gzip(JSON) of every request's raw sample; never selected unless asked for. */
  @Column({ type: 'bytea', nullable: true, select: false })
  samples!: Buffer | null;

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
