import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config';
import { detectFormat } from '../domain/artifacts/artifact-format';
import type { ImportSource } from '../domain/onboarding/import-source';
import { safeRelativePath } from '../domain/onboarding/import-source';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import { OperationStatus } from '../domain/onboarding/operation';
import type { ArtifactStore } from '../storage/artifact-store';
import { createSource } from '../storage/sources/create-source';
import type { SourceFile } from '../storage/sources/model-source';
import { stageFile } from '../storage/staged-file';
import type { OperationService } from './operation.service';

export interface StageRequest {
  operationId: string;
  versionId: string;
  source: ImportSource;
  file: SourceFile;
  /** Bytes of the files before this one, and of all files: progress is over the whole version. */
  bytesBefore: number;
  bytesTotal: number;
  /** Called as bytes arrive (heartbeats); the staged byte count is the resume point. */
  onBytes?: (staged: number) => void;
  signal?: AbortSignal;
}

const PROGRESS_INTERVAL_MS = 1000;

/** The byte-moving half of an import (the worker's side): list the source, stage and store each file. */
export class IngestionService {
  constructor(
    private readonly config: Pick<Config, 'hub' | 'imports' | 'artifacts'>,
    private readonly store: ArtifactStore,
    private readonly operations: OperationService,
  ) {}

  async listFiles(operationId: string, source: ImportSource): Promise<SourceFile[]> {
    await this.operations.update(operationId, { status: OperationStatus.RUNNING, currentStep: 'listing files', message: null });
    const files = await createSource(source, this.config, this.store).list();
    for (const file of files) safeRelativePath('path', file.path);
    const total = files.reduce((n, f) => n + (f.size ?? 0), 0);
    await this.operations.update(operationId, {
      bytesTotal: BigInt(total),
      message: `${files.length} files, ${total} bytes`,
    });
    return files;
  }

  stagingPath(versionId: string, file: string): string {
    const key = createHash('sha256').update(file).digest('hex').slice(0, 32);
    return path.join(this.config.artifacts.stagingDir, versionId, `${key}.part`);
  }

  async stage(request: StageRequest): Promise<ManifestEntry> {
    const { operationId, file } = request;
    const source = createSource(request.source, this.config, this.store);
    const stagingPath = this.stagingPath(request.versionId, file.path);
    let lastReport = 0;
    const report = (staged: number, force = false) => {
      request.onBytes?.(staged);
      const now = Date.now();
      if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
      lastReport = now;
      const done = request.bytesBefore + staged;
      void this.operations
        .update(operationId, {
          currentStep: `downloading ${file.path}`,
          bytesDone: BigInt(done),
          progress: request.bytesTotal > 0 ? (done / request.bytesTotal) * 0.95 : 0,
        })
        .catch(() => undefined); // progress is best effort; the heartbeat carries the resume point
    };
    const blob = await stageFile({
      name: file.path,
      stagingPath,
      open: (offset) => source.open(file, offset),
      expectedSize: file.size,
      expectedSha256: file.sha256,
      onProgress: (staged) => report(staged),
      // Every chunk: heartbeats and row updates are throttled by time, so slow links still heartbeat.
      progressEveryBytes: 0,
      signal: request.signal,
    });
    const format = detectFormat(file.path, await readHead(stagingPath));
    await this.store.adoptStagedFile(stagingPath, blob);
    report(blob.size, true);
    return { path: file.path, size: blob.size, sha256: blob.sha256, format };
  }

  async discardStaging(versionId: string): Promise<void> {
    await rm(path.join(this.config.artifacts.stagingDir, versionId), { recursive: true, force: true });
  }
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(16);
    const { bytesRead } = await handle.read(buffer, 0, 16, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
