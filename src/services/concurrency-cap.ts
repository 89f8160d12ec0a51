/**
 * At most `max` calls of `run` at once; the others wait their turn, first come first served. For work that holds a
 * shared resource (a pooled database connection) and must leave the rest of it to everyone else.
 */
export class ConcurrencyCap {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    // A waiter is handed the finishing call's place, so `running` never goes past max in between.
    if (this.running < this.max) this.running += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
