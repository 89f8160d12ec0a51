import { setTimeout as sleep } from 'node:timers/promises';
import { ConcurrencyCap } from '../../../src/services/concurrency-cap';

describe('ConcurrencyCap', () => {
  it('runs at most max at once, the rest in the order they came, and frees a place when work fails', async () => {
    const cap = new ConcurrencyCap(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const work = (i: number) => cap.run(async () => {
      running += 1;
      most = Math.max(most, running);
      order.push(i);
      await sleep(5);
      running -= 1;
      if (i % 3 === 0) throw new Error(`work ${i} failed`);
      return i;
    });
    const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => work(i)));
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(3);
    // Nothing is left holding a place: two more run at once (each waits until both have started).
    let started = 0;
    let bothStarted = () => undefined as void;
    const barrier = new Promise<void>((resolve) => { bothStarted = resolve; });
    const pair = Promise.all([0, 1].map(() => cap.run(async () => {
      started += 1;
      if (started === 2) bothStarted();
      await barrier;
    })));
    await Promise.race([barrier, sleep(1000)]);
    expect(started).toBe(2);
    await pair;
  });
});
