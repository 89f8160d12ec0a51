import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/**
 * The digests an import verifies, fed the same chunks in one pass: sha256 (content address, LFS oid) and,
 * when asked, the git blob id — sha1("blob <size>\0" + content), what the hub lists as `oid` for git files.
 * The git header needs the size up front; with no size known the blob id is computed afterwards instead.
 */
export class ContentHashes {
  private readonly sha256 = createHash('sha256');
  private readonly gitBlob: Hash | null;

  constructor(size: number | null, withGitBlobId: boolean) {
    this.gitBlob = withGitBlobId && size !== null ? createHash('sha1').update(`blob ${size}\0`) : null;
  }

  update(chunk: Buffer): void {
    this.sha256.update(chunk);
    this.gitBlob?.update(chunk);
  }

  digest(): { sha256: string; gitBlobId: string | null } {
    return { sha256: this.sha256.digest('hex'), gitBlobId: this.gitBlob?.digest('hex') ?? null };
  }
}

/** Feeds a file's bytes to a hash sink one stream chunk at a time (never the whole file in memory). */
export async function hashFile(file: string, sink: { update(chunk: Buffer): void }, signal?: AbortSignal): Promise<void> {
  await pipeline(
    createReadStream(file),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) sink.update(chunk);
    },
    { signal },
  );
}

export async function gitBlobIdOfFile(file: string, size: number, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha1').update(`blob ${size}\0`);
  await hashFile(file, hash, signal);
  return hash.digest('hex');
}
