import { randomUUID } from 'node:crypto';
import { decodeEvent, encodeEvent, type HubEvent } from '../../../src/services/events/hub-events';

test('events carry ids and a sequence only, far below NOTIFY\'s 8000-byte limit, and round-trip', () => {
  const events: HubEvent[] = [
    { kind: 'operation', modelId: randomUUID(), operationId: randomUUID(), sequence: 2 ** 31 - 1 },
    { kind: 'status', modelId: randomUUID(), transitionId: randomUUID() },
  ];
  for (const event of events) {
    const payload = encodeEvent(event);
    expect(Buffer.byteLength(payload)).toBeLessThan(200);
    expect(decodeEvent(payload)).toEqual(event);
  }
});

test('payloads of another shape (an older process, a stray NOTIFY) are refused, not half-read', () => {
  const modelId = randomUUID();
  expect(() => decodeEvent(JSON.stringify({ kind: 'operation', modelId, operation: { id: randomUUID() } }))).toThrow(/not a ModelHub event/);
  expect(() => decodeEvent(JSON.stringify({ kind: 'status', modelId, from: 'DRAFT', to: 'INGESTING' }))).toThrow(/not a ModelHub event/);
  expect(() => decodeEvent(JSON.stringify({ kind: 'operation', modelId, operationId: 'x'.repeat(500), sequence: 1 }))).toThrow();
  expect(() => decodeEvent('not json')).toThrow();
});
