import { percentile } from '../../src/benchmarking/level-stats';
import type { RequestSample } from '../../src/benchmarking/load-types';
import type { ScriptedOpenAiServer } from './scripted-openai-server';

export interface ServerTruth {
  /** Median time from a request's arrival to its first token's write, over the given samples' requests. */
  ttftP50: number;
  /** Median gap between consecutive token writes. */
  itlP50: number;
  /** Median over requests of (last write − first write) / (tokens − 1). */
  tpotP50: number;
}

const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50) ?? Number.NaN;

/**
 * What the scripted server actually did for these samples' requests (matched by request id): on a loaded machine its
 * timers fire late now and then, so the script's nominal delays are a bound and these are the truth the load
 * generator's measurements must match within a small tolerance.
 */
export function serverTruth(server: ScriptedOpenAiServer, samples: readonly RequestSample[]): ServerTruth {
  const ttft: number[] = [];
  const gaps: number[] = [];
  const tpot: number[] = [];
  for (const sample of samples) {
    const timing = server.timings.get(sample.requestId);
    if (!timing || timing.firstTokenAt === null) throw new Error(`the server has no timing for request ${sample.requestId}`);
    ttft.push(timing.firstTokenAt - timing.receivedAt);
    const at = timing.tokenAt;
    for (let i = 1; i < at.length; i += 1) gaps.push(at[i] - at[i - 1]);
    if (at.length > 1) tpot.push((at[at.length - 1] - at[0]) / (at.length - 1));
  }
  return { ttftP50: median(ttft), itlP50: median(gaps), tpotP50: median(tpot) };
}
