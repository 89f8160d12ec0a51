import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { ClosedPlan, LoadScenario } from './load-sweep';
import type { LoadTarget, RequestSample } from './load-types';
import type { OpenPlan } from './open-loop';
import { checkedAddress } from './target-check';

/** Levels with fewer streams than this run in the calling thread: one event loop keeps up with them. */
const THREAD_MIN_CONCURRENCY = 64;
const MAX_THREADS = 4;
export const PROGRESS_EVERY_MS = 100;
/**
 * The threads' common start is set this far ahead of the moment all are ready, so that posting it to each thread
 * does not make an open loop's first requests late (they are due a few ms apart at high rates).
 */
const START_LEAD_MS = 10;

/** One thread's share of a level: a closed loop's streams or an open loop's arrivals. */
export type ThreadWork = { loop: 'closed'; plan: ClosedPlan } | { loop: 'open'; plan: OpenPlan };

/** What a load thread is given (structured-cloned: no functions, the target's address already checked). */
export interface LoadThreadInput {
  target: Pick<LoadTarget, 'baseUrl' | 'model' | 'apiKey' | 'pinnedAddress'>;
  scenario: LoadScenario;
  work: ThreadWork;
}

/** From the parent: the level's common start (wall-clock epoch ms, see openLoop), or cancel. */
export type LoadThreadCommand = { type: 'start'; at: number } | { type: 'abort' };

export type LoadThreadMessage =
  | { type: 'ready' }
  | { type: 'progress'; done: number }
  | { type: 'done'; samples: RequestSample[]; startedAt: number | null }
  | { type: 'error'; message: string };

/**
 * Threads a level is split over: one per core (at most 4) once it has enough streams (a closed loop's concurrency,
 * an open loop's expected requests in flight, see openLoopThreads). Each thread has
 * its own event loop and connections, so a burst of chunks from hundreds of streams is parsed on several cores
 * instead of queueing on one, and the client's own delay stays out of the measured TTFT.
 */
export function loadThreads(streams: number, requested?: number): number {
  if (requested !== undefined) return Math.max(1, Math.min(requested, MAX_THREADS, streams));
  return streams >= THREAD_MIN_CONCURRENCY ? Math.min(availableParallelism(), MAX_THREADS) : 1;
}

export const share = (total: number, index: number, of: number) => (Number.isFinite(total) ? Math.floor(total / of) + (index < total % of ? 1 : 0) : total);

/** The level's plan cut into `of` shares: streams, whole warm-up rounds and measured requests. */
export function shardPlans(plan: ClosedPlan, of: number): ClosedPlan[] {
  const rounds = plan.concurrency > 0 ? plan.warm / plan.concurrency : 0;
  return Array.from({ length: of }, (_, index) => {
    const concurrency = share(plan.concurrency, index, of);
    return { ...plan, concurrency, warm: rounds * concurrency, limit: share(plan.limit, index, of), shard: { index, of } };
  });
}

type ThreadResult = { samples: RequestSample[]; startedAt: number | null };

/**
 * Runs one level's shares in worker threads, one thread each, and merges their samples, start offsets counted from
 * the earliest thread's start of measurement (an open loop's common start). The threads start together: each
 * reports ready once loaded (compiling the sources takes a while in tests), then all get the same start time.
 * The target's address is checked once by the caller (or here) and the threads connect to that address only.
 * Cancelling `signal` stops every thread's requests at once, and so does one thread failing.
 */
export async function runInThreads(
  target: LoadTarget,
  scenario: LoadScenario,
  work: ThreadWork[],
  signal: AbortSignal,
  report: (done: number) => void,
): Promise<RequestSample[]> {
  const pinnedAddress = target.pinnedAddress ?? (await checkedAddress(target));
  const base = { baseUrl: target.baseUrl, model: target.model, apiKey: target.apiKey ?? null, pinnedAddress };
  const done = new Array<number>(work.length).fill(0);
  // One thread failing stops the others' load too: the level is lost, and the endpoint must not keep receiving it.
  const level = new AbortController();
  const forward = () => level.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  let results: ThreadResult[];
  try {
    const threads = work.map((share, i) => runThread({ target: base, scenario, work: share }, level.signal, (n) => {
      done[i] = n;
      report(done.reduce((a, b) => a + b, 0));
    }));
    const all = Promise.all(threads.map((t) => t.result.catch((error: unknown) => {
      level.abort(error);
      throw error;
    })));
    all.catch(() => undefined); // awaited below, after the start; a failure meanwhile has already aborted the level
    await Promise.all(threads.map((t) => t.ready));
    const at = performance.timeOrigin + performance.now() + START_LEAD_MS;
    for (const t of threads) t.start(at);
    results = await all;
  } finally {
    signal.removeEventListener('abort', forward);
  }
  const starts = results.map((r) => r.startedAt).filter((t): t is number => t !== null);
  const origin = starts.length ? Math.min(...starts) : 0;
  return results.flatMap((r) => r.samples.map((s) => ({ ...s, startMs: s.startedAt - origin })));
}

/** A running load thread: `ready` once it is loaded (or has ended), `start` sets it going, `result` is its share. */
interface LoadThread {
  ready: Promise<void>;
  start: (at: number) => void;
  result: Promise<ThreadResult>;
}

function runThread(input: LoadThreadInput, signal: AbortSignal, progress: (done: number) => void): LoadThread {
  const worker = spawnLoadThread(input);
  const command = (message: LoadThreadCommand) => worker.postMessage(message);
  let settled = false;
  let isReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => { isReady = resolve; });
  const result = new Promise<ThreadResult>((resolve, reject) => {
    const abort = () => command({ type: 'abort' });
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      isReady();
      signal.removeEventListener('abort', abort);
      void worker.terminate();
      action();
    };
    worker.on('message', (message: LoadThreadMessage) => {
      if (message.type === 'ready') isReady();
      else if (message.type === 'progress') progress(message.done);
      else if (message.type === 'done') {
        progress(message.samples.length);
        settle(() => resolve({ samples: message.samples, startedAt: message.startedAt }));
      } else settle(() => reject(new Error(`load thread failed: ${message.message}`)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`load thread exited (${code}) before reporting`))));
  });
  return { ready, result, start: (at) => { if (!settled) command({ type: 'start', at }); } };
}

function spawnLoadThread(input: LoadThreadInput): Worker {
  const entry = path.join(__dirname, `load-thread${path.extname(__filename)}`);
  if (entry.endsWith('.js')) return new Worker(entry, { workerData: input });
  // Running from the TypeScript sources (tests): the thread compiles them as the tests' child processes do.
  const register = path.resolve(__dirname, '../../test/support/ts-register.js');
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: input });
}

