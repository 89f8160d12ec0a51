import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiClient } from './api-client';
import { CliError } from './cli-errors';
import { hashInto, sha256Of } from './local-files';

export interface RemoteFile {
  path: string;
  size: number;
  sha256: string;
}

export interface DownloadResult {
  status: 'present' | 'downloaded' | 'resumed';
  resumedFrom: number;
  bytesReceived: number;
}

export interface DownloadOptions {
  api: ApiClient;
  versionId: string;
  file: RemoteFile;
  target: string;
  signal: AbortSignal;
  onStart: (done: number) => void;
  onProgress: (done: number) => void;
}

const PART = '.modelhub-part';

async function sizeOf(file: string): Promise<number | null> {
  return stat(file).then((s) => s.size, () => null);
}

/**
 * One file into `target`: bytes go to `target.modelhub-part`, a second run continues it with `Range: bytes=N-`
 * (its first N bytes are hashed from disk), and only a file whose sha256 is the registry's is renamed into place.
 * A file already there with that digest is not fetched again.
 */
export async function downloadFile(o: DownloadOptions): Promise<DownloadResult> {
  const { file, target } = o;
  if ((await sizeOf(target)) === file.size && (await sha256Of(target)) === file.sha256) {
    o.onStart(file.size);
    return { status: 'present', resumedFrom: file.size, bytesReceived: 0 };
  }
  await mkdir(path.dirname(target), { recursive: true });
  const part = target + PART;
  let have = (await sizeOf(part)) ?? 0;
  if (have > file.size) {
    await truncate(part, 0);
    have = 0;
  }
  const route = `/files/versions/${o.versionId}/download/${file.path.split('/').map(encodeURIComponent).join('/')}`;
  const response = await o.api.fetchFile(route, { signal: o.signal, headers: have > 0 && have < file.size ? { range: `bytes=${have}-` } : {} });
  if (have > 0 && response.status !== 206) {
    await truncate(part, 0); // the server sent the whole file: start over
    have = 0;
  }
  const hash = createHash('sha256');
  await hashInto(hash, part, have);
  o.onStart(have);
  let done = have;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      done += chunk.length;
      o.onProgress(done);
      callback(null, chunk);
    },
  });
  if (have < file.size) {
    if (!response.body) throw new CliError(`${file.path}: empty answer`, 'UNAVAILABLE');
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), count, createWriteStream(part, { flags: 'a' }), { signal: o.signal });
  } else await response.body?.cancel();
  if (done !== file.size) throw new CliError(`${file.path}: the connection ended at byte ${done} of ${file.size}; run the command again to resume`, 'UNAVAILABLE');
  const digest = hash.digest('hex');
  if (digest !== file.sha256) {
    await rm(part, { force: true });
    throw new CliError(`${file.path}: sha256 ${digest} is not the registry's ${file.sha256}; the partial file was removed`, 'INTEGRITY');
  }
  await rename(part, target);
  return { status: have > 0 ? 'resumed' : 'downloaded', resumedFrom: have, bytesReceived: file.size - have };
}
