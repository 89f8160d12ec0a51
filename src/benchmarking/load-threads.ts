import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ValidationError } from '../domain/common/domain-error';
import { DestinationRefusedError, resolveChecked } from '../net/guarded-request';
import type { ClosedPlan, LoadScenario } from './load-sweep';
import type { LoadTarget, RequestSample } from './load-types';

/** Levels with fewer streams than this run in the calling thread: one event loop keeps up with them. */
const THREAD_MIN_CONCURRENCY = 64;
const MAX_THREADS = 4;
export const PROGRESS_EVERY_MS = 100;

/** What a load thread is given (structured-cloned: no functions, the target's address already checked). */
export interface LoadThreadInput {
  target: Pick<LoadTarget, 'baseUrl' | 'model' | 'apiKey' | 'pinnedAddress'>;
  scenario: LoadScenario;
  plan: ClosedPlan;
}

export type LoadThreadMessage =
  | { type: 'progress'; done: number }
  | { type: 'done'; samples: RequestSample[]; startedAt: number | null }
  | { type: 'error'; message: string };

/**
 * The target's address checked against its policy (null without one). A refusal is the request's fault, answered
 * as BAD_USER_INPUT on target.url and never retried; a DNS fault stays an error the activity retries.
 */
export async function checkedAddress(target: LoadTarget): Promise<string | null> {
  if (!target.policy) return null;
  try {
    return (await resolveChecked(new URL(target.baseUrl), target.policy)).address;
  } catch (error) {
    if (error instanceof DestinationRefusedError) throw new ValidationError('target.url', error.message);
    throw error;
  }
}

/**
 * Threads a closed-loop level is split over: one per core (at most 4) once it has enough streams. Each thread has
 * its own event loop and connections, so a burst of chunks from hundreds of streams is parsed on several cores
 * instead of queueing on one, and the client's own delay stays out of the measured TTFT.
 */
export function loadThreads(concurrency: number, requested?: number): number {
  if (requested !== undefined) return Math.max(1, Math.min(requested, MAX_THREADS, concurrency));
  return concurrency >= THREAD_MIN_CONCURRENCY ? Math.min(availableParallelism(), MAX_THREADS) : 1;
}

const share = (total: number, index: number, of: number) => (Number.isFinite(total) ? Math.floor(total / of) + (index < total % of ? 1 : 0) : total);

/** The level's plan cut into `of` shares: streams, whole warm-up rounds and measured requests. */
export function shardPlans(plan: ClosedPlan, of: number): ClosedPlan[] {
  const rounds = plan.concurrency > 0 ? plan.warm / plan.concurrency : 0;
  return Array.from({ length: of }, (_, index) => {
    const concurrency = share(plan.concurrency, index, of);
    return { ...plan, concurrency, warm: rounds * concurrency, limit: share(plan.limit, index, of), shard: { index, of } };
  });
}

/**
 * Runs one closed-loop level in `threads` worker threads and merges their samples, start offsets counted from the
 * earliest thread's start of measurement. The target's address is checked here once (URL_IMPORT_ALLOW) and the
 * threads connect to that address only. Cancelling `signal` stops every thread's requests at once.
 */
export async function runClosedLoopInThreads(
  target: LoadTarget,
  scenario: LoadScenario,
  plan: ClosedPlan,
  threads: number,
  signal: AbortSignal,
  report: (done: number) => void,
): Promise<RequestSample[]> {
  const pinnedAddress = target.pinnedAddress ?? (await checkedAddress(target));
  const base = { baseUrl: target.baseUrl, model: target.model, apiKey: target.apiKey ?? null, pinnedAddress };
  const done = new Array<number>(threads).fill(0);
  // One thread failing stops the others' load too: the level is lost, and the endpoint must not keep receiving it.
  const level = new AbortController();
  const forward = () => level.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  let results: { samples: RequestSample[]; startedAt: number | null }[];
  try {
    results = await Promise.all(shardPlans(plan, threads).map((shardPlan, i) => runThread({ target: base, scenario, plan: shardPlan }, level.signal, (n) => {
      done[i] = n;
      report(done.reduce((a, b) => a + b, 0));
    }).catch((error: unknown) => {
      level.abort(error);
      throw error;
    })));
  } finally {
    signal.removeEventListener('abort', forward);
  }
  const starts = results.map((r) => r.startedAt).filter((t): t is number => t !== null);
  const origin = starts.length ? Math.min(...starts) : 0;
  return results.flatMap((r) => r.samples.map((s) => ({ ...s, startMs: s.startedAt - origin })));
}

function runThread(input: LoadThreadInput, signal: AbortSignal, progress: (done: number) => void): Promise<{ samples: RequestSample[]; startedAt: number | null }> {
  return new Promise((resolve, reject) => {
    const worker = spawnLoadThread(input);
    const abort = () => worker.postMessage('abort');
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', abort);
      void worker.terminate();
      action();
    };
    worker.on('message', (message: LoadThreadMessage) => {
      if (message.type === 'progress') progress(message.done);
      else if (message.type === 'done') {
        progress(message.samples.length);
        settle(() => resolve({ samples: message.samples, startedAt: message.startedAt }));
      } else settle(() => reject(new Error(`load thread failed: ${message.message}`)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`load thread exited (${code}) before reporting`))));
  });
}

function spawnLoadThread(input: LoadThreadInput): Worker {
  const entry = path.join(__dirname, `load-thread${path.extname(__filename)}`);
  if (entry.endsWith('.js')) return new Worker(entry, { workerData: input });
  // Running from the TypeScript sources (tests): the thread compiles them as the tests' child processes do.
  const register = path.resolve(__dirname, '../../test/support/ts-register.js');
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: input });
}

