import express, { type Request, type Response, type Router } from 'express';
import { pipeline } from 'node:stream/promises';
import type { FilesHttpDeps } from './files-http-deps';
import { answerError } from './http-failure';
import { callerOfRequest, requireGrantFor, uploadCaller } from './request-auth';
import { attachment, sendBlob } from './send-blob';
import { metrics } from '../../observability/metrics';
import { tusRoutes } from './tus.routes';

function pathParam(req: Request): string {
  const value: unknown = req.params.path;
  return Array.isArray(value) ? value.join('/') : typeof value === 'string' ? value : '';
}

/**
 * /files: resumable uploads (tus, at /files/uploads), one-request uploads (PUT, what `curl -T` sends), submit,
 * and downloads of a file (Range, ETag = sha256) or of a folder or version as a streamed tar. Bodies stream:
 * nothing here goes through the JSON body limit of /graphql. Each route makes the request's Caller first and
 * passes it to the services, which narrow reads to the caller's projects and check roles in the version's project:
 * another project's version is a 404 exactly like an id that does not exist.
 */
export function filesRoutes(deps: FilesHttpDeps): Router {
  const router = express.Router();
  const { services, log } = deps;
  const writerOf = (req: Request, res: Response) => uploadCaller({ verifier: deps.verifier, tokens: services.uploadTokens, audience: deps.config.auth.audience }, req, res);
  router.use('/uploads', tusRoutes(deps));

  router.put('/versions/:versionId/upload/*path', async (req, res) => {
    try {
      const versionId = String(req.params.versionId);
      const writer = await writerOf(req, res);
      requireGrantFor(writer, versionId);
      const declared = req.header('content-length');
      const sha256 = typeof req.query.sha256 === 'string' ? req.query.sha256 : null;
      const entry = await services.uploads.putWhole(writer.caller, { versionId, path: pathParam(req), length: declared === undefined ? null : Number(declared), sha256 }, req);
      res.status(201).json(entry);
    } catch (error) {
      answerError(res, log, error);
    }
  });

  router.post('/versions/:versionId/submit', async (req, res) => {
    try {
      const versionId = String(req.params.versionId);
      const writer = await writerOf(req, res);
      requireGrantFor(writer, versionId);
      const operation = await services.submissions.submit(writer.caller, versionId);
      res.status(202).json({ operationId: operation.id, workflowId: operation.workflowId, status: operation.status });
    } catch (error) {
      answerError(res, log, error);
    }
  });

  const download = async (req: Request, res: Response) => {
    try {
      const caller = await callerOfRequest(deps.verifier, req, res);
      const { version, entry } = await services.downloads.file(caller, String(req.params.versionId), pathParam(req), 'editors');
      const counted = () => services.downloads.count(caller, version.id);
      const presigned = req.method === 'GET' ? await services.downloads.presigned(version, entry) : null;
      if (presigned) {
        await counted();
        res.redirect(302, presigned);
        return;
      }
      await sendBlob(req, res, services.downloads, version, entry, { 'Content-Disposition': attachment(entry.path) }, counted, deps.config.files.downloadIdleTimeoutMs);
    } catch (error) {
      answerError(res, log, error);
    }
  };
  router.get('/versions/:versionId/download/*path', download);
  router.head('/versions/:versionId/download/*path', download);

  router.get('/versions/:versionId/tar', async (req, res) => {
    try {
      const caller = await callerOfRequest(deps.verifier, req, res);
      const folder = typeof req.query.path === 'string' ? req.query.path : null;
      const { version, tar } = await services.downloads.tar(caller, String(req.params.versionId), folder);
      const name = `${version.modelName}-${version.version}${folder ? `-${folder.replace(/\//g, '-')}` : ''}.tar`;
      res.status(200).set({ 'Content-Type': 'application/x-tar', 'Content-Length': String(tar.size), 'Content-Disposition': attachment(name) });
      await services.downloads.count(caller, version.id);
      await pipeline(tar.stream, res);
      metrics.bytesServed.inc({ api: 'tar' }, tar.size);
    } catch (error) {
      answerError(res, log, error);
    }
  });
  return router;
}
