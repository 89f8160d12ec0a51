import { ValidationError } from '../common/domain-error';
import { intInRange, text } from '../common/field-rules';
import { normaliseEvaluationName } from '../leaderboard/leaderboard-metric';
import { parseHubDataset } from './hub-dataset-ref';

export enum EvalTaskKind {
  MULTIPLE_CHOICE = 'MULTIPLE_CHOICE',
  EXACT_MATCH = 'EXACT_MATCH',
  REGEX_MATCH = 'REGEX_MATCH',
  CODE = 'CODE',
  /** mt_bench-style: the target answers each turn, the configured judge endpoint rates every answer 1–10. */
  JUDGE = 'JUDGE',
  /** A task of EleutherAI's lm-evaluation-harness, run by its `lm_eval` CLI against the endpoint. */
  LM_EVAL = 'LM_EVAL',
}

/** Which of lm_eval's OpenAI-compatible models drives the endpoint: loglikelihood tasks need completions. */
export type HarnessApi = 'completions' | 'chat';

/**
 * How the harness tokenizes: `none` sends prompts as text (generation tasks only); `remote` tokenizes through the
 * endpoint's own /tokenize, /detokenize and /tokenizer_info (vLLM) and sends token ids, which loglikelihood tasks
 * (multiple choice: hellaswag, mmlu, arc) need to find where the answer starts in the echoed log-probabilities.
 */
export type HarnessTokenizer = 'none' | 'remote';

export interface HarnessTask {
  /** The harness's task (or group) name, e.g. "gsm8k", "hellaswag"; one per suite task. */
  task: string;
  numFewshot: number | null;
  api: HarnessApi;
  /** Absent in suites stored before it existed: `none`. */
  tokenizer?: HarnessTokenizer;
}

export interface EvalTask {
  /** Stored as the evaluation's benchmark name (mmlu, humaneval, …). */
  name: string;
  kind: EvalTaskKind;
  /** A JSONL file inside the configured datasets folder (EVAL_DATASETS_DIR); null for LM_EVAL (the harness brings its own). */
  dataset: string | null;
  limit: number | null;
  maxTokens: number;
  /** LM_EVAL only. */
  harness?: HarnessTask;
}

export interface EvalSuite {
  name: string;
  tasks: EvalTask[];
}

export interface EvalTaskInput {
  name: string;
  kind: EvalTaskKind;
  dataset?: string | null;
  limit?: number | null;
  maxTokens?: number | null;
  harness?: { task: string; numFewshot?: number | null; api?: string | null; tokenizer?: string | null } | null;
}

const MAX_TASKS = 32;
const DEFAULT_MAX_TOKENS: Record<EvalTaskKind, number> = { MULTIPLE_CHOICE: 16, EXACT_MATCH: 64, REGEX_MATCH: 256, CODE: 512, JUDGE: 1024, LM_EVAL: 256 };
// Harness task names become one element of `--tasks a,b`: no commas, spaces or anything a shell or path would read.
const HARNESS_TASK = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * A dataset is a hub file (hf://datasets/<owner>/<name>[@<revision>]/<file>.jsonl) or a path that may not leave the
 * datasets folder: relative, no "..", no absolute paths, JSONL only.
 */
export function datasetPath(field: string, value: string): string {
  const p = text(field, value, 300, { min: 1 });
  if (p.startsWith('hf://')) {
    if (!parseHubDataset(p)) throw new ValidationError(field, 'must be hf://datasets/<owner>/<name>[@<revision>]/<file>.jsonl');
    return p;
  }
  if (p.startsWith('/') || p.includes('\\') || p.split('/').some((s) => s === '..' || s === '.' || s === '') || !p.endsWith('.jsonl')) {
    throw new ValidationError(field, 'must be a relative path to a .jsonl file inside the datasets folder');
  }
  return p;
}

function harnessTask(field: string, input: EvalTaskInput['harness']): HarnessTask {
  if (!input) throw new ValidationError(field, 'LM_EVAL tasks need harness { task } (an lm-evaluation-harness task name)');
  const task = text(`${field}.task`, input.task, 100, { min: 1 });
  if (!HARNESS_TASK.test(task)) throw new ValidationError(`${field}.task`, 'must be one harness task name: letters, digits, ".", "_" or "-"');
  const api = input.api ?? 'completions';
  if (api !== 'completions' && api !== 'chat') throw new ValidationError(`${field}.api`, 'must be "completions" or "chat"');
  const tokenizer = input.tokenizer ?? 'none';
  if (tokenizer !== 'none' && tokenizer !== 'remote') throw new ValidationError(`${field}.tokenizer`, 'must be "none" or "remote"');
  if (tokenizer === 'remote' && api === 'chat') {
    throw new ValidationError(`${field}.tokenizer`, '"remote" works with api "completions" only (the chat API takes messages, not token ids, and has no loglikelihood)');
  }
  return { task, numFewshot: intInRange(`${field}.numFewshot`, input.numFewshot, 0, 64), api, tokenizer };
}

export function validateSuite(input: { name: string; tasks: EvalTaskInput[] }): EvalSuite {
  if (!input.tasks?.length || input.tasks.length > MAX_TASKS) throw new ValidationError('suite.tasks', `give 1 to ${MAX_TASKS} tasks`);
  const names = new Set<string>();
  const tasks = input.tasks.map((t, i): EvalTask => {
    const field = `suite.tasks[${i}]`;
    // Stored as the evaluation's benchmark: the same names recordEvaluation and the leaderboard's metric accept.
    const name = normaliseEvaluationName(text(`${field}.name`, t.name, 100, { min: 1 }), `${field}.name`);
    if (names.has(name)) throw new ValidationError(`${field}.name`, 'task names must be unique in a suite');
    names.add(name);
    if (!Object.values(EvalTaskKind).includes(t.kind)) throw new ValidationError(`${field}.kind`, 'unknown task kind');
    const harness = t.kind === EvalTaskKind.LM_EVAL;
    if (harness && t.dataset) throw new ValidationError(`${field}.dataset`, 'LM_EVAL tasks take no dataset: the harness task names its own');
    if (!harness && t.harness) throw new ValidationError(`${field}.harness`, 'only LM_EVAL tasks take harness settings');
    if (harness && t.maxTokens != null) throw new ValidationError(`${field}.maxTokens`, "LM_EVAL tasks use the harness task's own generation settings");
    if (!harness && !t.dataset) throw new ValidationError(`${field}.dataset`, 'must name a .jsonl file inside the datasets folder');
    return {
      name,
      kind: t.kind,
      dataset: harness ? null : datasetPath(`${field}.dataset`, t.dataset as string),
      limit: intInRange(`${field}.limit`, t.limit, 1, 100_000),
      maxTokens: intInRange(`${field}.maxTokens`, t.maxTokens, 1, 32_768) ?? DEFAULT_MAX_TOKENS[t.kind],
      ...(harness ? { harness: harnessTask(`${field}.harness`, t.harness) } : {}),
    };
  });
  return { name: text('suite.name', input.name, 100, { min: 1 }), tasks };
}

/**
 * lm_eval reads model_args as "k=v,k=v": a served model name or URL with ",", "=" or spaces would smuggle in other
 * arguments (base_url=…). Checked when the run is asked for, so it is refused before anything is recorded.
 */
export function checkHarnessTarget(suite: EvalSuite, target: { url: string; model: string }): void {
  if (!suite.tasks.some((t) => t.kind === EvalTaskKind.LM_EVAL)) return;
  for (const [field, value] of [['target.model', target.model], ['target.url', target.url]] as const) {
    if (/[,=\s]/.test(value)) throw new ValidationError(field, 'must not contain ",", "=" or spaces in a suite with LM_EVAL tasks (lm_eval reads model_args as k=v pairs)');
  }
}

/** The index of the first task that needs the server's judge endpoint, or -1. */
export function firstJudgeTask(suite: EvalSuite): number {
  return suite.tasks.findIndex((t) => t.kind === EvalTaskKind.JUDGE);
}
