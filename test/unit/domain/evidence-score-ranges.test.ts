import { ValidationError } from '../../../src/domain/common/domain-error';
import { validateBenchmark, validateEvaluation } from '../../../src/domain/catalog/measurement-validation';
import { describeRange, recordedScoreRange } from '../../../src/domain/measurements/score-ranges';

function refusal(run: () => unknown): { field: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

describe('ranges of hand-recorded scores', () => {
  test.each([
    ['mmlu', null, '[0, 1]'],
    ['humaneval', 'pass@1', '[0, 1]'],
    ['mt_bench', null, '[1, 10]'],
    ['mt_bench', 'acc', '[1, 10]'], // an unlisted metric falls back to the evaluation's range
    ['anything', 'rating', '[1, 10]'],
    ['wikitext', null, '[1, ∞)'],
    ['wikitext', 'bits_per_byte', '[0, ∞)'], // the metric decides before the evaluation
    ['lambada', 'perplexity', '[1, ∞)'],
    ['chatbot_arena', null, '(-∞, ∞)'],
    ['constructor', '__proto__', '[0, 1]'], // names are looked up in Maps, never on plain objects
  ])('%s %s lies in %s', (evaluation, metric, range) => {
    expect(describeRange(recordedScoreRange(evaluation, metric))).toBe(range);
  });

  test.each([
    [{ benchmark: 'mmlu', score: -5 }, '[0, 1]'],
    [{ benchmark: 'capitals', score: 1.2 }, '[0, 1]'],
    [{ benchmark: 'mt_bench', score: 0 }, '[1, 10]'],
    [{ benchmark: 'wikitext', metric: 'word_perplexity', score: 0.99 }, '[1, ∞)'],
    [{ benchmark: 'elo', score: Number.NaN }, '(-∞, ∞)'],
    [{ benchmark: 'elo', score: Number.POSITIVE_INFINITY }, '(-∞, ∞)'],
    [{ benchmark: 'wikitext', metric: 'perplexity', score: Number.POSITIVE_INFINITY }, '[1, ∞)'],
  ])('%j is refused on score, naming %s', (input, range) => {
    const { field, message } = refusal(() => validateEvaluation(input));
    expect(field).toBe('score');
    expect(message).toContain(range);
  });

  test('scores on the bounds and inside pass; the metric is normalised and kept', () => {
    expect(validateEvaluation({ benchmark: 'MMLU', score: 0 }).score).toBe(0);
    expect(validateEvaluation({ benchmark: 'mmlu', score: 1 }).score).toBe(1);
    expect(validateEvaluation({ benchmark: 'mt_bench', score: 10 }).score).toBe(10);
    expect(validateEvaluation({ benchmark: 'chatbot_arena', score: -1e6 }).score).toBe(-1e6);
    expect(validateEvaluation({ benchmark: 'humaneval', metric: ' Pass@1 ', score: 0.3 })).toMatchObject({ benchmark: 'humaneval', metric: 'pass@1' });
    expect(refusal(() => validateEvaluation({ benchmark: 'mmlu', metric: 'a b', score: 0.5 })).field).toBe('metric');
  });

  test('benchmark figures are finite and not negative', () => {
    expect(refusal(() => validateBenchmark({ hardwareProfile: 'L4', throughputTokensPerSecond: Number.POSITIVE_INFINITY })).field).toBe('throughputTokensPerSecond');
    expect(refusal(() => validateBenchmark({ hardwareProfile: 'L4', latencyP50Ms: -1 })).field).toBe('latencyP50Ms');
    expect(refusal(() => validateBenchmark({ hardwareProfile: 'L4', ttftP50Ms: Number.NaN })).field).toBe('ttftP50Ms');
  });
});
