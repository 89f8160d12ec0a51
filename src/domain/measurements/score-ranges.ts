import { ValidationError } from '../common/domain-error';

/** Where a hand-recorded score may lie (inclusive; an infinite bound is open). */
export interface ScoreRange {
  min: number;
  max: number;
  /** Says what the range means in the refusal ("a fraction", "a 1-10 rating"). */
  kind: string;
}

const FRACTION: ScoreRange = { min: 0, max: 1, kind: 'a fraction (0.81, not 81)' };
const PERPLEXITY: ScoreRange = { min: 1, max: Infinity, kind: 'a perplexity' };
const NON_NEGATIVE: ScoreRange = { min: 0, max: Infinity, kind: 'a non-negative quantity' };
const RATING_1_10: ScoreRange = { min: 1, max: 10, kind: 'a 1-10 judge rating' };
const ELO: ScoreRange = { min: -Infinity, max: Infinity, kind: 'an Elo rating' };

/**
 * Metrics whose scale is not a fraction. A metric name decides first (wikitext's `bits_per_byte` is not a
 * perplexity), then the evaluation's name; anything unlisted is a fraction in [0, 1], which is what our runs store
 * for accuracy, exact match and pass@k. Maps, not object literals: the names come from the caller.
 */
const BY_METRIC = new Map<string, ScoreRange>([
  ['perplexity', PERPLEXITY],
  ['ppl', PERPLEXITY],
  ['word_perplexity', PERPLEXITY],
  ['byte_perplexity', PERPLEXITY],
  ['token_perplexity', PERPLEXITY],
  ['bits_per_byte', NON_NEGATIVE],
  ['bpb', NON_NEGATIVE],
  ['rating', RATING_1_10],
  ['mt_bench_score', RATING_1_10],
  ['elo', ELO],
  ['elo_rating', ELO],
  ['arena_elo', ELO],
]);

const BY_EVALUATION = new Map<string, ScoreRange>([
  ['mt_bench', RATING_1_10],
  ['mt-bench', RATING_1_10],
  ['mtbench', RATING_1_10],
  ['wikitext', PERPLEXITY],
  ['wikitext2', PERPLEXITY],
  ['wikitext-2', PERPLEXITY],
  ['chatbot_arena', ELO],
  ['chatbot-arena', ELO],
  ['arena_elo', ELO],
  ['arena-elo', ELO],
  ['elo', ELO],
]);

/** The range a hand-recorded score of this evaluation (and metric, when named) must lie in. */
export function recordedScoreRange(evaluation: string, metric: string | null): ScoreRange {
  return (metric === null ? undefined : BY_METRIC.get(metric)) ?? BY_EVALUATION.get(evaluation) ?? FRACTION;
}

/**
 * Metric names whose scores are on another scale than the evaluation's own: a leaderboard of the evaluation leaves
 * them out, so a perplexity of 1e308 recorded under `mmlu` never outranks accuracies.
 */
export function metricsOffScale(evaluation: string): string[] {
  const own = BY_EVALUATION.get(evaluation) ?? FRACTION;
  return [...BY_METRIC].filter(([, range]) => range !== own).map(([name]) => name);
}

function bound(value: number): string {
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  return String(value);
}

/** "[0, 1]", "[1, ∞)", "(-∞, ∞)": the range as a refusal names it. */
export function describeRange(range: ScoreRange): string {
  return `${range.min === -Infinity ? '(' : '['}${bound(range.min)}, ${bound(range.max)}${range.max === Infinity ? ')' : ']'}`;
}

/** A finite number inside `range`, or BAD_USER_INPUT on `field` naming the range. NaN and ±Infinity never pass. */
export function checkInRange(field: string, value: number, range: ScoreRange, subject: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(field, `must be a finite number; ${subject} is ${range.kind} in ${describeRange(range)}`);
  if (value < range.min || value > range.max) {
    throw new ValidationError(field, `${value} is outside ${describeRange(range)}: ${subject} is ${range.kind}`);
  }
  return value;
}
