import express, { type Request, type Response, type Router } from 'express';
import type { Caller } from '../../domain/auth/caller';
import { NotFoundError, UnauthenticatedError, ValidationError } from '../../domain/common/domain-error';
import { folderPath } from '../../domain/files/file-path';
import type { TreeEntry } from '../../domain/files/file-tree';
import { HubNotFoundError, type HubRevision } from '../../services/download-hub.service';
import type { FilesHttpDeps } from '../files/files-http-deps';
import { afterHeaders, failureOf } from '../files/http-failure';
import { callerOfRequest } from '../files/request-auth';
import { sendBlob } from '../files/send-blob';
import { hubEntry, hubModelInfo } from './hf-json';

const PAGE = 1000;
const MAX_PATHS = 1000;

function pathParam(req: Request): string {
  const value: unknown = req.params.path;
  return Array.isArray(value) ? value.join('/') : typeof value === 'string' ? value : '';
}

/**
 * Express has decoded the parameter already; a revision that still holds an escape (`refs%2Fpr%2F1` from a client
 * that quoted twice) is decoded once more, and one that is not a valid escape (`%E0`) is taken as written.
 */
function decodedOnce(revision: string): string {
  try {
    return decodeURIComponent(revision);
  } catch {
    return revision;
  }
}

// huggingface_hub reads a 401 with exactly this X-Error-Message as a bad token, any other 401 as "repository not found".
const INVALID_CREDENTIALS = 'Invalid credentials in Authorization header';

/**
 * The 401 headers as the hub sends them: without a token, RepoNotFound (clients say "not found, or private: log in");
 * with a token that does not verify, the hub's own invalid-credentials message, so clients say the token is bad.
 * Neither depends on the repository asked for: authentication is decided before anything is looked up.
 */
function unauthenticatedHeaders(req: Request): Record<string, string> {
  return req.header('authorization') ? { 'X-Error-Code': 'Unauthenticated', 'X-Error-Message': INVALID_CREDENTIALS } : { 'X-Error-Code': 'RepoNotFound', 'X-Error-Message': 'Repository not found' };
}

/**
 * Clients print X-Error-Message as it comes: readable ASCII stays as it is, and only what a header cannot carry
 * (non-ASCII, control characters) is percent-encoded.
 */
function headerText(message: string): string {
  return message.replace(/[^\x20-\x7e]/gu, (char) => encodeURIComponent(char));
}

/** Errors as the hub sends them: `{ "error": … }` and an `X-Error-Code` that clients turn into their own exceptions. */
export function hubFail(req: Request, res: Response, deps: FilesHttpDeps, error: unknown): void {
  if (afterHeaders(res, deps.log, error)) return;
  const failure = failureOf(error, res, deps.log);
  const hubCode = error instanceof HubNotFoundError ? error.hubCode : error instanceof NotFoundError ? 'EntryNotFound' : failure.code;
  const headers =
    error instanceof UnauthenticatedError ? unauthenticatedHeaders(req) : { 'X-Error-Code': hubCode, 'X-Error-Message': headerText(failure.message.slice(0, 500)) };
  // A route may add fields its clients read from an error answer (create_repo's url on a 409).
  const extra = (res.locals.hubBody ?? {}) as Record<string, unknown>;
  res.status(failure.status).set({ ...failure.headers, ...headers }).json({ error: failure.message, ...(failure.status === 451 ? failure.details : {}), ...extra });
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
 * tokens are ours, `hf_`-prefixed for clients that insist (see request-auth.ts). Every route makes its Caller
 * first (no or a bad token: 401 for every repository, existing or not), then finds the repository among those the
 * caller may read (another project's: 404 RepoNotFound, as for one that does not exist) before any revision.
 */
export function hfRoutes(deps: FilesHttpDeps): Router {
  const router = express.Router();
  const { services } = deps;
  const revisionOf = async (req: Request, res: Response, revision: string): Promise<{ caller: Caller; rev: HubRevision }> => {
    const caller = await callerOfRequest(deps.verifier, req, res);
    return { caller, rev: await services.hub.revision(caller, String(req.params.ns), String(req.params.name), decodedOnce(revision)) };
  };

  const info = async (req: Request, res: Response) => {
    try {
      const { caller, rev } = await revisionOf(req, res, typeof req.params.rev === 'string' ? req.params.rev : 'main');
      const files = (await services.versionFiles.tree(caller, rev.version.id, '', true)).filter((e) => e.type === 'FILE');
      const downloads = (await services.downloads.countsFor(caller, [rev.version.id])).get(rev.version.id) ?? 0;
      res.json(hubModelInfo(rev, files, downloads));
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  };
  router.get('/api/models/:ns/:name', info);
  router.get('/api/models/:ns/:name/revision/:rev', info);

  const tree = async (req: Request, res: Response) => {
    try {
      const { caller, rev } = await revisionOf(req, res, String(req.params.rev));
      const under = folderPath('path', pathParam(req));
      const recursive = String(req.query.recursive).toLowerCase() === 'true' || req.query.recursive === '1';
      const entries = await services.versionFiles.tree(caller, rev.version.id, under, recursive).catch((error: unknown) => {
        throw error instanceof NotFoundError ? new HubNotFoundError('EntryNotFound', 'Folder', under) : error;
      });
      const { items, next } = page(entries, req);
      if (next) res.set('Link', `<${req.protocol}://${req.get('host')}${req.baseUrl}${req.path}?${next.toString()}>; rel="next"`);
      res.json(items.map(hubEntry));
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  };
  router.get('/api/models/:ns/:name/tree/:rev', tree);
  router.get('/api/models/:ns/:name/tree/:rev/*path', tree);

  router.post('/api/models/:ns/:name/paths-info/:rev', express.json({ limit: '1mb' }), express.urlencoded({ extended: false, limit: '1mb' }), async (req, res) => {
    try {
      const { caller, rev } = await revisionOf(req, res, String(req.params.rev));
      const asked: unknown = (req.body as { paths?: unknown } | undefined)?.paths;
      const paths = (Array.isArray(asked) ? asked : typeof asked === 'string' ? [asked] : []).filter((p): p is string => typeof p === 'string');
      if (paths.length > MAX_PATHS) throw new ValidationError('paths', `at most ${MAX_PATHS} paths at once`);
      const all = await services.versionFiles.tree(caller, rev.version.id, '', true);
      const wanted = new Set(paths.map((p) => p.replace(/^\/+|\/+$/g, '')));
      res.json(all.filter((e) => wanted.has(e.path)).map(hubEntry));
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  const resolve = async (req: Request, res: Response) => {
    try {
      const { caller, rev } = await revisionOf(req, res, String(req.params.rev));
      const { entry } = await services.downloads.file(caller, rev.version.id, pathParam(req), 'nobody').catch((error: unknown) => {
        throw error instanceof NotFoundError || error instanceof ValidationError ? new HubNotFoundError('EntryNotFound', 'File', pathParam(req)) : error;
      });
      const counted = () => services.downloads.count(caller, rev.version.id);
      // The hub names an LFS file's size and digest on the answer (and before a redirect to its CDN).
      const described = { 'X-Repo-Commit': rev.commit, 'X-Linked-Size': String(entry.size), 'X-Linked-Etag': `"${entry.sha256}"` };
      const presigned = req.method === 'GET' && !req.header('range') ? await services.downloads.presigned(rev.version, entry) : null;
      if (presigned) {
        await counted();
        res.status(302).set({ ...described, ETag: `"${entry.sha256}"`, Location: presigned }).end();
        return;
      }
      await sendBlob(req, res, services.downloads, rev.version, entry, described, counted, deps.config.files.downloadIdleTimeoutMs);
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  };
  router.get('/:ns/:name/resolve/:rev/*path', resolve);
  router.head('/:ns/:name/resolve/:rev/*path', resolve);
  return router;
}
