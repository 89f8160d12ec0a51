/**
 * Access re-checks of subscribers with the same caller scope and subject, shared: 1,000 subscribers of one operation
 * with one token make one query per interval, not 1,000. A check is reused only when it started at or after `since`
 * (when the caller's item arrived), so each subscriber's check sees the database no older than its own would have.
 */
export class SharedChecks {
  private readonly running = new Map<string, { startedAt: number; result: Promise<unknown> }>();
  /** Checks actually run (a shared one counts once). */
  runs = 0;

  run(key: string, since: number, check: () => Promise<unknown>): Promise<unknown> {
    const current = this.running.get(key);
    if (current && current.startedAt >= since) return current.result;
    this.runs += 1;
    const entry = { startedAt: Date.now(), result: check() };
    this.running.set(key, entry);
    const forget = () => {
      if (this.running.get(key) === entry) this.running.delete(key);
    };
    entry.result.then(forget, forget);
    return entry.result;
  }
}
