import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HubApiError, listFiles, type ListFileEntry, modelInfo } from '@huggingface/hub';
import type { OpenedSource } from '../staged-file';
import { isTransportFailure, type ModelSource, type SourceFile, type SourceListing, SourceUnavailableError, SourceUnreachableError } from './model-source';

export interface HubOptions {
  endpoint: string;
  token: string | null;
}

const COMMIT_SHA = /^[0-9a-f]{40}$/;

function toSourceFile(entry: ListFileEntry): SourceFile {
  // LFS files carry their sha256; git files only a blob id (sha1 over a git header), which we verify as such.
  if (entry.lfs) return { path: entry.path, size: entry.lfs.size, sha256: entry.lfs.oid, gitBlobId: null };
  return { path: entry.path, size: entry.size, sha256: null, gitBlobId: entry.oid ?? null };
}

/**
 * A model repository on the Hugging Face Hub (or anything speaking its protocol, at HF_ENDPOINT).
 * The requested revision (branch, tag or sha) is resolved to its commit sha once; the tree is listed and
 * every file downloaded at that sha, so a branch that moves mid-import cannot mix two revisions' files.
 * Construct it with a 40-hex sha (the listing's `revision`) to open files of an earlier listing.
 */
export class HuggingFaceSource implements ModelSource {
  private pinned: Promise<string> | null;

  constructor(
    private readonly hub: HubOptions,
    private readonly repoId: string,
    private readonly revision: string,
  ) {
    this.pinned = COMMIT_SHA.test(revision) ? Promise.resolve(revision) : null;
  }

  private get credentials() {
    return { hubUrl: this.hub.endpoint, ...(this.hub.token ? { accessToken: this.hub.token } : {}) };
  }

  /** The commit sha the revision points at, asked once per source (later calls reuse the answer). */
  commitSha(): Promise<string> {
    this.pinned ??= this.resolveRevision().catch((error: unknown) => {
      this.pinned = null; // a transient failure must not stick
      throw error;
    });
    return this.pinned;
  }

  private async resolveRevision(): Promise<string> {
    let sha: string | undefined;
    try {
      ({ sha } = await modelInfo({ ...this.credentials, name: this.repoId, revision: this.revision, additionalFields: ['sha'] }));
    } catch (error) {
      throw this.explain(error);
    }
    if (typeof sha !== 'string' || !COMMIT_SHA.test(sha)) {
      throw new SourceUnavailableError(`${this.hub.endpoint} did not name the commit of ${this.repoId}@${this.revision} (got ${String(sha)})`);
    }
    return sha;
  }

  async list(): Promise<SourceListing> {
    const revision = await this.commitSha();
    const files: SourceFile[] = [];
    try {
      // The client follows the tree's `Link: rel="next"` pages; every page is asked at the same sha.
      for await (const entry of listFiles({ ...this.credentials, repo: { type: 'model', name: this.repoId }, revision, recursive: true })) {
        if (entry.type === 'file') files.push(toSourceFile(entry));
      }
    } catch (error) {
      throw this.explain(error);
    }
    if (files.length === 0) throw new SourceUnavailableError(`${this.repoId}@${this.revision} has no files`);
    return { revision, files: files.sort((a, b) => a.path.localeCompare(b.path)) };
  }

  async open(file: SourceFile, offset: number): Promise<OpenedSource> {
    const sha = await this.commitSha();
    const filePath = file.path.split('/').map(encodeURIComponent).join('/');
    const url = `${this.hub.endpoint}/${this.repoId}/resolve/${sha}/${filePath}`;
    const headers: Record<string, string> = {};
    if (this.hub.token) headers.authorization = `Bearer ${this.hub.token}`;
    if (offset > 0) headers.range = `bytes=${offset}-`;
    // fetch follows the hub's redirect to its CDN and drops the Authorization header on the way (cross-origin).
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'follow' });
    } catch (error) {
      throw isTransportFailure(error) ? SourceUnreachableError.from(error, `${this.hub.endpoint} (GET ${file.path})`) : error;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw this.refusal(response, file.path, sha);
    }
    // Resumed only if the server really answered the range asked for; otherwise it sent the whole file.
    const resumed = response.status === 206 && (response.headers.get('content-range')?.startsWith(`bytes ${offset}-`) ?? false);
    return { stream: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), offset: resumed ? offset : 0 };
  }

  private refusal(response: Response, filePath: string, sha: string): Error {
    const { status } = response;
    if (status === 401 || status === 403) return this.forbidden(status);
    if (status === 404) return new SourceUnavailableError(`${this.repoId}@${sha} has no file ${filePath} (${response.headers.get('x-error-code') ?? 'not found'})`);
    const message = `GET ${filePath} at ${this.repoId}@${sha} answered ${status}`;
    // A hub that is down or overloaded is an unreachable source: retried within its budget.
    if (status >= 500 || status === 429) return new SourceUnreachableError(`${this.hub.endpoint}: ${message}`);
    return new Error(message); // transient: retried
  }

  private forbidden(status: number): SourceUnavailableError {
    return new SourceUnavailableError(
      `${this.repoId} refused access (${status}): gated or private repositories need HF_TOKEN with access granted`,
      'FORBIDDEN',
    );
  }

  private explain(error: unknown): Error {
    if (error instanceof HubApiError) {
      if (error.statusCode === 401 || error.statusCode === 403) return this.forbidden(error.statusCode);
      if (error.statusCode === 404) return new SourceUnavailableError(`${this.repoId}@${this.revision} was not found on ${this.hub.endpoint}`);
      if (error.statusCode >= 500 || error.statusCode === 429) return SourceUnreachableError.from(error, this.hub.endpoint);
    }
    if (isTransportFailure(error)) return SourceUnreachableError.from(error, this.hub.endpoint);
    return error as Error;
  }
}
