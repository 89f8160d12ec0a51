import express, { type Router } from 'express';
import { UnauthenticatedError } from '../../domain/common/domain-error';
import type { FilesHttpDeps } from '../files/files-http-deps';
import { answerError } from '../files/http-failure';
import { authenticateRequest } from '../files/request-auth';

/**
 * /benchmarks/<id>/samples: a measured run's raw per-request samples for re-analysis, exactly as stored — gzip'd
 * JSON, `[{ concurrency, requestRate, samples: [{ startMs, sentMs, ttftMs, itlMs[], e2eMs, inputTokens,
 * outputTokens, tokensCounted, status, error, requestId, startedAt }] }]` — for anyone who may read the model.
 * A file download rather than a GraphQL field: up to tens of MB, and tools want the bytes.
 */
export function benchmarkSampleRoutes({ services, verifier, log }: FilesHttpDeps): Router {
  const router = express.Router();
  router.get('/:id/samples', async (req, res) => {
    try {
      const { principal, authFailure } = await authenticateRequest(verifier, req);
      if (!principal) throw new UnauthenticatedError(authFailure ?? 'Authentication required: send "Authorization: Bearer <token>"');
      const id = String(req.params.id);
      const bytes = await services.benchmarkRuns.samplesFor(id, (modelId) => services.access.readableModelId(principal, modelId));
      res.status(200).set({
        'Content-Type': 'application/gzip',
        'Content-Length': String(bytes.length),
        'Content-Disposition': `attachment; filename="benchmark-${id}-samples.json.gz"`,
        'Cache-Control': 'private, max-age=0',
      }).end(bytes);
    } catch (error) {
      answerError(res, log, error);
    }
  });
  return router;
}
