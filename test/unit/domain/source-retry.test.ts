import { nextRetry, retryMessage } from '../../../src/domain/onboarding/source-retry';
import { describeCauses, isTransportFailure, SourceUnreachableError } from '../../../src/storage/sources/model-source';

const BUDGET = 5000;

describe('retrying an unreachable external source within its budget', () => {
  test('backs off 1 s, 2 s, 4 s …, cuts the last wait to land on the budget, then gives up', () => {
    const first = nextRetry(null, 0, 0, BUDGET);
    expect(first).toEqual({ streak: { sinceMs: 0, attempt: 1, storedBytes: 0 }, retryInMs: 1000 });
    const second = nextRetry(first.streak, 1000, 0, BUDGET);
    expect(second).toEqual({ streak: { sinceMs: 0, attempt: 2, storedBytes: 0 }, retryInMs: 2000 });
    const third = nextRetry(second.streak, 3000, 0, BUDGET);
    expect(third.retryInMs).toBe(2000); // 4 s would overshoot: one last attempt at the budget's end
    const last = nextRetry(third.streak, 5000, 0, BUDGET);
    expect(last).toEqual({ streak: { sinceMs: 0, attempt: 4, storedBytes: 0 }, retryInMs: null });
  });

  test('waits at most a minute between attempts', () => {
    let verdict = nextRetry(null, 0, 0, 900_000);
    for (let i = 0; i < 10; i++) verdict = nextRetry(verdict.streak, 1000 * i, 0, 900_000);
    expect(verdict.retryInMs).toBe(60_000);
  });

  test('bytes stored since the run began mean the source answered meanwhile: the budget counts afresh', () => {
    const early = nextRetry(nextRetry(null, 0, 100, BUDGET).streak, 4000, 100, BUDGET);
    expect(early.streak).toEqual({ sinceMs: 0, attempt: 2, storedBytes: 100 });
    const later = nextRetry(early.streak, 9000, 500, BUDGET);
    expect(later).toEqual({ streak: { sinceMs: 9000, attempt: 1, storedBytes: 500 }, retryInMs: 1000 });
  });

  test('the message names the cause, the attempt and the next retry, or that it gave up', () => {
    const now = Date.parse('2025-01-02T03:04:05.000Z');
    const verdict = nextRetry(null, now, 0, BUDGET);
    expect(retryMessage('fetch failed: connect ECONNREFUSED 127.0.0.1:9', verdict, now)).toBe(
      'fetch failed: connect ECONNREFUSED 127.0.0.1:9 (attempt 1, next retry at 2025-01-02T03:04:06.000Z)',
    );
    const spent = nextRetry(verdict.streak, now + BUDGET, 0, BUDGET);
    expect(retryMessage('refused', spent, now + BUDGET)).toBe('refused (gave up after 2 attempts over 5 s)');
  });
});

describe('what counts as an unreachable source', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });

  test("fetch's failure and node socket errors anywhere in the cause chain; not other errors", () => {
    expect(isTransportFailure(new TypeError('fetch failed', { cause: refused }))).toBe(true);
    expect(isTransportFailure(Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' }))).toBe(true);
    expect(isTransportFailure(new Error('relation "operations" does not exist'))).toBe(false);
    expect(isTransportFailure(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(false);
  });

  test('the message follows the cause chain (and an AggregateError’s first reason)', () => {
    expect(describeCauses(new TypeError('fetch failed', { cause: refused }))).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:9');
    const both = new AggregateError([refused, new Error('connect ECONNREFUSED ::1:9')], '');
    expect(describeCauses(new TypeError('fetch failed', { cause: both }))).toBe('fetch failed: AggregateError: connect ECONNREFUSED 127.0.0.1:9');
    const wrapped = SourceUnreachableError.from(new TypeError('fetch failed', { cause: refused }), 'http://127.0.0.1:9');
    expect(wrapped.message).toBe('http://127.0.0.1:9: fetch failed: connect ECONNREFUSED 127.0.0.1:9');
  });
});
