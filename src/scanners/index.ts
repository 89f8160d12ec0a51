/**
 * The model-format scanners: the one entry point the scan service, the CLI and the benchmark use.
 *
 *   const report = await scanFile('/blobs/ab/cd…', { name: 'pytorch_model.bin' });
 *   report.verdict // 'CLEAN' | 'FINDINGS' | 'UNSCANNABLE' — only CLEAN may pass
 *
 * Streaming throughout: pickles are walked opcode by opcode with a bounded symbolic stack and memo, zips
 * are read by central directory with random access, safetensors/GGUF/npy by header; tensor bytes are
 * skipped. ClamAV lives beside these in clamav-*.ts.
 */
export { scanFile, type ScanOptions } from './file-scan';
export { DEFAULT_SCAN_LIMITS, type ScanLimits } from './scan-limits';
export {
  countBySeverity,
  type FileScanReport,
  type Finding,
  SCANNER_RULES_VERSION,
  type ScanFormat,
  type Severity,
  type Verdict,
  verdictOf,
} from '../domain/scanning/scan-report';
