import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestCapPerLevel } from '../domain/benchmarking/benchmark-request';
import { levelMetrics } from './level-stats';
import type { LevelMetrics, LoadTarget, RequestApi, RequestSample, Slo } from './load-types';
import { OpenAiStreamClient } from './openai-stream-client';
import { loadThreads, runInThreads, shardPlans } from './load-threads';
import { checkedAddress } from './target-check';
import { runOpenLevel } from './open-loop';
import { type PromptPlan, promptSource } from './prompt-source';

export interface LoadScenario extends PromptPlan {
  api: RequestApi;
  /** Closed loop: each level keeps this many requests in flight. */
  concurrencies?: number[] | null;
  /** Open loop: each level starts requests at this many per second (evenly spaced). */
  requestRates?: number[] | null;
  /**
   * Requests run and discarded at the start of each level (caches, JIT, connection pool). Closed loop: rounded
   * up to whole rounds of the concurrency, and measurement continues from them without a pause.
   */
  warmupRequests: number;
  /** Closed loop: the workers' first requests are spread over this many seconds (no synchronized burst). */
  rampUpS?: number | null;
  /**
   * A level stops after this many measured requests, or after durationS, whichever comes first, and in any case
   * at its share of the run's sample budget (requestCapPerLevel).
   */
  requestsPerLevel?: number | null;
  durationS?: number | null;
  slo?: Slo | null;
}

export interface LevelResult {
  metrics: LevelMetrics;
  /** Requests per second for open-loop levels. */
  requestRate: number | null;
  samples: RequestSample[];
}

export interface SweepProgress {
  level: number;
  levels: number;
  done: number;
  /** How far the current level is, 0 to 1 (levelFraction). */
  fraction: number;
}

/**
 * How far a level is: measured requests against its request limit, or, for a level with durationS, time since
 * measurement began against it, whichever is further (the level stops at the first). Counting requests alone left
 * a level stopped by duration at 0 % until it ended.
 */
export function levelFraction(done: number, limit: number, elapsedMs: number, durationS: number | null | undefined): number {
  const byRequests = Number.isFinite(limit) && limit > 0 ? done / limit : 0;
  const byTime = durationS ? elapsedMs / (durationS * 1000) : 0;
  return Math.min(1, Math.max(byRequests, byTime));
}

/** Levels of the scenario, as (concurrency, rate) pairs in the order they run. */
export function sweepLevels(scenario: LoadScenario): { concurrency: number; rate: number | null }[] {
  if (scenario.requestRates?.length) return scenario.requestRates.map((rate) => ({ concurrency: 0, rate }));
  return (scenario.concurrencies?.length ? scenario.concurrencies : [1]).map((concurrency) => ({ concurrency, rate: null }));
}

/**
 * Runs the sweep level after level. Cancelling `signal` aborts every request in flight at once (their sockets
 * are destroyed), so the endpoint stops receiving load immediately, and the sweep rejects.
 */
export async function runSweep(
  target: LoadTarget,
  scenario: LoadScenario,
  outer: AbortSignal,
  onProgress: (progress: SweepProgress) => void = () => undefined,
  /**
   * Load threads per level; default: one per core (at most 4) for levels of 64 streams or more (open loop: 64
   * expected in flight, see openLoopThreads).
   */
  options: { threads?: number } = {},
): Promise<LevelResult[]> {
  // Checked before any load, whatever the levels: a target refused now fails the run at once, not as failed requests.
  // Load threads connect to this address only (no second lookup per level that could answer differently).
  const pinned = { ...target, pinnedAddress: target.pinnedAddress ?? (await checkedAddress(target)) };
  // Every request in flight listens on the signal: an own controller, linked to the caller's, with no listener cap.
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const forward = () => controller.abort(outer.reason);
  if (outer.aborted) forward();
  else outer.addEventListener('abort', forward, { once: true });
  const signal = controller.signal;
  const client = new OpenAiStreamClient(target);
  const levels = sweepLevels(scenario);
  const results: LevelResult[] = [];
  try {
    for (const [i, level] of levels.entries()) {
      signal.throwIfAborted();
      const limit = Math.min(scenario.requestsPerLevel ?? Infinity, requestCapPerLevel(scenario));
      // The first measured request's end: about when measurement (and the level's duration) began.
      let measuringSince: number | null = null;
      const report = (done: number) => {
        const now = performance.now();
        measuringSince ??= now;
        onProgress({ level: i, levels: levels.length, done, fraction: levelFraction(done, limit, now - measuringSince, scenario.durationS) });
      };
      const samples = await runLevel(client, pinned, scenario, level, `l${i}`, signal, report, options.threads);
      signal.throwIfAborted();
      const metrics = levelMetrics(level.rate === null ? level.concurrency : Math.ceil(level.rate), samples, scenario.slo);
      results.push({ metrics, requestRate: level.rate, samples });
    }
    return results;
  } finally {
    outer.removeEventListener('abort', forward);
    client.close();
  }
}

async function runLevel(
  client: OpenAiStreamClient,
  target: LoadTarget,
  scenario: LoadScenario,
  level: { concurrency: number; rate: number | null },
  tag: string,
  signal: AbortSignal,
  report: (done: number) => void,
  requestedThreads: number | undefined,
): Promise<RequestSample[]> {
  if (level.rate !== null) return runOpenLevel(client, target, scenario, level.rate, tag, signal, report, requestedThreads);
  const plan = closedPlan(scenario, level.concurrency, tag);
  const threads = loadThreads(level.concurrency, requestedThreads);
  if (threads > 1) return runInThreads(target, scenario, shardPlans(plan, threads).map((p) => ({ loop: 'closed', plan: p })), signal, report);
  return (await closedLoop(client, scenario, plan, signal, report)).samples;
}

/**
 * Keeps `concurrency` requests in flight. Warm-up and measurement are one continuous loop (the first `warm`
 * requests started are discarded), so measurement starts in steady state instead of with a burst of
 * `concurrency` simultaneous first requests; rampMs spreads the workers' first requests over that time.
 * A load thread runs one share of a level (`shard`): its requests are numbered index × of + shard, so prompts
 * and request ids stay those of one loop.
 */
export interface ClosedPlan {
  concurrency: number;
  warm: number;
  limit: number;
  rampMs: number;
  tag: string;
  shard: { index: number; of: number };
}

export function closedPlan(scenario: LoadScenario, concurrency: number, tag: string): ClosedPlan {
  // Whole rounds: with fewer warm-up requests than workers, measured requests would run beside uncounted ones
  // and the level's throughput would read low.
  const warm = scenario.warmupRequests > 0 ? Math.ceil(scenario.warmupRequests / concurrency) * concurrency : 0;
  const limit = Math.min(scenario.requestsPerLevel ?? Infinity, requestCapPerLevel(scenario));
  return { concurrency, warm, limit, rampMs: (scenario.rampUpS ?? 0) * 1000, tag, shard: { index: 0, of: 1 } };
}

/** Runs the plan; `startedAt` is the wall-clock time measurement began (its samples' startMs count from it). */
export async function closedLoop(client: OpenAiStreamClient, scenario: LoadScenario, plan: ClosedPlan, signal: AbortSignal, report: (done: number) => void): Promise<{ samples: RequestSample[]; startedAt: number | null }> {
  const prompts = promptSource(scenario);
  const { concurrency, warm, limit, rampMs, tag, shard } = plan;
  const samples: RequestSample[] = [];
  let issued = 0;
  let measured = 0;
  let start = 0;
  let deadline = Infinity;
  const next = (): { index: number; measured: boolean } | null => {
    if (signal.aborted) return null;
    const index = issued * shard.of + shard.index;
    if (issued < warm) {
      issued += 1;
      return { index, measured: false };
    }
    const now = performance.now();
    if (measured === 0) {
      start = now;
      deadline = scenario.durationS ? now + scenario.durationS * 1000 : Infinity;
    }
    if (measured >= limit || now >= deadline) return null;
    measured += 1;
    issued += 1;
    return { index, measured: true };
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, warm + limit) }, async (_, worker) => {
    if (rampMs > 0) await sleep((worker * rampMs) / concurrency, undefined, { signal }).catch(() => undefined);
    for (let job = next(); job; job = next()) {
      const sample = await client.stream(scenario.api, prompts(job.index), `${tag}-${job.measured ? 'm' : 'w'}${job.index}`, job.measured ? start : performance.now(), signal);
      if (job.measured) {
        samples.push(sample);
        report(samples.length);
      }
      // Let the agent take the finished response's socket back first; otherwise the next request opens a new
      // connection, and connection setup shows up in the measured TTFT.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }));
  return { samples, startedAt: measured > 0 ? performance.timeOrigin + start : null };
}
