import { ValidationError } from '../common/domain-error';
import { intInRange, text } from '../common/field-rules';

export enum EvalTaskKind {
  MULTIPLE_CHOICE = 'MULTIPLE_CHOICE',
  EXACT_MATCH = 'EXACT_MATCH',
  REGEX_MATCH = 'REGEX_MATCH',
  CODE = 'CODE',
}

export interface EvalTask {
  /** Stored as the evaluation's benchmark name (mmlu, humaneval, …). */
  name: string;
  kind: EvalTaskKind;
  /** A JSONL file inside the configured datasets folder (EVAL_DATASETS_DIR). */
  dataset: string;
  limit: number | null;
  maxTokens: number;
}

export interface EvalSuite {
  name: string;
  tasks: EvalTask[];
}

export type EvalTaskInput = Omit<EvalTask, 'limit' | 'maxTokens'> & { limit?: number | null; maxTokens?: number | null };

const MAX_TASKS = 32;
const DEFAULT_MAX_TOKENS: Record<EvalTaskKind, number> = { MULTIPLE_CHOICE: 16, EXACT_MATCH: 64, REGEX_MATCH: 256, CODE: 512 };

/** A dataset path may not leave the datasets folder: relative, no "..", no absolute paths, JSONL only. */
export function datasetPath(field: string, value: string): string {
  const p = text(field, value, 300, { min: 1 });
  if (p.startsWith('/') || p.includes('\\') || p.split('/').some((s) => s === '..' || s === '.' || s === '') || !p.endsWith('.jsonl')) {
    throw new ValidationError(field, 'must be a relative path to a .jsonl file inside the datasets folder');
  }
  return p;
}

export function validateSuite(input: { name: string; tasks: EvalTaskInput[] }): EvalSuite {
  if (!input.tasks?.length || input.tasks.length > MAX_TASKS) throw new ValidationError('suite.tasks', `give 1 to ${MAX_TASKS} tasks`);
  const names = new Set<string>();
  const tasks = input.tasks.map((t, i) => {
    const name = text(`suite.tasks[${i}].name`, t.name, 100, { min: 1 }).toLowerCase();
    if (names.has(name)) throw new ValidationError(`suite.tasks[${i}].name`, 'task names must be unique in a suite');
    names.add(name);
    if (!Object.values(EvalTaskKind).includes(t.kind)) throw new ValidationError(`suite.tasks[${i}].kind`, 'unknown task kind');
    return {
      name,
      kind: t.kind,
      dataset: datasetPath(`suite.tasks[${i}].dataset`, t.dataset),
      limit: intInRange(`suite.tasks[${i}].limit`, t.limit, 1, 100_000),
      maxTokens: intInRange(`suite.tasks[${i}].maxTokens`, t.maxTokens, 1, 32_768) ?? DEFAULT_MAX_TOKENS[t.kind],
    };
  });
  return { name: text('suite.name', input.name, 100, { min: 1 }), tasks };
}
