import type { EvalConfig } from '../config/eval-config';
import { ValidationError } from '../domain/common/domain-error';
import { binomialStderr } from '../domain/evaluation/answer-matching';
import { type EvalSuite, type EvalTask, EvalTaskKind } from '../domain/evaluation/eval-suite';
import type { LoadTarget } from '../benchmarking/load-types';
import { complete } from './completion-client';
import { type Dataset, type DatasetSources, openDataset } from './dataset-reader';
import { type JudgeEndpoint, runJudgeTask } from './judge-task';
import { HARNESS_RUNNER, runHarnessTask } from './lm-eval-runner';
import { ROW_FORMATS, scoredItem } from './task-scoring';
import { SandboxUnavailableError } from './code-sandbox';
import { requireCodeSandbox } from './sandbox-probe';

export const RUNNER = { name: 'modelhub-builtin', version: '1' } as const;
const CONCURRENCY = 4;

export interface TaskScore {
  task: string;
  kind: string;
  metric: string;
  score: number;
  n: number;
  stderr: number | null;
  datasetVersion: string;
  /** Accuracy per subject (multiple choice), failed requests. */
  details: Record<string, unknown>;
  /** Set when another runner than the built-in one scored the task (lm-evaluation-harness). */
  runner?: { name: string; version: string };
  numShots?: number | null;
}

/** What the worker brings to a suite besides the target: where datasets come from, the judge, the harness. */
export interface SuiteResources {
  datasets: DatasetSources;
  /** Null when no judge is configured: a JUDGE task then fails before any request. */
  judge: JudgeEndpoint | null;
  lmEval: EvalConfig['lmEval'];
}

const NO_JUDGE = 'JUDGE tasks need a judge endpoint configured on the worker (EVAL_JUDGE_URL, EVAL_JUDGE_MODEL)';

/** Runs every task of the suite in order; items of a task go CONCURRENCY at a time. */
export async function runSuite(
  target: LoadTarget,
  suite: EvalSuite,
  resources: SuiteResources,
  signal: AbortSignal,
  onItem: (task: number, done: number, total: number) => void,
): Promise<TaskScore[]> {
  const judged = suite.tasks.find((t) => t.kind === EvalTaskKind.JUDGE);
  if (judged && !resources.judge) throw new ValidationError(`task ${judged.name}`, NO_JUDGE);
  // A worker whose sandbox cannot start fails the run before any request, rather than scoring every sample 0.
  await requireCodeSandbox(suite);
  const pinned = await checkDatasets(suite, resources.datasets);
  const scores: TaskScore[] = [];
  for (const [index, task] of suite.tasks.entries()) {
    signal.throwIfAborted();
    const progress = (done: number, total: number) => onItem(index, done, total);
    if (task.kind === EvalTaskKind.LM_EVAL) {
      scores.push(await runHarness(target, task, resources, signal, progress));
      continue;
    }
    // Opened again rather than kept from the check (32 tasks × 64 MiB of parsed rows must not sit in memory at once),
    // at the commit the check resolved: a hub branch that moves meanwhile changes nothing in this run.
    const dataset = await openDataset(resources.datasets, pinned[index] ?? (task.dataset as string), task.limit);
    scores.push(task.kind === EvalTaskKind.JUDGE ? await runJudge(target, task, resources, dataset, signal, progress) : await runTask(target, task, dataset, signal, progress));
  }
  return scores;
}

/**
 * Every task's dataset opened (and a built-in task's rows checked) before the first request, one at a time: a
 * suite with several bad datasets is refused once, naming all of them, rather than one per run after the
 * endpoint's work. Hub files are cached on disk by then, so the second read is local.
 */
async function checkDatasets(suite: EvalSuite, sources: DatasetSources): Promise<(string | null)[]> {
  const problems: string[] = [];
  const pinned: (string | null)[] = suite.tasks.map(() => null);
  for (const [index, task] of suite.tasks.entries()) {
    if (task.kind === EvalTaskKind.LM_EVAL) continue;
    try {
      const dataset = await openDataset(sources, task.dataset as string, task.limit);
      pinned[index] = dataset.pinned;
      if (task.kind !== EvalTaskKind.JUDGE) scoredItems(task, dataset);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error; // a fault, not a verdict: the activity retries
      problems.push(`task ${task.name}: ${error.message}`);
    }
  }
  if (problems.length === 1) throw new ValidationError('dataset', problems[0]);
  if (problems.length) throw new ValidationError('dataset', `${problems.length} tasks cannot run: ${problems.join('; ')}`);
  return pinned;
}

function scoredItems(task: EvalTask, dataset: Dataset) {
  return dataset.rows.map((row, i) => {
    try {
      return scoredItem(task.kind, row);
    } catch (error) {
      const format = ROW_FORMATS[task.kind];
      throw new ValidationError('dataset', `${task.dataset} row ${i + 1}: ${(error as Error).message}${format ? ` (${task.kind} rows are ${format})` : ''}`);
    }
  });
}

async function runJudge(target: LoadTarget, task: EvalTask, resources: SuiteResources, dataset: Dataset, signal: AbortSignal, onItem: (done: number, total: number) => void): Promise<TaskScore> {
  if (!resources.judge) throw new ValidationError(`task ${task.name}`, NO_JUDGE);
  return runJudgeTask(target, resources.judge, task, dataset, signal, onItem);
}

async function runHarness(target: LoadTarget, task: EvalTask, resources: SuiteResources, signal: AbortSignal, onItem: (done: number, total: number) => void): Promise<TaskScore> {
  onItem(0, 1);
  // Its requests' bar ends at total/total before the results are written: the task is done only when they are read.
  const result = await runHarnessTask(target, task, resources.lmEval, signal, (done, total) => onItem(Math.min(done, total - 1), total));
  onItem(1, 1);
  return {
    task: task.name,
    kind: task.kind,
    metric: result.metric,
    score: result.score,
    n: result.n,
    stderr: result.stderr,
    // The harness task's own version: its documents and prompt are the harness's, not a file of ours.
    datasetVersion: `${task.harness?.task ?? task.name}@${result.taskVersion ?? 'unversioned'}`,
    details: { harnessTask: task.harness?.task, metrics: result.metrics, ...(Object.keys(result.subtasks).length ? { subtasks: result.subtasks } : {}), ...(result.gitHash ? { harnessGitHash: result.gitHash } : {}) },
    runner: { name: HARNESS_RUNNER, version: result.harnessVersion },
    numShots: result.numFewshot,
  };
}

async function runTask(target: LoadTarget, task: EvalTask, dataset: Dataset, signal: AbortSignal, onItem: (done: number, total: number) => void): Promise<TaskScore> {
  const items = scoredItems(task, dataset);
  const results: { subject: string | null; score: number; failed: boolean }[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
    while (next < items.length) {
      signal.throwIfAborted();
      const item = items[next++];
      let score = 0;
      let failed = false;
      try {
        score = await item.score(await complete(target, item.prompt, task.maxTokens, signal));
      } catch (error) {
        if (signal.aborted || error instanceof SandboxUnavailableError) throw error; // not a verdict on the completion
        failed = true; // an item the endpoint failed on scores 0, like a wrong answer, and is counted
      }
      results.push({ subject: item.subject, score, failed });
      onItem(results.length, items.length);
    }
  }));
  const correct = results.reduce((s, r) => s + r.score, 0);
  const subjects = new Map<string, { correct: number; n: number }>();
  for (const r of results) {
    if (r.subject === null) continue;
    const s = subjects.get(r.subject) ?? { correct: 0, n: 0 };
    s.correct += r.score;
    s.n += 1;
    subjects.set(r.subject, s);
  }
  return {
    task: task.name,
    kind: task.kind,
    metric: task.kind === 'CODE' ? 'pass@1' : task.kind === 'MULTIPLE_CHOICE' ? 'accuracy' : 'exact_match',
    score: results.length ? correct / results.length : 0,
    n: results.length,
    stderr: binomialStderr(correct, results.length),
    datasetVersion: dataset.version,
    details: {
      failedRequests: results.filter((r) => r.failed).length,
      ...(subjects.size ? { subjects: Object.fromEntries([...subjects].map(([k, v]) => [k, { accuracy: v.correct / v.n, n: v.n }])) } : {}),
    },
  };
}
