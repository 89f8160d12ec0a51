import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ScanFileRecord, ScanFinding, ScanStatus } from '../../domain/scanning/scan-enums';
import type { ClamavOutcome } from '../../domain/scanning/scan-verdict';

const count = { to: (v: number) => v, from: (v: string) => Number(v) };

/** One file of a scan: planned as SCANNING when the scan begins, settled as it is scanned (the resume point). */
@Entity({ name: 'scan_file_results' })
export class ScanFileResultEntity implements ScanFileRecord {
  @PrimaryColumn({ name: 'scan_result_id', type: 'uuid' })
  scanResultId!: string;

  @PrimaryColumn({ type: 'text' })
  path!: string;

  @Column({ type: 'integer' })
  ordinal!: number;

  @Column({ type: 'text' })
  sha256!: string;

  // Files stay under 2^53 bytes: a plain number is exact here.
  @Column({ type: 'bigint', transformer: count })
  size!: number;

  /** As the format scanners detected it (by content, not by name); null until scanned. */
  @Column({ type: 'text', nullable: true })
  format!: string | null;

  @Column({ type: 'text' })
  status!: ScanStatus;

  @Column({ type: 'text', nullable: true })
  clamav!: ClamavOutcome | null;

  @Column({ type: 'jsonb' })
  findings!: ScanFinding[];

  @Column({ name: 'bytes_scanned', type: 'bigint', transformer: count })
  bytesScanned!: number;

  /** The verdict was the blob cache's: this sha256 had been scanned with the same rule and signature versions. */
  @Column({ type: 'boolean' })
  cached!: boolean;

  @Column({ name: 'scanned_at', type: 'timestamptz', nullable: true })
  scannedAt!: Date | null;
}
