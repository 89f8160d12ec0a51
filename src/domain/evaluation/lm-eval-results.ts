/**
 * Reading lm-evaluation-harness's results_<date>.json (0.4.x): `results[task]` holds "<metric>,<filter>" values and
 * "<metric>_stderr,<filter>" beside them; `groups`, `group_subtasks`, `versions`, `n-shot`, `n-samples` and
 * `lm_eval_version`/`git_hash` describe the run. Pure and bounded: the file comes from a subprocess.
 */

export interface HarnessScore {
  /** "acc", "exact_match", … with ",<filter>" appended unless the filter is "none". */
  metric: string;
  score: number;
  stderr: number | null;
  n: number;
  taskVersion: string | null;
  numFewshot: number | null;
  harnessVersion: string;
  gitHash: string | null;
  /** Every metric of the task, and the primary metric of each subtask of a group (at most MAX_SUBTASKS). */
  metrics: Record<string, { value: number; stderr: number | null }>;
  subtasks: Record<string, { metric: string; score: number; n: number | null }>;
}

export class HarnessResultsError extends Error {}

// The first of these the task reports is its headline number; otherwise its first numeric metric.
const PREFERRED = ['acc', 'exact_match', 'acc_norm', 'pass@1', 'mc2', 'f1', 'em', 'bleu'];
const MAX_METRICS = 50;
const MAX_SUBTASKS = 100;
const SKIP = new Set(['alias', 'name', 'sample_len', 'samples', ' ']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: unknown, key: string): unknown => (isObject(o) && Object.hasOwn(o, key) ? o[key] : undefined);
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The metrics of one `results` entry, in file order: name (with filter unless "none") → value and stderr. */
export function harnessMetrics(entry: unknown): Map<string, { value: number; stderr: number | null }> {
  const metrics = new Map<string, { value: number; stderr: number | null }>();
  if (!isObject(entry)) return metrics;
  for (const [key, value] of Object.entries(entry)) {
    const [name, filter = 'none'] = key.split(',', 2);
    if (SKIP.has(name) || name.endsWith('_stderr') || finite(value) === null || metrics.size >= MAX_METRICS) continue;
    // "N/A" (a single sample, or a metric without one) is no standard error.
    const stderr = finite(entry[`${name}_stderr,${filter}`]);
    metrics.set(filter === 'none' ? name : `${name},${filter}`, { value: value as number, stderr });
  }
  return metrics;
}

function primary(metrics: Map<string, { value: number; stderr: number | null }>): [string, { value: number; stderr: number | null }] | null {
  for (const want of PREFERRED) {
    for (const entry of metrics) if (entry[0] === want || entry[0].startsWith(`${want},`)) return entry;
  }
  return metrics.entries().next().value ?? null;
}

function samples(results: Json, task: string): number | null {
  const counted = own(own(results['n-samples'], task), 'effective') ?? own(own(results['n-samples'], task), 'original');
  return finite(counted) ?? finite(own(own(results.results, task), 'sample_len'));
}

/** The requested task's (or group's) scores from a parsed results file; throws when the file does not hold it. */
export function mapHarnessResults(results: unknown, task: string): HarnessScore {
  if (!isObject(results) || !isObject(results.results)) throw new HarnessResultsError('the results file holds no "results" object');
  const entry = own(results.results, task) ?? own(results.groups, task);
  const metrics = harnessMetrics(entry);
  const head = primary(metrics);
  if (!head) throw new HarnessResultsError(`the results file holds no numeric metric for task "${task}"`);
  const subtaskNames = own(results.group_subtasks, task);
  const subtasks = new Map<string, { metric: string; score: number; n: number | null }>();
  for (const name of Array.isArray(subtaskNames) ? subtaskNames.slice(0, MAX_SUBTASKS) : []) {
    if (typeof name !== 'string') continue;
    const sub = primary(harnessMetrics(own(results.results, name)));
    if (sub) subtasks.set(name, { metric: sub[0], score: sub[1].value, n: samples(results, name) });
  }
  const n = samples(results, task) ?? [...subtasks.values()].reduce((s, v) => s + (v.n ?? 0), 0);
  const version = own(results.versions, task);
  const taskVersion = typeof version === 'number' || typeof version === 'string' ? String(version).slice(0, 40) : null;
  const shots = finite(own(results['n-shot'], task));
  const harnessVersion = typeof results.lm_eval_version === 'string' ? results.lm_eval_version.slice(0, 40) : 'unknown';
  return {
    metric: head[0],
    score: head[1].value,
    stderr: head[1].stderr,
    n,
    taskVersion,
    numFewshot: shots,
    harnessVersion,
    gitHash: typeof results.git_hash === 'string' ? results.git_hash.slice(0, 40) : null,
    metrics: Object.fromEntries(metrics),
    subtasks: Object.fromEntries(subtasks),
  };
}
