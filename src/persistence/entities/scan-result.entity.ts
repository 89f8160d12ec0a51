import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ScanResultRecord } from '../../domain/catalog/catalog-records';
import type { ScanFinding, ScanStatus } from '../../domain/scanning/scan-enums';
import type { SignatureDatabase } from '../../domain/scanning/scanner-ports';
import { bigintColumn } from '../column-transformers';

@Entity({ name: 'scan_results' })
export class ScanResultEntity implements ScanResultRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @Column({ name: 'operation_id', type: 'uuid', nullable: true })
  operationId!: string | null;

  /** modelhub (ClamAV plus format scanners) for scans run here; other names for results recorded by hand. */
  @Column({ type: 'text' })
  scanner!: string;

  @Column({ name: 'scanner_version', type: 'text', nullable: true })
  scannerVersion!: string | null;

  @Column({ name: 'rules_version', type: 'text', nullable: true })
  rulesVersion!: string | null;

  @Column({ name: 'signature_version', type: 'text', nullable: true })
  signatureVersion!: string | null;

  /** OFFICIAL or TEST_ONLY: what clamd's database was (a TEST_ONLY clean answer counts as SKIPPED); null without ClamAV. */
  @Column({ name: 'signature_database', type: 'text', nullable: true })
  signatureDatabase!: SignatureDatabase | null;

  @Column({ type: 'text' })
  status!: ScanStatus;

  @Column({ type: 'jsonb' })
  findings!: ScanFinding[];

  @Column({ name: 'critical_count', type: 'integer', default: 0 })
  criticalCount!: number;

  @Column({ name: 'high_count', type: 'integer', default: 0 })
  highCount!: number;

  @Column({ name: 'medium_count', type: 'integer', default: 0 })
  mediumCount!: number;

  @Column({ name: 'low_count', type: 'integer', default: 0 })
  lowCount!: number;

  @Column({ name: 'files_scanned', type: 'integer' })
  filesScanned!: number;

  @Column({ name: 'files_cached', type: 'integer', default: 0 })
  filesCached!: number;

  @Column({ name: 'bytes_scanned', type: 'bigint', transformer: bigintColumn })
  bytesScanned!: bigint;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
