import { gunzipSync, gzipSync } from 'node:zlib';
import type { RequestSample } from './load-types';

/** Stored samples per level; rounded to microseconds, which is finer than the clock's useful precision here. */
export interface StoredLevelSamples {
  concurrency: number;
  requestRate: number | null;
  samples: RequestSample[];
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** gzip(JSON) of every level's raw samples: a few tens of bytes per request, enough to recompute anything. */
export function encodeSamples(levels: readonly StoredLevelSamples[]): Buffer {
  const compact = levels.map((l) => ({
    ...l,
    samples: l.samples.map((s) => ({
      ...s, startMs: round(s.startMs), e2eMs: round(s.e2eMs), ttftMs: s.ttftMs === null ? null : round(s.ttftMs), itlMs: s.itlMs.map(round),
    })),
  }));
  return gzipSync(Buffer.from(JSON.stringify(compact)), { level: 6 });
}

export function decodeSamples(data: Buffer): StoredLevelSamples[] {
  return JSON.parse(gunzipSync(data).toString('utf8')) as StoredLevelSamples[];
}
