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
