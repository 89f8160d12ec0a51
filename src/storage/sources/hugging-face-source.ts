import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { downloadFile, HubApiError, listFiles } from '@huggingface/hub';
import type { OpenedSource } from '../staged-file';
import { type ModelSource, type SourceFile, SourceUnavailableError } from './model-source';

export interface HubOptions {
  endpoint: string;
  token: string | null;
}

/** A model repository on the Hugging Face Hub (or anything speaking its protocol, at HF_ENDPOINT). */
export class HuggingFaceSource implements ModelSource {
  constructor(
    private readonly hub: HubOptions,
    private readonly repoId: string,
    private readonly revision: string,
  ) {}

  private get params() {
    return {
      repo: { type: 'model' as const, name: this.repoId },
      revision: this.revision,
      hubUrl: this.hub.endpoint,
      ...(this.hub.token ? { accessToken: this.hub.token } : {}),
    };
  }

  async list(): Promise<SourceFile[]> {
    const files: SourceFile[] = [];
    try {
      for await (const entry of listFiles({ ...this.params, recursive: true })) {
        if (entry.type !== 'file') continue;
        // LFS files carry their sha256; small git files only a git blob id, which is not a content sha256.
        files.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, sha256: entry.lfs?.oid ?? null });
      }
    } catch (error) {
      throw this.explain(error);
    }
    if (files.length === 0) throw new SourceUnavailableError(`${this.repoId}@${this.revision} has no files`);
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }

  async open(file: SourceFile, offset: number): Promise<OpenedSource> {
    let blob: Blob | null;
    try {
      blob = await downloadFile({ ...this.params, path: file.path, xet: false });
    } catch (error) {
      throw this.explain(error);
    }
    if (!blob) throw new SourceUnavailableError(`${this.repoId}@${this.revision} has no file ${file.path}`);
    // The hub client's blob is lazy: slicing turns into an HTTP Range request, so a resume fetches only the rest.
    const stream = blob.slice(offset).stream() as unknown as WebReadableStream<Uint8Array>;
    return { stream: Readable.fromWeb(stream), offset };
  }

  private explain(error: unknown): Error {
    if (error instanceof HubApiError) {
      if (error.statusCode === 401 || error.statusCode === 403) {
        return new SourceUnavailableError(
          `${this.repoId} refused access (${error.statusCode}): gated or private repositories need HF_TOKEN with access granted`,
          'FORBIDDEN',
        );
      }
      if (error.statusCode === 404) return new SourceUnavailableError(`${this.repoId}@${this.revision} was not found on ${this.hub.endpoint}`);
    }
    return error as Error;
  }
}
