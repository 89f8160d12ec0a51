import express, { type Response, type Router } from 'express';
import { requireCaller } from '../../domain/auth/caller';
import type { StoredSamples } from '../../services/benchmark-run.service';
import type { FilesHttpDeps } from '../files/files-http-deps';
import { answerError } from '../files/http-failure';
import { answerConditional } from '../files/send-blob';
import { writeOrCut } from '../files/stall-guard';
import { authenticateRequest } from '../files/request-auth';

/** Bytes read from PostgreSQL per query: what one download holds in memory at a time. */
const SLICE = 1024 * 1024;

/**
 * /benchmarks/<id>/samples: a measured run's raw per-request samples for re-analysis, exactly as stored — gzip'd
 * JSON, `[{ concurrency, requestRate, samples: [{ startMs, sentMs, ttftMs, itlMs[], e2eMs, inputTokens,
 * outputTokens, tokensCounted, status, error, requestId, startedAt }] }]` — for anyone who may read the model;
 * another project's run is 404, exactly like an id that does not exist.
 * A file download rather than a GraphQL field: up to tens of MB, and tools want the bytes. It is streamed from
 * PostgreSQL in 1 MiB slices; a run's samples never change, so the ETag is the run's id and Range resumes work.
 */
export function benchmarkSampleRoutes({ services, verifier, log, config }: FilesHttpDeps): Router {
  const router = express.Router();
  router.get('/:id/samples', async (req, res) => {
    try {
      const { principal, authFailure } = await authenticateRequest(verifier, req);
      const caller = requireCaller(principal, authFailure, typeof res.locals.requestId === 'string' ? res.locals.requestId : null);
      const id = String(req.params.id);
      const stored = await services.benchmarkRuns.samplesFor(caller, id);
      // A run's samples never change: its id is a strong validator. The bytes are a gzip file, not a JSON body with a
      // content encoding: clients keep them as they are.
      const plan = answerConditional(req, res, { etag: `"samples-${id.toLowerCase()}"`, size: stored.size, contentType: 'application/gzip' }, {
        'Content-Disposition': `attachment; filename="benchmark-${id}-samples.json.gz"`,
      });
      if (!plan) return;
      if (req.method === 'HEAD' || stored.size === 0) { res.end(); return; }
      await sendSlices(res, stored, plan.start, plan.end, config.files.downloadIdleTimeoutMs);
    } catch (error) {
      answerError(res, log, error);
    }
  });
  return router;
}

/** Writes bytes start..end (inclusive) slice by slice, each once the client took the one before (or cut, see writeOrCut). */
async function sendSlices(res: Response, stored: StoredSamples, start: number, end: number, idleMs: number): Promise<void> {
  for (let at = start; at <= end; at += SLICE) {
    if (res.destroyed) return; // the client hung up: no more reads
    const bytes = await stored.read(at, Math.min(SLICE, end - at + 1));
    if (!(await writeOrCut(res, bytes, idleMs))) return;
  }
  res.end();
}
