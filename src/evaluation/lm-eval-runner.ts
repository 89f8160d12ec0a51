import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EvalConfig } from '../config/eval-config';
import { ValidationError } from '../domain/common/domain-error';
import type { EvalTask, HarnessTask } from '../domain/evaluation/eval-suite';
import { HarnessResultsError, type HarnessScore, mapHarnessResults } from '../domain/evaluation/lm-eval-results';
import { startHarnessRelay } from './harness-relay';
import type { LoadTarget } from '../benchmarking/load-types';

export const HARNESS_RUNNER = 'lm-evaluation-harness';
export const INSTALL_HINT = 'install it on the worker with: pip install "lm-eval[api]" (or set LM_EVAL_BIN to its lm_eval executable)';

/** lm_eval is missing on this worker, or failed: retrying on the same worker cannot help. */
export class HarnessUnavailableError extends Error {}
export class HarnessFailedError extends Error {}

const MAX_RESULTS_BYTES = 16 * 1024 * 1024;
const STDERR_TAIL = 4000;
// After SIGTERM the harness gets this long to stop its request pool before the whole process group is killed.
const KILL_GRACE_MS = 2000;

type Settings = EvalConfig['lmEval'];

/** model_args is "k=v,k=v": a value with "," or "=" would smuggle in other arguments. */
function arg(field: string, value: string): string {
  if (/[,=\s]/.test(value)) throw new ValidationError(field, 'must not contain ",", "=" or spaces (lm_eval reads model_args as k=v pairs)');
  return value;
}

/** The CLI's arguments, exactly; the API key never appears here (OPENAI_API_KEY in the environment). */
export function harnessArgv(target: LoadTarget, task: HarnessTask, limit: number | null, settings: Settings, outputPath: string): string[] {
  const chat = task.api === 'chat';
  const endpoint = `${target.baseUrl.replace(/\/+$/, '')}/v1/${chat ? 'chat/completions' : 'completions'}`;
  // none: no tokenizer download, prompts go as text. remote: the endpoint's /tokenize (vLLM), token ids in the
  // requests, so loglikelihood tasks can tell the context's tokens from the answer's in the echoed log-probabilities.
  const tokenizer = task.tokenizer === 'remote' ? 'tokenized_requests=True,tokenizer_backend=remote' : 'tokenized_requests=False,tokenizer_backend=None';
  const modelArgs = `model=${arg('target.model', target.model)},base_url=${arg('target.url', endpoint)},num_concurrent=${settings.concurrency},${tokenizer}`;
  return [
    '--model', chat ? 'local-chat-completions' : 'local-completions',
    '--model_args', modelArgs,
    '--tasks', task.task,
    '--output_path', outputPath,
    ...(limit !== null ? ['--limit', String(limit)] : []),
    ...(task.numFewshot !== null ? ['--num_fewshot', String(task.numFewshot)] : []),
    ...(chat ? ['--apply_chat_template'] : []),
    ...(settings.includePath ? ['--include_path', settings.includePath] : []),
  ];
}

/** Runs one harness task in a subprocess (its own process group, killed on cancel) and reads its results file. */
export async function runHarnessTask(target: LoadTarget, task: EvalTask, settings: Settings, signal: AbortSignal, onProgress: (done: number, total: number) => void = () => undefined): Promise<HarnessScore> {
  const harness = task.harness as HarnessTask;
  // The harness makes its own connections, outside the worker's guarded client: it reaches the target only through
  // a loopback relay pinned to the address checked against the policy (a refusal: BAD_USER_INPUT), which adds the
  // API key itself and does not follow redirects.
  const relay = await startHarnessRelay(target);
  let out: string | null = null;
  try {
    out = await mkdtemp(path.join(os.tmpdir(), 'modelhub-lm-eval-'));
    const argv = harnessArgv({ ...target, baseUrl: relay.url }, harness, task.limit, settings, out);
    await run(settings, argv, relay.token, signal, onProgress);
    const file = await findResults(out);
    if ((await stat(file)).size > MAX_RESULTS_BYTES) throw new HarnessFailedError(`lm_eval's results file is larger than ${MAX_RESULTS_BYTES} bytes`);
    try {
      return mapHarnessResults(JSON.parse(await readFile(file, 'utf8')), harness.task);
    } catch (error) {
      if (error instanceof HarnessResultsError || error instanceof SyntaxError) throw new HarnessFailedError(`lm_eval's results: ${error.message}`);
      throw error;
    }
  } finally {
    await relay.close();
    if (out) await rm(out, { recursive: true, force: true });
  }
}

// tqdm's bar on stderr, e.g. "Requesting API:  33%|███▎      | 1/3 [00:00<00:01, …]": the run's only progress signal.
const REQUESTS = /Requesting API:\s*\d+%\|[^|]*\|\s*(\d+)\/(\d+)/g;

function run(settings: Settings, argv: string[], relayToken: string, signal: AbortSignal, onProgress: (done: number, total: number) => void): Promise<void> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(settings.bin, argv, {
      // local-completions sends OPENAI_API_KEY as its bearer token: the relay's token for this run, which the relay
      // checks and replaces with the target's key (the harness's process never holds that).
      env: { ...settings.env, OPENAI_API_KEY: relayToken },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // its own process group: a cancel kills the harness and anything it started
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-STDERR_TAIL);
      const bar = [...c.matchAll(REQUESTS)].at(-1);
      if (bar && Number(bar[2]) > 0) onProgress(Math.min(Number(bar[1]), Number(bar[2])), Number(bar[2]));
    });
    let killTimer: NodeJS.Timeout | undefined;
    const kill = (sig: NodeJS.Signals) => { try { process.kill(-(child.pid as number), sig); } catch { /* already gone */ } };
    const onAbort = () => {
      kill('SIGTERM');
      killTimer = setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      reject(error.code === 'ENOENT' || error.code === 'EACCES'
        ? new HarnessUnavailableError(`lm-evaluation-harness is not installed on this worker (no "${settings.bin}" to run): ${INSTALL_HINT}`)
        : error);
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      kill('SIGKILL'); // leftovers of the group
      if (signal.aborted) reject(signal.reason ?? new Error('cancelled'));
      else if (code === 0) resolve();
      else reject(new HarnessFailedError(`lm_eval exited with ${code ?? sig}: ${lastLines(stderr)}`));
    });
  });
}

function lastLines(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^\S*\s*\d+%\|/.test(l));
  return lines.slice(-6).join(' | ').slice(-1500);
}

/** lm_eval writes <output_path>/<model name, sanitised>/results_<timestamp>.json. */
async function findResults(dir: string): Promise<string> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /^results_.*\.json$/.test(entry.name)) found.push(path.join(entry.parentPath, entry.name));
  }
  if (found.length === 0) throw new HarnessFailedError('lm_eval finished without writing a results_*.json file');
  return found.sort().at(-1) as string;
}
