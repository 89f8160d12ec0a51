import express, { type Request, type Response, type Router } from 'express';
import { ValidationError } from '../../domain/common/domain-error';
import type { UploadSession } from '../../services/upload.service';
import type { FilesHttpDeps } from './files-http-deps';
import { failureOf } from './http-failure';
import { requireGrantFor, uploadCaller } from './request-auth';

const TUS_VERSION = '1.0.0';
const EXTENSIONS = 'creation,creation-with-upload,termination,expiration';

/** tus answers carry plain-text bodies (clients show them); the code goes in a header too. */
function fail(res: Response, deps: FilesHttpDeps, error: unknown): void {
  const failure = failureOf(error, res, deps.log);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(failure.status).set({ ...failure.headers, 'Tus-Resumable': TUS_VERSION, 'X-Error-Code': failure.code }).type('text/plain').send(failure.message);
}

/** `Upload-Metadata: key base64,key base64` (values optional); unknown keys are ignored. */
export function parseMetadata(header: string | undefined): Map<string, string> {
  const metadata = new Map<string, string>();
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) metadata.set(key, value ? Buffer.from(value, 'base64').toString('utf8') : '');
  }
  return metadata;
}

function uploadHeaders(session: UploadSession): Record<string, string> {
  return {
    'Tus-Resumable': TUS_VERSION,
    'Upload-Offset': String(session.offset),
    'Upload-Length': String(session.length),
    'Upload-Expires': session.expiresAt.toUTCString(),
    'Cache-Control': 'no-store',
    ...(session.sha256 ? { 'Upload-Sha256': session.sha256 } : {}),
  };
}

function offsetHeader(req: Request): number {
  const offset = Number(req.header('upload-offset'));
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ValidationError('Upload-Offset', 'must be a whole number of bytes');
  return offset;
}

/**
 * The tus 1.0.0 protocol (core, creation, creation-with-upload, termination, expiration) over UploadService:
 * any tus client (tus-js-client, tuspy, Uppy) uploads large files resumably. Metadata names the version
 * (`versionId`, implied by an upload token), the path in it (`path`, or `filename`) and optionally `sha256`.
 * An upload of a project the caller cannot read is a 404 like an unknown one.
 */
export function tusRoutes(deps: FilesHttpDeps): Router {
  const router = express.Router();
  const { uploads } = deps.services;
  const writerOf = (req: Request, res: Response) => uploadCaller({ verifier: deps.verifier, tokens: deps.services.uploadTokens, audience: deps.config.auth.audience }, req, res);
  const resumable = (req: Request, res: Response): boolean => {
    const asked = req.header('tus-resumable');
    if (req.method === 'OPTIONS' || asked === TUS_VERSION) return true;
    res.status(412).set({ 'Tus-Resumable': TUS_VERSION, 'Tus-Version': TUS_VERSION }).send(`Tus-Resumable ${TUS_VERSION} is required`);
    return false;
  };

  router.options('/', (_req, res) => {
    res.status(204).set({ 'Tus-Resumable': TUS_VERSION, 'Tus-Version': TUS_VERSION, 'Tus-Extension': EXTENSIONS, 'Tus-Max-Size': String(deps.config.files.uploadMaxBytes) }).end();
  });

  router.post('/', async (req, res) => {
    if (!resumable(req, res)) return;
    try {
      const writer = await writerOf(req, res);
      const metadata = parseMetadata(req.header('upload-metadata'));
      const versionId = metadata.get('versionId') ?? writer.onlyVersion ?? '';
      requireGrantFor(writer, versionId);
      const length = Number(req.header('upload-length'));
      if (req.header('upload-length') === undefined || !Number.isSafeInteger(length)) throw new ValidationError('Upload-Length', 'is required (deferred lengths are not supported)');
      const path = metadata.get('path') ?? metadata.get('filename') ?? metadata.get('name') ?? '';
      let session = await uploads.create(writer.caller, { versionId, path, length, sha256: metadata.get('sha256') || null });
      // creation-with-upload: the first bytes may ride on the POST.
      if (req.header('content-type') === 'application/offset+octet-stream' && session.sha256 === null) session = await uploads.append(writer.caller, session.id, 0, req);
      res.status(201).set({ ...uploadHeaders(session), Location: `${req.baseUrl}/${session.id}` }).end();
    } catch (error) {
      fail(res, deps, error);
    }
  });

  router.head('/:id', async (req, res) => {
    if (!resumable(req, res)) return;
    try {
      const writer = await writerOf(req, res);
      const session = await uploads.get(writer.caller, req.params.id);
      requireGrantFor(writer, session.versionId);
      res.status(200).set(uploadHeaders(session)).end();
    } catch (error) {
      fail(res, deps, error);
    }
  });

  router.patch('/:id', async (req, res) => {
    if (!resumable(req, res)) return;
    try {
      if (req.header('content-type') !== 'application/offset+octet-stream') {
        res.status(415).set('Tus-Resumable', TUS_VERSION).send('Content-Type must be application/offset+octet-stream');
        return;
      }
      const writer = await writerOf(req, res);
      const before = await uploads.get(writer.caller, req.params.id);
      requireGrantFor(writer, before.versionId);
      const session = await uploads.append(writer.caller, before.id, offsetHeader(req), req);
      res.status(204).set(uploadHeaders(session)).end();
    } catch (error) {
      fail(res, deps, error);
    }
  });

  router.delete('/:id', async (req, res) => {
    if (!resumable(req, res)) return;
    try {
      const writer = await writerOf(req, res);
      const session = await uploads.get(writer.caller, req.params.id);
      requireGrantFor(writer, session.versionId);
      await uploads.terminate(writer.caller, session.id);
      res.status(204).set('Tus-Resumable', TUS_VERSION).end();
    } catch (error) {
      fail(res, deps, error);
    }
  });
  return router;
}
