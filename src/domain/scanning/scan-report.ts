/**
 * What the model-format scanners report, as plain data: the scan workflow stores it, the CLI prints it.
 * Bump SCANNER_RULES_VERSION whenever a rule, list or limit changes what a file's verdict can be: the
 * rescan workflow rescans every blob whose stored result carries an older version.
 */
export const SCANNER_RULES_VERSION = '2025.2';

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';

export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

/**
 * CLEAN: every byte that a loader would interpret was understood and nothing matched a rule.
 * FINDINGS: understood, and at least one rule matched.
 * UNSCANNABLE: some part could not be understood (malformed, truncated, over a limit, encrypted, nested
 * or unknown container). Never treat it as clean; its findings may still list what was seen before.
 */
export type Verdict = 'CLEAN' | 'FINDINGS' | 'UNSCANNABLE';

export type ScanFormat =
  | 'pickle'
  | 'pytorch-zip'
  | 'pytorch-legacy'
  | 'numpy'
  | 'npz'
  | 'zip'
  | 'safetensors'
  | 'gguf'
  | 'keras'
  | 'hdf5'
  | 'saved-model'
  | 'tokenizer-config'
  | 'python-source'
  | 'archive'
  | 'other';

export interface Finding {
  /** Which scanner produced it: pickle, zip, numpy, safetensors, gguf, keras, hdf5, saved-model, … */
  scanner: string;
  severity: Severity;
  /** Stable rule id (kebab-case), e.g. `pickle-dangerous-import`, `unscannable-truncated`. */
  rule: string;
  /** `module.name` for pickle imports (and Keras modules, TF ops). */
  global?: string;
  /** Byte offset in the file, or null where there is no single place (e.g. inside a deflated member). */
  offset: number | null;
  /** Bounded, printable: never more than a short excerpt of file bytes. */
  message: string;
}

export interface FileScanReport {
  path: string;
  sha256?: string;
  format: ScanFormat;
  verdict: Verdict;
  findings: Finding[];
  /** Bytes read from the file (headers and opcodes; tensor data is skipped where the format allows). */
  bytesScanned: number;
  rulesVersion: string;
}

/** Rules whose finding means "not fully understood": any of them makes the verdict UNSCANNABLE. */
export function isUnscannableRule(rule: string): boolean {
  return rule.startsWith('unscannable-');
}

export function verdictOf(findings: readonly Finding[]): Verdict {
  if (findings.some((f) => isUnscannableRule(f.rule))) return 'UNSCANNABLE';
  return findings.length > 0 ? 'FINDINGS' : 'CLEAN';
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

export const MAX_MESSAGE = 300;
const MAX_EXCERPT = 80;

/** A short printable rendering of untrusted text: control and non-ASCII characters escaped, length capped. */
export function excerpt(value: string, max = MAX_EXCERPT): string {
  let out = '';
  for (const ch of value.slice(0, max)) {
    const code = ch.codePointAt(0)!;
    out += code >= 0x20 && code < 0x7f ? ch : `\\x${(code & 0xff).toString(16).padStart(2, '0')}`;
  }
  return value.length > max ? `${out}…` : out;
}

export function boundMessage(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
