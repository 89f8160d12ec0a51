import { ValidationError } from '../../../src/domain/common/domain-error';
import { checkWindow, decodeHistoryCursor, encodeHistoryCursor } from '../../../src/domain/measurements/history-cursor';

const at = { recordedAt: '2026-03-01T12:00:00.000001Z', id: '0b1e4f5a-1c2d-4e3f-8a9b-0c1d2e3f4a5b' };

describe('history cursors', () => {
  it('round-trip the exact microsecond and id for the list and order that issued them', () => {
    expect(decodeHistoryCursor(encodeHistoryCursor('benchmark', 'oldest', at), 'benchmark', 'oldest')).toEqual(at);
  });

  it.each([
    ['garbage', 'not-base64-json'],
    ['another shape', Buffer.from(JSON.stringify(['lb', 'benchmark', 'newest', at.recordedAt, at.id])).toString('base64url')],
    ['a millisecond time', Buffer.from(JSON.stringify(['h', 'benchmark', 'newest', '2026-03-01T12:00:00.000Z', at.id])).toString('base64url')],
    ['an impossible date', Buffer.from(JSON.stringify(['h', 'benchmark', 'newest', '2026-13-45T12:00:00.000001Z', at.id])).toString('base64url')],
    ['a day February lacks', Buffer.from(JSON.stringify(['h', 'benchmark', 'newest', '2026-02-30T12:00:00.000001Z', at.id])).toString('base64url')],
    ['SQL in the id', Buffer.from(JSON.stringify(['h', 'benchmark', 'newest', at.recordedAt, "x' OR 1=1 --"])).toString('base64url')],
    ['an unknown order', Buffer.from(JSON.stringify(['h', 'benchmark', 'sideways', at.recordedAt, at.id])).toString('base64url')],
    ['a huge value', 'a'.repeat(300)],
    // Well-formed and a real JavaScript date, but PostgreSQL has no year 0: its cast failed as an internal error.
    ['year 0', Buffer.from(JSON.stringify(['h', 'benchmark', 'newest', '0000-01-01T00:00:00.000000Z', at.id])).toString('base64url')],
  ])('refuses %s as not ours', (_, raw) => {
    expect(() => decodeHistoryCursor(raw, 'benchmark', 'newest')).toThrow(new ValidationError('after', 'is not a cursor returned by this API'));
  });

  it('names the list or order a cursor belongs to', () => {
    expect(() => decodeHistoryCursor(encodeHistoryCursor('evaluation', 'newest', at), 'benchmark', 'newest')).toThrow(/issued for the evaluation history/);
    expect(() => decodeHistoryCursor(encodeHistoryCursor('benchmark', 'newest', at), 'benchmark', 'oldest')).toThrow(/issued for the NEWEST_FIRST order/);
  });

  it('wants a window whose end is after its start', () => {
    expect(() => checkWindow(new Date('2026-02-01'), new Date('2026-01-01'))).toThrow(/later than since/);
    expect(() => checkWindow(new Date('2026-01-01'), new Date('2026-01-01'))).toThrow(/later than since/);
    expect(() => checkWindow(new Date('2026-01-01'), null)).not.toThrow();
  });
});
