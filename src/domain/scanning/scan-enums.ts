/** A version's scan, and each file in it: SCANNING while it runs, then PASSED, FAILED or SKIPPED. */
export enum ScanStatus {
  SCANNING = 'SCANNING',
  /** Every file passed the format scanners and ClamAV. */
  PASSED = 'PASSED',
  /** At least one finding, including "could not be scanned": scanning fails closed. */
  FAILED = 'FAILED',
  /** No clamd is configured: the format scanners passed, the ClamAV part was not run. */
  SKIPPED = 'SKIPPED',
}

export enum FindingSeverity {
  CRITICAL = 'CRITICAL',
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
}

/** One finding about one file of a version, as stored and shown. */
export interface ScanFinding {
  path: string;
  /** clamav, pickle, zip, safetensors, gguf, … */
  scanner: string;
  severity: FindingSeverity;
  /** Rule or signature that matched. */
  rule: string;
  /** The import a pickle rule is about (`os.system`), when there is one. */
  global: string | null;
  /** Byte offset in the file, when the scanner knows it. */
  offset: number | null;
  message: string;
}

export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
}

/** One file's result within a scan. */
export interface ScanFileRecord {
  scanResultId: string;
  ordinal: number;
  path: string;
  sha256: string;
  size: number;
  format: string | null;
  status: ScanStatus;
  /** CLEAN, INFECTED, NOT_SCANNED (too large for clamd: a finding), SKIPPED (no clamd); null while scanning. */
  clamav: string | null;
  findings: ScanFinding[];
  bytesScanned: number;
  cached: boolean;
  scannedAt: Date | null;
}
