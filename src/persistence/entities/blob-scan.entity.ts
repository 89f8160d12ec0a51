import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ScanStatus } from '../../domain/scanning/scan-enums';
import type { BlobFinding, ClamavOutcome } from '../../domain/scanning/scan-verdict';

const count = { to: (v: number) => v, from: (v: string) => Number(v) };

/** A blob's verdict under one pair of scanner versions (and base name): content-addressed files are scanned once per key. */
@Entity({ name: 'blob_scans' })
export class BlobScanEntity {
  @PrimaryColumn({ type: 'text' })
  sha256!: string;

  @PrimaryColumn({ name: 'rules_version', type: 'text' })
  rulesVersion!: string;

  /** clamd's VERSION answer, '' when ClamAV was not run. */
  @PrimaryColumn({ name: 'signature_version', type: 'text' })
  signatureVersion!: string;

  /** Lowercased base name: the format scanners tell formats without a magic number by name. */
  @PrimaryColumn({ name: 'name_key', type: 'text' })
  nameKey!: string;

  @Column({ type: 'text' })
  status!: ScanStatus.PASSED | ScanStatus.FAILED | ScanStatus.SKIPPED;

  @Column({ type: 'text' })
  clamav!: ClamavOutcome;

  @Column({ type: 'text' })
  format!: string;

  @Column({ name: 'format_verdict', type: 'text' })
  formatVerdict!: 'CLEAN' | 'FINDINGS' | 'UNSCANNABLE';

  @Column({ type: 'jsonb' })
  findings!: BlobFinding[];

  @Column({ name: 'bytes_scanned', type: 'bigint', transformer: count })
  bytesScanned!: number;

  @Column({ name: 'scanned_at', type: 'timestamptz' })
  scannedAt!: Date;
}
