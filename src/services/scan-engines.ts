import type { Config } from '../config/config';
import type { FormatScanner } from '../domain/scanning/scanner-ports';
import { SCANNER_RULES_VERSION, scanFile } from '../scanners';
import { ClamavScanner } from '../scanners/clamav-scanner';
import type { ScanEngines } from './scan-blob.service';

/** The model-format scanners of src/scanners, behind the port the scan service uses. */
export const formatScanner: FormatScanner = {
  rulesVersion: SCANNER_RULES_VERSION,
  scanFile: (file, name) => scanFile(file, { name }),
};

/** ClamAV only when clamd is configured (CLAMD_SOCKET or CLAMD_HOST/CLAMD_PORT); otherwise its part is SKIPPED. */
export function createScanEngines(scanning: Config['scanning'], format: FormatScanner = formatScanner): ScanEngines {
  return { format, clamav: scanning.clamd ? new ClamavScanner(scanning.clamd) : null, signatures: scanning.clamd?.signatures ?? null };
}
