import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ScanResultRecord } from '../../domain/catalog/catalog-records';
import type { ScanFinding, ScanStatus } from '../../domain/scanning/scan-enums';
import { bigintColumn } from '../column-transformers';

@Entity({ name: 'scan_results' })
export class ScanResultEntity implements ScanResultRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  /** clamav, pickle, safetensors, gguf, … */
  @Column({ type: 'text' })
  scanner!: string;

  @Column({ name: 'scanner_version', type: 'text', nullable: true })
  scannerVersion!: string | null;

  @Column({ type: 'text' })
  status!: ScanStatus;

  @Column({ type: 'jsonb' })
  findings!: ScanFinding[];

  @Column({ name: 'files_scanned', type: 'integer' })
  filesScanned!: number;

  @Column({ name: 'bytes_scanned', type: 'bigint', transformer: bigintColumn })
  bytesScanned!: bigint;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz' })
  completedAt!: Date;
}
