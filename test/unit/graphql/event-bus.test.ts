import { createEventBus } from '../../../src/graphql/pubsub';

test('the bus knows which ids have local subscribers, and forgets them when they leave', async () => {
  const bus = createEventBus();
  expect(bus.watched('OPERATION', 'a')).toBe(false);
  const first = bus.subscribe('OPERATION', 'a');
  const second = bus.subscribe('OPERATION', 'a');
  expect(bus.watched('OPERATION', 'a')).toBe(true);
  expect(bus.watched('MODEL', 'a')).toBe(false);
  await first.return?.();
  expect(bus.watched('OPERATION', 'a')).toBe(true);
  await second.return?.();
  await second.return?.(); // releasing twice counts once
  expect(bus.watched('OPERATION', 'a')).toBe(false);
});

test('an event published after subscribe and before the first next() is delivered, not lost', async () => {
  const bus = createEventBus();
  const events = bus.subscribe('OPERATION', 'b');
  // A subscription reads its snapshot between subscribing and iterating: events of that window must wait for it.
  bus.publish('OPERATION', 'b', { id: 'b', sequence: 1 } as never);
  bus.publish('OPERATION', 'b', { id: 'b', sequence: 2 } as never);
  expect((await events.next()).value).toMatchObject({ sequence: 1 });
  expect((await events.next()).value).toMatchObject({ sequence: 2 });
  await events.return?.();
  expect(bus.watched('OPERATION', 'b')).toBe(false);
  expect(await events.next()).toEqual({ done: true, value: undefined });
});
