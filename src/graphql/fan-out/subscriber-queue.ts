/**
 * What one subscriber has not yet been sent, at most `limit` items. graphql-ws takes the next item only once the
 * previous message was handed to the kernel (it awaits `ws`'s send callback), so a socket that stops reading stops
 * taking and this queue fills; it then coalesces instead of growing: an item whose state a newer queued item
 * replaces (same `key`: the same operation, the model's status) goes first, else the oldest. A subscriber that keeps
 * up never reaches the limit and gets every item in order; the newest item is always kept.
 */
export class SubscriberQueue<T> {
  private readonly items: { value: T; key: string | null }[] = [];
  private waiting: { resolve: (result: IteratorResult<T, undefined>) => void; reject: (error: unknown) => void } | null = null;
  private ended = false;
  private failure: { error: unknown } | null = null;
  /** Items dropped because the queue was full. */
  dropped = 0;

  constructor(
    private readonly limit: number,
    private readonly onDrop: () => void = () => undefined,
  ) {}

  get length(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.items.length >= this.limit;
  }

  offer(value: T, key: string | null): void {
    if (this.ended) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ done: false, value });
      return;
    }
    if (this.items.length >= this.limit) this.coalesce(key);
    this.items.push({ value, key });
  }

  /** No more items after the queued ones; `error` makes the consumer's next take reject with it. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== undefined) this.failure = { error };
    if (!this.waiting) return;
    const { resolve, reject } = this.waiting;
    this.waiting = null;
    if (this.failure) reject(this.failure.error);
    else resolve({ done: true, value: undefined });
  }

  /** Ends at once, dropping what is queued (the subscriber left). */
  close(): void {
    this.items.length = 0;
    this.failure = null;
    this.end();
  }

  take(): Promise<IteratorResult<T, undefined>> {
    const first = this.items.shift();
    if (first) return Promise.resolve({ done: false, value: first.value });
    if (this.ended) return this.failure ? Promise.reject(this.failure.error) : Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  private coalesce(incoming: string | null): void {
    let victim = 0;
    const replaced = (i: number) => {
      const key = this.items[i].key;
      if (key === null) return false;
      if (key === incoming) return true;
      for (let j = i + 1; j < this.items.length; j++) if (this.items[j].key === key) return true;
      return false;
    };
    for (let i = 0; i < this.items.length; i++) {
      if (replaced(i)) {
        victim = i;
        break;
      }
    }
    this.items.splice(victim, 1);
    this.dropped += 1;
    this.onDrop();
  }
}
