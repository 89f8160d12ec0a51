import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { levelMetrics } from './level-stats';
import type { LevelMetrics, LoadTarget, RequestApi, RequestSample, Slo } from './load-types';
import { OpenAiStreamClient } from './openai-stream-client';
import { type PromptPlan, promptSource } from './prompt-source';

export interface LoadScenario extends PromptPlan {
  api: RequestApi;
  /** Closed loop: each level keeps this many requests in flight. */
  concurrencies?: number[] | null;
  /** Open loop: each level starts requests at this many per second (evenly spaced). */
  requestRates?: number[] | null;
  /** Requests run and discarded at the start of each level (caches, JIT, connection pool). */
  warmupRequests: number;
  /** A level stops after this many measured requests, or after durationS, whichever comes first. */
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
  expected: number | null;
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
): Promise<LevelResult[]> {
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
      const report = (done: number) => onProgress({ level: i, levels: levels.length, done, expected: scenario.requestsPerLevel ?? null });
      const samples = await runLevel(client, scenario, level, `l${i}`, signal, report);
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
  scenario: LoadScenario,
  level: { concurrency: number; rate: number | null },
  tag: string,
  signal: AbortSignal,
  report: (done: number) => void,
): Promise<RequestSample[]> {
  const prompts = promptSource(scenario);
  const slots = level.rate === null ? level.concurrency : Number.MAX_SAFE_INTEGER;
  let issued = 0;
  const send = (measured: boolean, levelStart: number) => {
    const index = issued++;
    return client.stream(scenario.api, prompts(index), `${tag}-${measured ? 'm' : 'w'}${index}`, levelStart, signal);
  };
  if (scenario.warmupRequests > 0) {
    const warm = Math.min(scenario.warmupRequests, Math.max(1, level.concurrency || 1));
    let left = scenario.warmupRequests;
    await Promise.all(Array.from({ length: warm }, async () => {
      while (left > 0 && !signal.aborted) { left -= 1; await send(false, performance.now()); }
    }));
  }
  const limit = scenario.requestsPerLevel ?? Number.MAX_SAFE_INTEGER;
  const start = performance.now();
  const deadline = scenario.durationS ? start + scenario.durationS * 1000 : Infinity;
  const samples: RequestSample[] = [];
  let started = 0;
  const more = () => !signal.aborted && started < limit && performance.now() < deadline;
  const record = (sample: RequestSample) => { samples.push(sample); report(samples.length); };
  if (level.rate === null) {
    await Promise.all(Array.from({ length: Math.min(slots, limit) }, async () => {
      while (more()) { started += 1; record(await send(true, start)); }
    }));
  } else {
    const interval = 1000 / level.rate;
    const inFlight: Promise<void>[] = [];
    while (more()) {
      const due = start + started * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (!more()) break;
      started += 1;
      inFlight.push(send(true, start).then(record));
    }
    await Promise.all(inFlight);
  }
  return samples;
}
