import express, { type Request, type Response, type Router } from 'express';
import { NotFoundError, ValidationError } from '../../domain/common/domain-error';
import { folderPath } from '../../domain/files/file-path';
import type { TreeEntry } from '../../domain/files/file-tree';
import { HubNotFoundError, type HubRevision } from '../../services/download-hub.service';
import type { FilesHttpDeps } from '../files/files-http-deps';
import { afterHeaders, failureOf } from '../files/http-failure';
import { authenticateRequest } from '../files/request-auth';
import { sendBlob } from '../files/send-blob';
import { hubEntry, hubModelInfo } from './hf-json';

const PAGE = 1000;
const MAX_PATHS = 1000;

function pathParam(req: Request): string {
  const value: unknown = req.params.path;
  return Array.isArray(value) ? value.join('/') : typeof value === 'string' ? value : '';
}

/** Errors as the hub sends them: `{ "error": … }` and an `X-Error-Code` that clients turn into their own exceptions. */
function hubFail(res: Response, deps: FilesHttpDeps, error: unknown): void {
  if (afterHeaders(res, deps.log, error)) return;
  const failure = failureOf(error, res, deps.log);
  const hubCode = error instanceof HubNotFoundError ? error.hubCode : error instanceof NotFoundError ? 'EntryNotFound' : failure.code;
  res.status(failure.status).set({ 'X-Error-Code': hubCode, 'X-Error-Message': encodeURIComponent(failure.message.slice(0, 500)) }).json({ error: failure.message });
}

/** The page of `entries` after the cursor (a path), and the query of the next page. */
function page(entries: readonly TreeEntry[], req: Request): { items: TreeEntry[]; next: URLSearchParams | null } {
  const cursor = typeof req.query.cursor === 'string' ? Buffer.from(req.query.cursor, 'base64url').toString('utf8') : null;
  const limit = Math.min(PAGE, Math.max(1, Number(req.query.limit) || PAGE));
  const start = cursor === null ? 0 : entries.findIndex((e) => e.path > cursor);
  const items = start < 0 ? [] : entries.slice(start, start + limit);
  if (start < 0 || start + limit >= entries.length) return { items, next: null };
  const next = new URLSearchParams(req.query as Record<string, string>);
  next.set('cursor', Buffer.from(items[items.length - 1].path).toString('base64url'));
  return { items, next };
}

/**
 * A Hugging Face–compatible read API (`HF_ENDPOINT=http://host:port/hf`): model info, revision info, the
 * paginated tree, paths-info and resolve with Range, ETag (sha256), X-Repo-Commit and X-Linked-Size. Bearer
 * tokens are ours, `hf_`-prefixed for clients that insist (see request-auth.ts).
 */
export function hfRoutes(deps: FilesHttpDeps): Router {
  const router = express.Router();
  const { services } = deps;
  const revisionOf = async (req: Request, revision: string): Promise<HubRevision> => {
    const { principal, authFailure } = await authenticateRequest(deps.verifier, req);
    return services.hub.revision(String(req.params.ns), String(req.params.name), decodeURIComponent(revision), principal, authFailure);
  };

  const info = async (req: Request, res: Response) => {
    try {
      const rev = await revisionOf(req, typeof req.params.rev === 'string' ? req.params.rev : 'main');
      const files = (await services.versionFiles.tree(rev.version.id, '', true)).filter((e) => e.type === 'FILE');
      const downloads = (await services.downloads.countsFor([rev.version.id])).get(rev.version.id) ?? 0;
      res.json(hubModelInfo(rev, files, downloads));
    } catch (error) {
      hubFail(res, deps, error);
    }
  };
  router.get('/api/models/:ns/:name', info);
  router.get('/api/models/:ns/:name/revision/:rev', info);

  const tree = async (req: Request, res: Response) => {
    try {
      const rev = await revisionOf(req, String(req.params.rev));
      const under = folderPath('path', pathParam(req));
      const recursive = String(req.query.recursive).toLowerCase() === 'true' || req.query.recursive === '1';
      const entries = await services.versionFiles.tree(rev.version.id, under, recursive).catch((error: unknown) => {
        throw error instanceof NotFoundError ? new HubNotFoundError('EntryNotFound', 'Folder', under) : error;
      });
      const { items, next } = page(entries, req);
      if (next) res.set('Link', `<${req.protocol}://${req.get('host')}${req.baseUrl}${req.path}?${next.toString()}>; rel="next"`);
      res.json(items.map(hubEntry));
    } catch (error) {
      hubFail(res, deps, error);
    }
  };
  router.get('/api/models/:ns/:name/tree/:rev', tree);
  router.get('/api/models/:ns/:name/tree/:rev/*path', tree);

  router.post('/api/models/:ns/:name/paths-info/:rev', express.json({ limit: '1mb' }), express.urlencoded({ extended: false, limit: '1mb' }), async (req, res) => {
    try {
      const rev = await revisionOf(req, String(req.params.rev));
      const asked: unknown = (req.body as { paths?: unknown } | undefined)?.paths;
      const paths = (Array.isArray(asked) ? asked : typeof asked === 'string' ? [asked] : []).filter((p): p is string => typeof p === 'string');
      if (paths.length > MAX_PATHS) throw new ValidationError('paths', `at most ${MAX_PATHS} paths at once`);
      const all = await services.versionFiles.tree(rev.version.id, '', true);
      const wanted = new Set(paths.map((p) => p.replace(/^\/+|\/+$/g, '')));
      res.json(all.filter((e) => wanted.has(e.path)).map(hubEntry));
    } catch (error) {
      hubFail(res, deps, error);
    }
  });

  const resolve = async (req: Request, res: Response) => {
    try {
      const rev = await revisionOf(req, String(req.params.rev));
      const entry = await services.downloads.file(rev.version.id, pathParam(req)).catch((error: unknown) => {
        throw error instanceof NotFoundError || error instanceof ValidationError ? new HubNotFoundError('EntryNotFound', 'File', pathParam(req)) : error;
      });
      // The hub names an LFS file's size and digest on the answer (and before a redirect to its CDN).
      const described = { 'X-Repo-Commit': rev.commit, 'X-Linked-Size': String(entry.size), 'X-Linked-Etag': `"${entry.sha256}"` };
      const presigned = req.method === 'GET' && !req.header('range') ? await services.downloads.presigned(entry) : null;
      if (presigned) {
        await services.downloads.count(rev.version.id);
        res.status(302).set({ ...described, ETag: `"${entry.sha256}"`, Location: presigned }).end();
        return;
      }
      await sendBlob(req, res, services.downloads, entry, described, () => services.downloads.count(rev.version.id), deps.config.files.downloadIdleTimeoutMs);
    } catch (error) {
      hubFail(res, deps, error);
    }
  };
  router.get('/:ns/:name/resolve/:rev/*path', resolve);
  router.head('/:ns/:name/resolve/:rev/*path', resolve);
  return router;
}
