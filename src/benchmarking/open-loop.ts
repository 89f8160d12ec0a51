import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { openLoopInFlight, requestCapPerLevel } from '../domain/benchmarking/benchmark-request';
import type { LoadScenario } from './load-sweep';
import { loadThreads, runInThreads, share } from './load-threads';
import type { LoadTarget, RequestSample } from './load-types';
import type { OpenAiStreamClient } from './openai-stream-client';
import { promptSource } from './prompt-source';

/**
 * One open-loop level's schedule: measured request k (0, 1, 2, …) starts k / rate seconds after the level's common
 * start and is numbered firstIndex + k (after the warm-up's numbers), so its prompt and id are the ones one loop
 * gives it. A load thread runs one share (`shard`): the requests k ≡ shard.index (mod shard.of), at the same
 * absolute times as one loop would start them, so the merged arrivals keep the level's spacing.
 */
export interface OpenPlan {
  rate: number;
  firstIndex: number;
  /** Measured requests of the whole level (k < limit), not of the share. */
  limit: number;
  /** Measurement stops this long after the common start (null: no duration). */
  durationMs: number | null;
  /** Requests this share keeps in flight at most: its part of the level's openLoopInFlight. */
  maxInFlight: number;
  tag: string;
  shard: { index: number; of: number };
}

/**
 * Without warm-up the level's e2e is unknown: 1 s is assumed (an answer of some tens of tokens from a busy
 * endpoint), so 64 requests/s and more are threaded.
 */
const ASSUMED_E2E_MS = 1000;

/**
 * Threads for an open-loop level. What costs the client is the same as in a closed loop, the streams in flight
 * (their chunks arrive in bursts and queue on one event loop); an open loop has about rate × e2e of them (Little's
 * law), never more than its in-flight cap, and is threaded at the closed loop's threshold (loadThreads). e2e is the
 * warm-up requests' mean: they run alone, so it is a floor (under load it only grows) and the estimate errs
 * towards one thread, which is what the level ran on before.
 */
export function openLoopThreads(rate: number, e2eMs: number | null, maxInFlight: number, requested?: number): number {
  if (requested !== undefined) return loadThreads(maxInFlight, requested);
  return loadThreads(Math.min(maxInFlight, Math.ceil((rate * (e2eMs ?? ASSUMED_E2E_MS)) / 1000)));
}

/** The level's plan cut into `of` shares; the in-flight cap is split so that the shares add up to it. */
export function openShards(plan: OpenPlan, of: number): OpenPlan[] {
  return Array.from({ length: of }, (_, index) => ({ ...plan, maxInFlight: Math.max(1, share(plan.maxInFlight, index, of)), shard: { index, of } }));
}

/**
 * Runs an open-loop level: the warm-up requests one at a time in this thread, then `rate` requests per second,
 * evenly spaced, in this thread or split over load threads (openLoopThreads; `requestedThreads` forces a count).
 */
export async function runOpenLevel(
  client: OpenAiStreamClient,
  target: LoadTarget,
  scenario: LoadScenario,
  rate: number,
  tag: string,
  signal: AbortSignal,
  report: (done: number) => void,
  requestedThreads: number | undefined,
): Promise<RequestSample[]> {
  const prompts = promptSource(scenario);
  const warm: RequestSample[] = [];
  for (let i = 0; i < scenario.warmupRequests && !signal.aborted; i += 1) {
    warm.push(await client.stream(scenario.api, prompts(i), `${tag}-w${i}`, performance.now(), signal));
  }
  const plan: OpenPlan = {
    rate,
    firstIndex: warm.length,
    limit: Math.min(scenario.requestsPerLevel ?? Infinity, requestCapPerLevel(scenario)),
    durationMs: scenario.durationS ? scenario.durationS * 1000 : null,
    // A slow endpoint must not make requests pile up without bound (sockets, bodies): past this many in flight,
    // the next start waits for one to end, as a client with a connection limit would.
    maxInFlight: openLoopInFlight(scenario),
    tag,
    shard: { index: 0, of: 1 },
  };
  const ok = warm.filter((s) => !s.error);
  const e2e = ok.length ? ok.reduce((sum, s) => sum + s.e2eMs, 0) / ok.length : null;
  const threads = openLoopThreads(rate, e2e, plan.maxInFlight, requestedThreads);
  if (threads > 1) return runInThreads(target, scenario, openShards(plan, threads).map((p) => ({ loop: 'open', plan: p })), signal, report);
  return (await openLoop(client, scenario, plan, performance.timeOrigin + performance.now(), signal, report)).samples;
}

/**
 * Runs the plan's share from `startAt`, the level's common start as a wall-clock time (epoch ms, sub-millisecond):
 * each thread has its own performance.timeOrigin, but timeOrigin + now() is one clock across threads (they agree
 * within tens of microseconds), so every share fires at the times one loop would. Samples' startMs count from it.
 */
export async function openLoop(
  client: OpenAiStreamClient,
  scenario: LoadScenario,
  plan: OpenPlan,
  startAt: number,
  signal: AbortSignal,
  report: (done: number) => void,
): Promise<{ samples: RequestSample[]; startedAt: number }> {
  const prompts = promptSource(scenario);
  const { rate, firstIndex, limit, maxInFlight, tag, shard } = plan;
  const start = startAt - performance.timeOrigin;
  const deadline = plan.durationMs ? start + plan.durationMs : Infinity;
  const samples: RequestSample[] = [];
  const inFlight: Promise<void>[] = [];
  let running = 0;
  let freed: (() => void) | null = null;
  let k = shard.index;
  const due = (n: number) => start + (n * 1000) / rate;
  // A request due at or past the deadline never starts, even when its timer fires a fraction of a millisecond
  // early (the event loop's clock is coarser than performance.now()); one held back past it by the cap neither.
  const more = () => !signal.aborted && k < limit && due(k) < deadline && performance.now() < deadline;
  while (more()) {
    const wait = due(k) - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
    while (running >= maxInFlight && !signal.aborted) await new Promise<void>((resolve) => { freed = resolve; });
    if (!more()) break;
    running += 1;
    const index = firstIndex + k;
    k += shard.of;
    inFlight.push(client.stream(scenario.api, prompts(index), `${tag}-m${index}`, start, signal).then((sample) => {
      running -= 1;
      freed?.();
      freed = null;
      samples.push(sample);
      report(samples.length);
    }));
  }
  await Promise.all(inFlight);
  return { samples, startedAt: startAt };
}
