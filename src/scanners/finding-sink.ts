import { boundMessage, type Finding, type Severity } from '../domain/scanning/scan-report';

/**
 * Collects findings for one file: bounded in number, and a rule that fires many times for the same
 * global (a memoised import reused, a malformed stream retried) is reported once with a count.
 */
export class FindingSink {
  private readonly findings: { finding: Finding; count: number }[] = [];
  private readonly seen = new Map<string, { finding: Finding; count: number }>();
  private dropped = 0;

  constructor(private readonly max: number) {}

  add(scanner: string, severity: Severity, rule: string, offset: number | null, message: string, global?: string): void {
    const key = `${scanner}\u0000${rule}\u0000${global ?? message}`;
    const previous = this.seen.get(key);
    if (previous) {
      previous.count += 1;
      return;
    }
    if (this.findings.length >= this.max) {
      this.dropped += 1;
      return;
    }
    const finding: Finding = { scanner, severity, rule, offset, message: boundMessage(message) };
    if (global !== undefined) finding.global = global;
    const entry = { finding, count: 1 };
    this.findings.push(entry);
    this.seen.set(key, entry);
  }

  get size(): number {
    return this.findings.length;
  }

  result(): Finding[] {
    const out = this.findings.map(({ finding, count }) =>
      count > 1 ? { ...finding, message: boundMessage(`${finding.message} (${count} times)`) } : finding,
    );
    if (this.dropped > 0) {
      out.push({ scanner: 'scan', severity: 'LOW', rule: 'findings-truncated', offset: null, message: `${this.dropped} more findings not listed` });
    }
    return out;
  }
}
