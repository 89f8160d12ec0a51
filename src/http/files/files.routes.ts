import express, { type Request, type Router } from 'express';
import { pipeline } from 'node:stream/promises';
import type { FilesHttpDeps } from './files-http-deps';
import { answerError } from './http-failure';
import { authenticateRequest, requireVersion, uploadActor } from './request-auth';
import { attachment, sendBlob } from './send-blob';
import { tusRoutes } from './tus.routes';

function pathParam(req: Request): string {
  const value: unknown = req.params.path;
  return Array.isArray(value) ? value.join('/') : typeof value === 'string' ? value : '';
}

/**
 * /files: resumable uploads (tus, at /files/uploads), one-request uploads (PUT, what `curl -T` sends), submit,
 * and downloads of a file (Range, ETag = sha256) or of a folder or version as a streamed tar. Bodies stream:
 * nothing here goes through the JSON body limit of /graphql.
 */
export function filesRoutes(deps: FilesHttpDeps): Router {
  const router = express.Router();
  const { services, log } = deps;
  const actorOf = (req: Request) => uploadActor(deps.verifier, services.uploadTokens, deps.config.auth.audience, req);
  router.use('/uploads', tusRoutes(deps));

  router.put('/versions/:versionId/upload/*path', async (req, res) => {
    try {
      const actor = await actorOf(req);
      await requireVersion(actor, String(req.params.versionId), deps.services.fileAccess);
      const declared = req.header('content-length');
      const sha256 = typeof req.query.sha256 === 'string' ? req.query.sha256 : null;
      const entry = await services.uploads.putWhole(
        { versionId: String(req.params.versionId), path: pathParam(req), length: declared === undefined ? null : Number(declared), sha256 },
        req,
        actor.subject,
      );
      res.status(201).json(entry);
    } catch (error) {
      answerError(res, log, error);
    }
  });

  router.post('/versions/:versionId/submit', async (req, res) => {
    try {
      const actor = await actorOf(req);
      await requireVersion(actor, String(req.params.versionId), deps.services.fileAccess);
      const operation = await services.submissions.submit(String(req.params.versionId), actor.subject);
      res.status(202).json({ operationId: operation.id, workflowId: operation.workflowId, status: operation.status });
    } catch (error) {
      answerError(res, log, error);
    }
  });

  const download = async (req: Request, res: express.Response) => {
    try {
      const { principal, authFailure } = await authenticateRequest(deps.verifier, req);
      const version = await services.downloads.readable(String(req.params.versionId), principal, authFailure);
      const entry = await services.downloads.file(version.id, pathParam(req));
      const presigned = req.method === 'GET' ? await services.downloads.presigned(entry) : null;
      if (presigned) {
        await services.downloads.count(version.id);
        res.redirect(302, presigned);
        return;
      }
      await sendBlob(req, res, services.downloads, entry, { 'Content-Disposition': attachment(entry.path) }, () => services.downloads.count(version.id), deps.config.files.downloadIdleTimeoutMs);
    } catch (error) {
      answerError(res, log, error);
    }
  };
  router.get('/versions/:versionId/download/*path', download);
  router.head('/versions/:versionId/download/*path', download);

  router.get('/versions/:versionId/tar', async (req, res) => {
    try {
      const { principal, authFailure } = await authenticateRequest(deps.verifier, req);
      const version = await services.downloads.readable(String(req.params.versionId), principal, authFailure);
      const folder = typeof req.query.path === 'string' ? req.query.path : null;
      const tar = await services.downloads.tar(version.id, folder);
      const model = await services.modelQueries.get(version.modelId);
      const name = `${model.name}-${version.version}${folder ? `-${folder.replace(/\//g, '-')}` : ''}.tar`;
      res.status(200).set({ 'Content-Type': 'application/x-tar', 'Content-Length': String(tar.size), 'Content-Disposition': attachment(name) });
      await services.downloads.count(version.id);
      await pipeline(tar.stream, res);
    } catch (error) {
      answerError(res, log, error);
    }
  });
  return router;
}
