/**
 * Spaces requests to one service at most `perSecond` apart, across every caller sharing the pacer (the refresh's
 * concurrent lanes): each `take` reserves the next free slot and waits for it. No timers are left behind.
 */
export class RequestPacer {
  private next = 0;
  private readonly gapMs: number;

  constructor(perSecond: number) {
    this.gapMs = 1000 / perSecond;
  }

  async take(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.next);
    this.next = slot + this.gapMs;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }
}
