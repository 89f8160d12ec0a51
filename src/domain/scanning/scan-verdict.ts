import type { FileScanReport } from './scan-report';
import type { SignatureDatabase, VirusVerdict } from './scanner-ports';
import { FindingSeverity, type ScanFinding, ScanStatus, type SeverityCounts } from './scan-enums';

/** What is kept per file: scanners can report without bound, columns cannot. */
export const MAX_FINDINGS_PER_FILE = 100;
/** The version-level summary repeats the first findings; the per-file results hold the rest. */
export const MAX_FINDINGS_PER_SCAN = 200;
const MAX_MESSAGE = 1000;
const MAX_RULE = 200;
const MAX_GLOBAL = 500;

/** A finding before it is attached to a path: what a blob's cached verdict holds. */
export type BlobFinding = Omit<ScanFinding, 'path'>;

/** Per-file outcome of the ClamAV part: SKIPPED when no clamd is configured. */
export type ClamavOutcome = 'CLEAN' | 'INFECTED' | 'NOT_SCANNED' | 'SKIPPED';

export interface BlobVerdict {
  status: ScanStatus.PASSED | ScanStatus.FAILED | ScanStatus.SKIPPED;
  clamav: ClamavOutcome;
  formatVerdict: FileScanReport['verdict'];
  format: string;
  findings: BlobFinding[];
  bytesScanned: number;
}

const SEVERITIES = new Set<string>(Object.values(FindingSeverity));

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** ClamAV signature names for "this stream was too big to scan whole" (reported with AlertExceedsMax yes). */
export function isLimitSignature(signature: string): boolean {
  return signature.startsWith('Heuristics.Limits.Exceeded');
}

function clamavFindings(verdict: VirusVerdict): BlobFinding[] {
  if (verdict.outcome === 'CLEAN') return [];
  if (verdict.outcome === 'NOT_SCANNED') {
    const message = `not scanned by ClamAV: ${verdict.reason}`;
    return [{ scanner: 'clamav', severity: FindingSeverity.HIGH, rule: 'clamav-not-scanned', global: null, offset: null, message }];
  }
  return verdict.signatures.map((signature) => ({
    scanner: 'clamav',
    severity: FindingSeverity.CRITICAL,
    rule: 'clamav-signature',
    global: null,
    offset: null,
    message: `ClamAV signature ${clip(signature, MAX_RULE)}`,
  }));
}

function formatFindings(report: FileScanReport): BlobFinding[] {
  const findings: BlobFinding[] = report.findings.map((f) => ({
    scanner: clip(f.scanner, 50),
    // An unknown severity from a scanner is treated as the worst, never dropped.
    severity: SEVERITIES.has(f.severity) ? (f.severity as FindingSeverity) : FindingSeverity.CRITICAL,
    rule: clip(f.rule, MAX_RULE),
    global: f.global === undefined ? null : clip(f.global, MAX_GLOBAL),
    offset: f.offset !== null && Number.isSafeInteger(f.offset) && f.offset >= 0 ? f.offset : null,
    message: clip(f.message, MAX_MESSAGE),
  }));
  // A report that is not CLEAN but names no finding still fails: the verdict itself becomes the finding.
  if (report.verdict !== 'CLEAN' && findings.length === 0) {
    const rule = report.verdict === 'UNSCANNABLE' ? 'unscannable-verdict' : 'format-findings';
    findings.push({ scanner: 'format', severity: FindingSeverity.HIGH, rule, global: null, offset: null, message: `${report.format}: ${report.verdict}` });
  }
  return findings;
}

/**
 * One blob's verdict from both scanners. Fails closed: any finding above LOW, an unscannable file or a file ClamAV
 * could not read whole is FAILED; a clean file is PASSED, or SKIPPED when ClamAV was not run (no clamd
 * configured). LOW findings are notes kept with the result (Python sources run by trust_remote_code, an
 * object-dtype array whose pickle was scanned clean): failing them would leave such repositories with no way
 * to VERIFIED, since nothing but a new import leaves NEEDS_ATTENTION.
 */
export function blobVerdict(report: FileScanReport, virus: VirusVerdict | null): BlobVerdict {
  const found = [...(virus ? clamavFindings(virus) : []), ...formatFindings(report)];
  const findings = found.length > MAX_FINDINGS_PER_FILE ? [...found.slice(0, MAX_FINDINGS_PER_FILE - 1), overflow(found.length)] : found;
  const clean = report.verdict !== 'UNSCANNABLE' && findings.every((f) => f.severity === FindingSeverity.LOW);
  return {
    status: !clean ? ScanStatus.FAILED : virus ? ScanStatus.PASSED : ScanStatus.SKIPPED,
    clamav: virus ? virus.outcome : 'SKIPPED',
    formatVerdict: report.verdict,
    format: clip(report.format, 50),
    findings,
    bytesScanned: Math.max(0, Math.trunc(report.bytesScanned)) || 0,
  };
}

function overflow(total: number): BlobFinding {
  const message = `${total - MAX_FINDINGS_PER_FILE + 1} more findings not stored`;
  return { scanner: 'scan', severity: FindingSeverity.HIGH, rule: 'scan-findings-truncated', global: null, offset: null, message };
}

export function countSeverities(findings: readonly { severity: FindingSeverity }[]): SeverityCounts {
  const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of findings) {
    if (f.severity === FindingSeverity.CRITICAL) counts.critical += 1;
    else if (f.severity === FindingSeverity.HIGH) counts.high += 1;
    else if (f.severity === FindingSeverity.MEDIUM) counts.medium += 1;
    else counts.low += 1;
  }
  return counts;
}

/**
 * A version's status from its files': any FAILED fails it (a TEST_ONLY database still catches EICAR); else SKIPPED
 * without clamd or when clamd only had a test-only database (a clean answer from it proves nothing), else PASSED.
 */
export function versionScanStatus(fileStatuses: readonly ScanStatus[], clamav: SignatureDatabase | null): ScanStatus {
  if (fileStatuses.some((s) => s === ScanStatus.FAILED || s === ScanStatus.SCANNING)) return ScanStatus.FAILED;
  return clamav === 'OFFICIAL' ? ScanStatus.PASSED : ScanStatus.SKIPPED;
}

/** Whether a finished scan lets a version be VERIFIED. */
export function scanAllowsVerification(status: ScanStatus): boolean {
  return status === ScanStatus.PASSED || status === ScanStatus.SKIPPED;
}

/** A short reason for statusReason: the worst findings first, bounded. */
export function describeFindings(findings: readonly ScanFinding[], max = 20): string {
  const order = [FindingSeverity.CRITICAL, FindingSeverity.HIGH, FindingSeverity.MEDIUM, FindingSeverity.LOW];
  const sorted = [...findings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  const parts = sorted.slice(0, max).map((f) => {
    const where = f.offset === null ? '' : ` at byte ${f.offset}`;
    return `${f.path}: ${f.severity} ${f.rule}${f.global ? ` (${f.global})` : ''}${where}: ${f.message}`;
  });
  if (sorted.length > max) parts.push(`… and ${sorted.length - max} more`);
  return parts.join('; ');
}
