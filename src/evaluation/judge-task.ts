import type { AddressPolicy } from '../net/address-policy';
import { ValidationError } from '../domain/common/domain-error';
import type { EvalTask } from '../domain/evaluation/eval-suite';
import { type ChatMessage, judgeMessages, meanWithStderr, parseRating } from '../domain/evaluation/mt-bench-judging';
import type { LoadTarget } from '../benchmarking/load-types';
import { chat } from './completion-client';
import type { Dataset } from './dataset-reader';
import type { TaskScore } from './suite-runner';

/** The judge endpoint as the worker connects with it (EVAL_JUDGE_*); its key never leaves this process. */
export interface JudgeEndpoint {
  baseUrl: string;
  model: string;
  apiKey: string | null;
  /** Checked on every new connection, like a target's. */
  policy?: AddressPolicy | null;
}

interface Question {
  turns: string[];
  references: string[] | null;
  category: string;
}

const MAX_TURNS = 8;
const MAX_TURN_CHARS = 32_768;
// FastChat gives the judge 2048 tokens: its explanation comes before the verdict.
const JUDGE_MAX_TOKENS = 2048;
const CONCURRENCY = 4;

const bounded = (value: unknown, what: string): string => {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TURN_CHARS) throw new Error(`${what} must be a string of 1 to ${MAX_TURN_CHARS} characters`);
  return value;
};

/** Row format: {turns: string[] | prompt: string, reference?: string | string[] (one per turn), category?, id?}. */
export function judgeQuestion(row: Record<string, unknown>): Question {
  const raw = Array.isArray(row.turns) ? row.turns : row.prompt !== undefined ? [row.prompt] : null;
  if (!raw || raw.length === 0 || raw.length > MAX_TURNS) throw new Error(`dataset row needs "turns" (1 to ${MAX_TURNS} strings) or a "prompt"`);
  const turns = raw.map((t, i) => bounded(t, `turns[${i}]`));
  const ref = row.reference;
  const references = ref === undefined || ref === null ? null : (Array.isArray(ref) ? ref : [ref]).map((r, i) => bounded(r, `reference[${i}]`));
  if (references && references.length !== turns.length) throw new Error('"reference" needs one answer per turn');
  const category = typeof row.category === 'string' && row.category.trim() ? row.category.trim().slice(0, 100) : 'general';
  return { turns, references, category };
}

interface Tally {
  ratings: { category: string; turn: number; rating: number }[];
  failedRequests: number;
  failedJudgements: number;
  unparseable: number;
}

/**
 * mt_bench-style: the target answers each turn with the conversation so far, the judge rates every answer with
 * MT-Bench's single-answer prompt. The score is the mean rating over all judged answers, as MT-Bench reports it.
 */
export async function runJudgeTask(target: LoadTarget, judge: JudgeEndpoint, task: EvalTask, dataset: Dataset, signal: AbortSignal, onItem: (done: number, total: number) => void): Promise<TaskScore> {
  const questions = dataset.rows.map((row, i) => {
    try {
      return judgeQuestion(row);
    } catch (error) {
      throw new ValidationError('dataset', `${task.dataset} row ${i + 1}: ${(error as Error).message}`);
    }
  });
  const tally: Tally = { ratings: [], failedRequests: 0, failedJudgements: 0, unparseable: 0 };
  let next = 0;
  let done = 0;
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, questions.length) }, async () => {
    while (next < questions.length) {
      signal.throwIfAborted();
      await judgeConversation(target, judge, questions[next++], task.maxTokens, signal, tally);
      onItem(++done, questions.length);
    }
  }));
  if (tally.ratings.length === 0) {
    // Nothing to average: a judge that is down or answers nonsense is a fault to retry, not a score of 0.
    throw new Error(`the judge gave no usable rating (${tally.failedRequests} failed target requests, ${tally.failedJudgements} failed judge requests, ${tally.unparseable} unparseable verdicts)`);
  }
  const { mean, stderr } = meanWithStderr(tally.ratings.map((r) => r.rating));
  return {
    task: task.name,
    kind: task.kind,
    metric: 'mt_bench_score',
    score: mean,
    n: tally.ratings.length,
    stderr,
    datasetVersion: dataset.version,
    details: {
      judgeModel: judge.model,
      questions: questions.length,
      failedRequests: tally.failedRequests,
      failedJudgements: tally.failedJudgements,
      unparseableJudgements: tally.unparseable,
      categories: groupMean(tally.ratings, (r) => r.category),
      turns: groupMean(tally.ratings, (r) => String(r.turn + 1)),
    },
  };
}

async function judgeConversation(target: LoadTarget, judge: JudgeEndpoint, q: Question, maxTokens: number, signal: AbortSignal, tally: Tally): Promise<void> {
  const messages: ChatMessage[] = [];
  const answers: string[] = [];
  for (const [turn, question] of q.turns.entries()) {
    messages.push({ role: 'user', content: question });
    let answer: string;
    try {
      answer = await chat(target, messages, maxTokens, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      tally.failedRequests += 1; // later turns cannot be asked without this answer
      return;
    }
    messages.push({ role: 'assistant', content: answer });
    answers.push(answer);
    let verdict: string;
    try {
      // The judge object itself: the completion client keeps one pool per endpoint object for the run, and checks
      // every new connection against its policy (a fresh literal here got a pool per call, unchecked).
      verdict = await chat(judge, judgeMessages(q.turns, answers, turn, q.references), JUDGE_MAX_TOKENS, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      tally.failedJudgements += 1;
      continue;
    }
    const rating = parseRating(verdict);
    if (rating === null) tally.unparseable += 1;
    else tally.ratings.push({ category: q.category, turn, rating });
  }
}

function groupMean<T extends { rating: number }>(items: readonly T[], key: (item: T) => string): Record<string, { score: number; n: number }> {
  const groups = new Map<string, number[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item.rating]);
  return Object.fromEntries([...groups].map(([k, v]) => [k, { score: meanWithStderr(v).mean, n: v.length }]));
}
