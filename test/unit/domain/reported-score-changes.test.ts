import type { ReportedScore } from '../../../src/domain/evaluation/model-index';
import { refreshRevision, reportedScoresChanged, type StoredReportedScore } from '../../../src/domain/evaluation/reported-score-changes';

const card: ReportedScore[] = [
  { benchmark: 'mmlu', metric: 'acc', score: 0.42, dataset: 'cais/mmlu', source: 'https://example.org/board' },
  { benchmark: 'gsm8k', metric: 'acc', score: 0.31, dataset: 'gsm8k', source: null },
];

/** As replaceReportedScores stores them: provenance details beside what the card said. */
function stored(scores: ReportedScore[], revision = 'a'.repeat(40)): StoredReportedScore[] {
  return scores.map((s) => ({ benchmark: s.benchmark, metric: s.metric, score: s.score, details: { dataset: s.dataset, source: s.source, from: 'model-index', upstreamRevision: revision, fetchedAt: '2026-01-01T00:00:00.000Z' } }));
}

test('the same scores in another order, read from another commit at another time, are no change', () => {
  expect(reportedScoresChanged(stored(card, 'b'.repeat(40)), [...card].reverse())).toBe(false);
  expect(reportedScoresChanged([], [])).toBe(false);
});

test('a changed value, metric, dataset or source link, an added or a removed score is a change', () => {
  const [mmlu, gsm] = card;
  expect(reportedScoresChanged(stored(card), [{ ...mmlu, score: 0.43 }, gsm])).toBe(true);
  expect(reportedScoresChanged(stored(card), [{ ...mmlu, metric: 'acc_norm' }, gsm])).toBe(true);
  expect(reportedScoresChanged(stored(card), [{ ...mmlu, dataset: 'mmlu' }, gsm])).toBe(true);
  expect(reportedScoresChanged(stored(card), [{ ...mmlu, source: null }, gsm])).toBe(true);
  expect(reportedScoresChanged(stored(card), [mmlu])).toBe(true);
  expect(reportedScoresChanged(stored([mmlu]), card)).toBe(true);
  expect(reportedScoresChanged(stored(card), [])).toBe(true);
});

test('repeats count: two equal scores are not the same as one of them and another', () => {
  const [mmlu, gsm] = card;
  expect(reportedScoresChanged(stored([mmlu, mmlu]), [mmlu, gsm])).toBe(true);
  expect(reportedScoresChanged(stored([mmlu, gsm]), [mmlu, mmlu])).toBe(true);
  expect(reportedScoresChanged(stored([mmlu, mmlu]), [mmlu, mmlu])).toBe(false);
});

test('rows stored before provenance was recorded (no dataset key) compare by what they hold', () => {
  const legacy: StoredReportedScore[] = [{ benchmark: 'mmlu', metric: 'acc', score: 0.42, details: {} }];
  expect(reportedScoresChanged(legacy, [{ benchmark: 'mmlu', metric: 'acc', score: 0.42, dataset: null, source: null }])).toBe(false);
  expect(reportedScoresChanged(legacy, [card[0]])).toBe(true);
});

test('a refresh follows the branch or tag the version was imported from; a pinned commit falls back to main', () => {
  expect(refreshRevision('main')).toBe('main');
  expect(refreshRevision('v1.2')).toBe('v1.2');
  expect(refreshRevision('0123456789abcdef0123456789abcdef01234567')).toBe('main');
  expect(refreshRevision(null)).toBe('main');
  expect(refreshRevision('')).toBe('main');
});
