import type { FileScanReport } from './scan-report';

/** The model-format scanners as the scan service uses them; src/scanners (`scanFile`) provides them. */
export interface FormatScanner {
  readonly rulesVersion: string;
  /** `name`: the file's path in the version, which decides formats that have no magic number. */
  scanFile(path: string, name: string): Promise<FileScanReport>;
}

/** What clamd's signature database is: ClamAV's own (OFFICIAL) or one that knows only test signatures (TEST_ONLY). */
export type SignatureDatabase = 'OFFICIAL' | 'TEST_ONLY';

/** ClamAV's answer on one file. NOT_SCANNED is never clean: it becomes a finding. */
export type VirusVerdict =
  | { outcome: 'CLEAN' }
  | { outcome: 'INFECTED'; signatures: string[] }
  | { outcome: 'NOT_SCANNED'; reason: string };
