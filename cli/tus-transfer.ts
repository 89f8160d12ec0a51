import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { configDir } from './cli-config';
import { CliError, codeOfStatus } from './cli-errors';
import type { LocalFile } from './local-files';

// tus-js-client's node build ships FileUrlStorage (a JSON file guarded by a lock file) without declaring it.
const { FileUrlStorage } = tus as unknown as { FileUrlStorage: new (file: string) => tus.UrlStorage };

/** Where unfinished uploads are remembered between runs: the upload URL of each (version, path, file state). */
export async function uploadStateFile(): Promise<string> {
  await mkdir(configDir(), { recursive: true, mode: 0o700 });
  return path.join(configDir(), 'uploads.json');
}

export interface TusFileResult {
  /** Bytes the server already held when this run started on the file (0 for a new upload). */
  resumedFrom: number;
  /** Bytes this run sent that the file needed. */
  bytesSent: number;
}

export interface TusFileOptions {
  endpoint: string;
  token: string | null;
  versionId: string;
  file: LocalFile;
  sha256: string;
  storage: tus.UrlStorage;
  onStart: (resumedFrom: number) => void;
  onProgress: (done: number) => void;
  /** Registers the running upload so Ctrl-C can stop it. */
  track: (upload: tus.Upload) => void;
}

function failureOf(error: Error, file: LocalFile): CliError {
  const response = (error as tus.DetailedError).originalResponse;
  if (!response) return new CliError(`${file.remote}: ${error.message.split('\n')[0]}`, 'UNAVAILABLE');
  const status = response.getStatus();
  const body = (response.getBody() ?? '').trim().split('\n')[0];
  const code = response.getHeader('X-Error-Code') ?? codeOfStatus(status);
  return new CliError(`${file.remote}: ${body || `the server answered ${status}`}`, code);
}

/**
 * One file through the tus endpoint. The fingerprint names the version, the path and the file's size and mtime,
 * so a second run finds the upload URL the first one stored and continues from the server's offset (HEAD);
 * a changed file gets a new upload. The sha256 rides along so the server refuses bytes that differ.
 */
export function tusUpload(o: TusFileOptions): Promise<TusFileResult> {
  const { file } = o;
  let resumedFrom = -1;
  return new Promise<TusFileResult>((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(file.local), {
      endpoint: o.endpoint,
      headers: o.token ? { authorization: `Bearer ${o.token}` } : {},
      metadata: { versionId: o.versionId, path: file.remote, sha256: o.sha256 },
      uploadSize: file.size,
      urlStorage: o.storage,
      fingerprint: async () => ['modelhub', o.endpoint, o.versionId, file.remote, file.size, Math.trunc(file.mtimeMs), o.sha256].join('|'),
      removeFingerprintOnSuccess: true,
      retryDelays: [0, 1000, 3000, 5000],
      onAfterResponse: (req, res) => {
        if (resumedFrom >= 0) return;
        if (req.getMethod() === 'HEAD' && res.getStatus() === 200) resumedFrom = Number(res.getHeader('Upload-Offset') ?? 0);
        else if (req.getMethod() === 'POST' && res.getStatus() === 201) resumedFrom = Number(res.getHeader('Upload-Offset') ?? 0);
        if (resumedFrom >= 0) {
          o.onStart(resumedFrom);
        }
      },
      onProgress: (sent) => {
        o.onProgress(sent);
      },
      onSuccess: () => {
        // An upload found complete (HEAD offset = length) sends nothing; otherwise every remaining byte went.
        const from = resumedFrom < 0 ? file.size : resumedFrom;
        if (resumedFrom < 0) o.onStart(from);
        resolve({ resumedFrom: from, bytesSent: file.size - from });
      },
      onError: (error) => reject(failureOf(error, file)),
    });
    o.track(upload);
    upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      })
      .catch((error: Error) => reject(failureOf(error, file)));
  });
}

export async function createStorage(): Promise<tus.UrlStorage> {
  return new FileUrlStorage(await uploadStateFile());
}
