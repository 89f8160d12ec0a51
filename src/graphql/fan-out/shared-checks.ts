/**
 * Access re-checks of subscribers with the same caller scope and subject, shared: 1,000 subscribers of one operation
 * with one token make one query per interval, not 1,000. A check is shared only among checks asked for the same
 * item (the one event object published to all of them), so it started after that item was published, as each
 * subscriber's own check would have; it is forgotten once it settles.
 */
export class SharedChecks {
  private readonly running = new Map<string, { item: unknown; result: Promise<unknown> }>();
  /** Checks actually run (a shared one counts once). */
  runs = 0;

  run(key: string, item: unknown, check: () => Promise<unknown>): Promise<unknown> {
    const current = this.running.get(key);
    if (current && current.item === item) return current.result;
    this.runs += 1;
    const entry = { item, result: check() };
    this.running.set(key, entry);
    const forget = () => {
      if (this.running.get(key) === entry) this.running.delete(key);
    };
    entry.result.then(forget, forget);
    return entry.result;
  }
}
