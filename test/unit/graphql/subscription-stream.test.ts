import { createPubSub } from '@graphql-yoga/subscription';
import { StreamEnd, subscriptionStream } from '../../../src/graphql/operation/subscription-stream';

const keep = () => 'send' as const;

test('the stream ends with UNAUTHENTICATED when the token expires, and closes its source', async () => {
  const bus = createPubSub<{ T: [number] }>();
  const source = bus.subscribe('T');
  const stream = subscriptionStream({ tokenExpiresAt: new Date(Date.now() + 150) }, source, keep, [0]);
  const seen: unknown[] = [];
  setTimeout(() => bus.publish('T', 1), 20);
  for await (const item of stream) seen.push(item instanceof StreamEnd ? item.error.code : item);
  expect(seen).toEqual([0, 1, 'UNAUTHENTICATED']);
  expect(await source.next()).toEqual({ done: true, value: undefined });
});

test('unsubscribing while waiting for an event closes the source at once', async () => {
  const bus = createPubSub<{ T: [number] }>();
  const source = bus.subscribe('T');
  const stream = subscriptionStream({ tokenExpiresAt: null }, source, keep);
  const pending = stream.next();
  await stream.return(undefined);
  expect(await pending).toEqual({ done: true, value: undefined });
  expect(await source.next()).toEqual({ done: true, value: undefined });
});

test('dropped items are not sent and a last item ends the stream', async () => {
  const bus = createPubSub<{ T: [number] }>();
  const stream = subscriptionStream({ tokenExpiresAt: null }, bus.subscribe('T'), (n: number) => (n % 2 ? 'drop' : n >= 4 ? 'last' : 'send'), [0]);
  setTimeout(() => [1, 2, 3, 4, 5].forEach((n) => bus.publish('T', n)), 10);
  const seen: unknown[] = [];
  for await (const item of stream) seen.push(item);
  expect(seen).toEqual([0, 2, 4]);
});
