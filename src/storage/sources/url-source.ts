import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { OpenedSource } from '../staged-file';
import { type ModelSource, type SourceFile, type SourceListing, SourceUnavailableError } from './model-source';

/** A single file over http(s); resumable with Range when the server supports it. */
export class UrlSource implements ModelSource {
  constructor(
    private readonly url: string,
    private readonly fileName: string,
    private readonly sha256: string | null,
  ) {}

  async list(): Promise<SourceListing> {
    const response = await fetch(this.url, { method: 'HEAD', redirect: 'follow' });
    if (response.status === 404 || response.status === 410) throw new SourceUnavailableError(`${this.url} answered ${response.status}`);
    if (response.status === 401 || response.status === 403) throw new SourceUnavailableError(`${this.url} refused access (${response.status})`, 'FORBIDDEN');
    if (!response.ok) throw new Error(`HEAD ${this.url} answered ${response.status}`); // transient: retried
    const length = response.headers.get('content-length');
    // A URL has no immutable revision: the user's sha256, when given, is what pins its content.
    return { revision: null, files: [{ path: this.fileName, size: length === null ? null : Number(length), sha256: this.sha256, gitBlobId: null }] };
  }

  async open(_file: SourceFile, offset: number): Promise<OpenedSource> {
    const response = await fetch(this.url, { headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, redirect: 'follow' });
    if (!response.ok || !response.body) throw new Error(`GET ${this.url} answered ${response.status}`);
    const resumed = response.status === 206 && response.headers.get('content-range')?.startsWith(`bytes ${offset}-`);
    return { stream: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), offset: resumed ? offset : 0 };
  }
}
