import { canonicalJson, scopeKeyOf } from '../../../../src/graphql/fan-out/caller-scope';
import { SubscriberQueue } from '../../../../src/graphql/fan-out/subscriber-queue';
import { Role } from '../../../../src/domain/auth/roles';

async function drain<T>(queue: SubscriberQueue<T>): Promise<T[]> {
  const out: T[] = [];
  for (let next = await queue.take(); !next.done; next = await queue.take()) out.push(next.value);
  return out;
}

test('a consumer that keeps up gets every item in order, none dropped', async () => {
  const queue = new SubscriberQueue<number>(2);
  const seen: number[] = [];
  for (let i = 1; i <= 20; i++) {
    queue.offer(i, 'op');
    const next = await queue.take();
    if (!next.done) seen.push(next.value);
  }
  expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(queue.dropped).toBe(0);
});

test('a full queue replaces older states of the same key and keeps the newest, never growing past its limit', async () => {
  const queue = new SubscriberQueue<string>(3);
  for (let i = 1; i <= 20; i++) {
    queue.offer(`op${i}`, 'op');
    expect(queue.length).toBeLessThanOrEqual(3);
  }
  queue.end();
  expect(await drain(queue)).toEqual(['op18', 'op19', 'op20']);
  expect(queue.dropped).toBe(17);
});

test('coalescing drops a superseded state before an item nothing replaces', async () => {
  const queue = new SubscriberQueue<string>(3);
  queue.offer('audit-1', null);
  queue.offer('a1', 'a');
  queue.offer('b1', 'b');
  queue.offer('a2', 'a'); // a1 is replaced by a2
  queue.offer('end', null); // nothing superseded left: the oldest goes
  queue.end();
  expect(await drain(queue)).toEqual(['b1', 'a2', 'end']);
});

test('an end after the items lets the consumer take them first; an error rejects after them', async () => {
  const queue = new SubscriberQueue<number>(4);
  const waiting = queue.take();
  queue.offer(1, null);
  expect(await waiting).toEqual({ done: false, value: 1 });
  queue.offer(2, null);
  queue.end(new Error('boom'));
  expect(await queue.take()).toEqual({ done: false, value: 2 });
  await expect(queue.take()).rejects.toThrow('boom');
});

test('scope keys: equal grants in any order are one scope; another project or role is another', () => {
  const a = scopeKeyOf({ subject: 'alice', roles: [], projects: new Map([['p1', [Role.VIEWER]], ['p2', [Role.EDITOR]]]) });
  const b = scopeKeyOf({ subject: 'carol', roles: [], projects: new Map([['p2', [Role.EDITOR]], ['p1', [Role.VIEWER]]]) });
  const c = scopeKeyOf({ subject: 'bob', roles: [], projects: new Map([['p3', [Role.VIEWER]]]) });
  const d = scopeKeyOf({ subject: 'alice', roles: [], projects: new Map([['p1', [Role.EDITOR]], ['p2', [Role.EDITOR]]]) });
  expect(a).toBe(b);
  expect(new Set([a, c, d]).size).toBe(3);
  expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
});
