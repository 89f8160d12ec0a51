import express, { type Request, type Response, type Router } from 'express';
import { cardMetadataErrors } from '../../domain/artifacts/model-card';
import { ConflictError, ValidationError } from '../../domain/common/domain-error';
import { printable } from '../../domain/common/field-rules';
import { commitOfVersion } from '../../domain/files/hub-revision';
import type { LfsBatchItem } from '../../services/hub-lfs.service';
import type { FilesHttpDeps } from '../files/files-http-deps';
import { callerOfRequest } from '../files/request-auth';
import { hubFail } from './hf.routes';
import { hubListedModel } from './hf-json';
import { ndjsonLines } from './ndjson-lines';

/** A commit line carries at most a regular file (≤ 10 MiB, so ≤ 14 MiB of base64) and its JSON around it. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const LFS_JSON = 'application/vnd.git-lfs+json';
const JSON_BODY = express.json({ limit: '4mb', type: ['application/json', LFS_JSON, 'application/*+json'] });
const LIST_LIMIT = 1000;

/** Where the client reached us (`<base>/hf`): hub clients build their URLs from it and expect ours to match. */
function endpointOf(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.baseUrl}`;
}

function lfsObject(item: LfsBatchItem, repo: string, req: Request): Record<string, unknown> {
  const { oid, size } = item;
  if (item.kind === 'present') return { oid, size };
  if (item.kind === 'error') return { oid, size, error: { code: item.code, message: item.message } };
  if (item.kind === 'multipart') {
    // The hub's multipart transfer (huggingface_hub lfs.py): `chunk_size` and one presigned URL per part, keyed by
    // the zero-padded part number; `href` is the completion the client POSTs the parts' ETags to (without a token).
    const header: Record<string, string> = { chunk_size: String(item.partSize) };
    for (const part of item.parts) header[String(part.partNumber).padStart(5, '0')] = part.url;
    return {
      oid,
      size,
      authenticated: true,
      actions: {
        upload: { href: `${endpointOf(req)}/lfs/${item.ticket}`, header, expires_at: item.expiresAt.toISOString() },
        verify: { href: `${endpointOf(req)}/${repo}.git/info/lfs/objects/verify` },
      },
    };
  }
  return {
    oid,
    size,
    authenticated: true,
    actions: {
      upload: { href: `${endpointOf(req)}/lfs/${item.ticket}`, expires_at: item.expiresAt.toISOString() },
      verify: { href: `${endpointOf(req)}/${repo}.git/info/lfs/objects/verify` },
    },
  };
}

/**
 * The hub's write protocol under /hf, as huggingface_hub speaks it (`_commit_api.py`, `lfs.py`, `hf_api.py`):
 * create_repo, create_branch, preupload, the LFS batch (basic transfer: a ticket URL to PUT the bytes to; multipart
 * transfer for an S3 store: presigned part URLs straight to the bucket and the ticket URL to complete; then verify), the ndjson commit, and the views a pushing client reads (refs, commits, the model list). Each route makes
 * its Caller first (401 without a valid token), then finds the repository among those the caller may read (another
 * project's: 404 RepoNotFound, as for one that does not exist) and needs the editor role there to write (403).
 * The LFS PUT carries no token (the client sends none, as to S3): its ticket is the authority.
 */
export function hfPushRoutes(deps: FilesHttpDeps): Router {
  const router = express.Router();
  const { services } = deps;
  const caller = (req: Request, res: Response) => callerOfRequest(deps.verifier, req, res);
  const repoOf = (req: Request) => ({ ns: String(req.params.ns), name: String(req.params.name) });

  router.post('/api/repos/create', JSON_BODY, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const model = await services.hubPush.createRepo(await caller(req, res), body);
      const id = `${model.project ?? 'default'}/${model.name}`;
      res.json({ url: `${endpointOf(req)}/${id}`, name: id, id: model.id });
    } catch (error) {
      // create_repo(exist_ok=True) reads the url from the 409 too.
      if (error instanceof ConflictError) res.locals.hubBody = { url: `${endpointOf(req)}/${String(body.organization ?? 'default')}/${String(body.name)}` };
      hubFail(req, res, deps, error);
    }
  });

  // huggingface_hub validates a README.md's metadata here before it pushes one.
  router.post('/api/validate-yaml', JSON_BODY, async (req, res) => {
    try {
      await caller(req, res);
      const content = (req.body as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string') throw new ValidationError('content', 'the README.md text is required');
      const errors = cardMetadataErrors(content);
      res.status(errors.length > 0 ? 400 : 200).json({ errors: errors.map((message) => ({ message })), warnings: [] });
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  router.post('/api/models/:ns/:name/branch/:branch', JSON_BODY, async (req, res) => {
    try {
      const { ns, name } = repoOf(req);
      const startingPoint = (req.body as { startingPoint?: unknown } | undefined)?.startingPoint;
      const version = await services.hubPush.createBranch(await caller(req, res), ns, name, String(req.params.branch), startingPoint);
      res.json({ name: version.version, ref: `refs/heads/${version.version}`, targetCommit: commitOfVersion(version.id) });
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  router.post('/api/models/:ns/:name/preupload/:rev', JSON_BODY, async (req, res) => {
    try {
      if (req.query.create_pr) throw new ValidationError('create_pr', 'pull requests are not supported here: push to a branch (a version) instead');
      const { ns, name } = repoOf(req);
      const files = await services.hubPush.preupload(await caller(req, res), ns, name, String(req.params.rev), (req.body as { files?: unknown } | undefined)?.files);
      res.json({ files, commitOid: null });
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  router.post('/:ns/:name.git/info/lfs/objects/batch', JSON_BODY, async (req, res) => {
    try {
      const { ns, name } = repoOf(req);
      const who = await caller(req, res);
      const model = await services.hubPush.writable(who, ns, name, 'Pushing files');
      const body = (req.body ?? {}) as { operation?: unknown; objects?: unknown; transfers?: unknown };
      if (body.operation !== 'upload') throw new ValidationError('operation', 'only uploads go through the LFS batch here; downloads use /resolve');
      const transfers = Array.isArray(body.transfers) ? body.transfers : ['basic'];
      if (!transfers.includes('basic') && !transfers.includes('multipart')) throw new ValidationError('transfers', 'this server speaks the basic and multipart transfers');
      const items = await services.hubLfs.batch(who, model, body.objects, transfers.includes('multipart'));
      const transfer = items.some((item) => item.kind === 'multipart') ? 'multipart' : 'basic';
      if (!transfers.includes('basic') && items.some((item) => item.kind === 'upload')) throw new ValidationError('transfers', "this repository's store takes the basic transfer");
      res.type(LFS_JSON).send(JSON.stringify({ transfer, objects: items.map((item) => lfsObject(item, `${ns}/${name}`, req)), hash_algo: 'sha256' }));
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  router.post('/:ns/:name.git/info/lfs/objects/verify', JSON_BODY, async (req, res) => {
    try {
      const { ns, name } = repoOf(req);
      const who = await caller(req, res);
      const model = await services.hubPush.writable(who, ns, name, 'Pushing files');
      const body = (req.body ?? {}) as { oid?: unknown; size?: unknown };
      await services.hubLfs.verify(who, model, body.oid, body.size);
      res.type(LFS_JSON).send(JSON.stringify({ oid: body.oid, size: body.size }));
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  router.put('/lfs/:ticket', async (req, res) => {
    try {
      await services.hubLfs.upload(String(req.params.ticket), req);
      res.status(200).end();
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  // The multipart transfer's completion: the parts went straight to the bucket; this assembles and verifies them.
  router.post('/lfs/:ticket', JSON_BODY, async (req, res) => {
    try {
      await services.hubLfs.complete(String(req.params.ticket), req.body);
      res.type(LFS_JSON).send(JSON.stringify({ oid: (req.body as { oid?: unknown } | undefined)?.oid ?? null }));
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  router.post('/api/models/:ns/:name/commit/:rev', async (req, res) => {
    try {
      if (req.query.create_pr) throw new ValidationError('create_pr', 'pull requests are not supported here: push to a branch (a version) instead');
      const { ns, name } = repoOf(req);
      const pushed = await services.hubPush.commit(await caller(req, res), ns, name, String(req.params.rev), ndjsonLines(req, MAX_LINE_BYTES));
      const repo = `${pushed.model.project ?? 'default'}/${pushed.model.name}`;
      res.json({
        commitUrl: `${endpointOf(req)}/${repo}/commit/${pushed.commit}`,
        commitOid: pushed.commit,
        pullRequestUrl: null,
        version: pushed.version.version,
        operationId: pushed.operationId,
      });
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  router.get('/api/models/:ns/:name/refs', async (req, res) => {
    try {
      const { ns, name } = repoOf(req);
      const refs = await services.hubRefs.refs(await caller(req, res), ns, name);
      res.json({ ...refs, converts: [], pullRequests: [] });
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  router.get('/api/models/:ns/:name/commits/:rev', async (req, res) => {
    try {
      const { ns, name } = repoOf(req);
      const commits = await services.hubRefs.commits(await caller(req, res), ns, name, String(req.params.rev));
      res.json(commits.map((c) => ({ id: c.id, authors: [{ user: c.author }], date: c.date.toISOString(), title: c.title, message: c.message })));
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  router.get('/api/models', async (req, res) => {
    try {
      const who = await caller(req, res);
      const text = (key: string) => (typeof req.query[key] === 'string' && req.query[key] !== '' ? printable(key, req.query[key] as string) : null);
      const limit = Math.min(LIST_LIMIT, Math.max(1, Number(text('limit')) || LIST_LIMIT));
      const after = text('cursor') === null ? null : printable('cursor', Buffer.from(text('cursor') as string, 'base64url').toString('utf8'));
      const models = await services.hubRefs.models(who, { author: text('author'), search: text('search'), limit, after });
      if (models.length === limit) {
        const next = new URLSearchParams(req.query as Record<string, string>);
        next.set('cursor', Buffer.from(models[models.length - 1].name).toString('base64url'));
        res.set('Link', `<${endpointOf(req)}/api/models?${next.toString()}>; rel="next"`);
      }
      const signed = await services.signatures.registrySignedAmong(models.flatMap((m) => (m.defaultVersionId ? [m.defaultVersionId] : [])));
      res.json(models.map((m) => hubListedModel(m, signed)));
    } catch (error) {
      hubFail(req, res, deps, error);
    }
  });

  // hf_xet (installed with huggingface_hub) asks for a Xet token before uploading; this server speaks LFS only.
  router.get('/api/models/:ns/:name/xet-write-token/:rev', (_req, res) => {
    const message = 'This hub speaks the LFS protocol, not Xet: set HF_HUB_DISABLE_XET=1 in the environment of huggingface_hub and push again';
    res.status(501).set({ 'X-Error-Code': 'XetNotSupported', 'X-Error-Message': message }).json({ error: message });
  });
  return router;
}
