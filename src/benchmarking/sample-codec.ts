import { once } from 'node:events';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import type { RequestSample } from './load-types';

/** Stored samples per level; rounded to microseconds, which is finer than the clock's useful precision here. */
export interface StoredLevelSamples {
  concurrency: number;
  requestRate: number | null;
  samples: RequestSample[];
}

const round = (v: number) => Math.round(v * 1000) / 1000;

const compact = (s: RequestSample): RequestSample => ({
  ...s, startMs: round(s.startMs), sentMs: s.sentMs == null ? null : round(s.sentMs), e2eMs: round(s.e2eMs), ttftMs: s.ttftMs === null ? null : round(s.ttftMs), itlMs: s.itlMs.map(round),
});

/** gzip(JSON) of every level's raw samples: a few tens of bytes per request, enough to recompute anything. */
export function encodeSamples(levels: readonly StoredLevelSamples[]): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(levels.map((l) => ({ ...l, samples: l.samples.map(compact) })))), { level: 6 });
}

/** Samples serialised per slice, the event loop free between slices. */
const SLICE = 2000;

/**
 * The same bytes' meaning as encodeSamples, written in slices through an async gzip: a run's full budget (200,000
 * requests, 10,000,000 gaps) takes seconds to encode, and an activity blocked that long misses its heartbeats and
 * is started again while the first attempt still runs.
 */
export async function encodeSamplesAsync(levels: readonly StoredLevelSamples[]): Promise<Buffer> {
  const gzip = createGzip({ level: 6 });
  const parts: Buffer[] = [];
  gzip.on('data', (part: Buffer) => parts.push(part));
  const ended = once(gzip, 'end');
  const write = async (text: string) => {
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  await write('[');
  for (const [i, level] of levels.entries()) {
    await write(`${i ? ',' : ''}{"concurrency":${JSON.stringify(level.concurrency)},"requestRate":${JSON.stringify(level.requestRate)},"samples":[`);
    for (let at = 0; at < level.samples.length; at += SLICE) {
      await write(`${at ? ',' : ''}${level.samples.slice(at, at + SLICE).map((s) => JSON.stringify(compact(s))).join(',')}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await write(']}');
  }
  gzip.end(']');
  await ended;
  return Buffer.concat(parts);
}

export function decodeSamples(data: Buffer): StoredLevelSamples[] {
  return JSON.parse(gunzipSync(data).toString('utf8')) as StoredLevelSamples[];
}
