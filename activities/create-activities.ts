import { Context } from '@temporalio/activity';
import type { Inspection } from '../src/services/artifact-inspection.service';
import type { ArtifactInspectionService } from '../src/services/artifact-inspection.service';
import type { ImportIds, ImportOutcomeService } from '../src/services/import-outcome.service';
import type { IngestionService } from '../src/services/ingestion.service';
import type { LocalCacheService } from '../src/services/local-cache.service';
import type { ManifestEntry } from '../src/domain/onboarding/manifest';
import type { ImportWorkflowInput, LocalCacheWorkflowInput } from '../src/domain/onboarding/workflow-inputs';
import type { SourceFile } from '../src/storage/sources/model-source';
import { failFast } from './activity-failures';

export interface ActivityDeps {
  ingestion: IngestionService;
  inspection: ArtifactInspectionService;
  outcomes: ImportOutcomeService;
  caches: LocalCacheService;
}

export interface StageFileRequest {
  input: ImportWorkflowInput;
  file: SourceFile;
  bytesBefore: number;
  bytesTotal: number;
}

/** Thin wrappers over services: each heartbeats where it moves bytes and fails fast where retrying is futile. */
export function createActivities({ ingestion, inspection, outcomes, caches }: ActivityDeps) {
  return {
    listSourceFiles(input: ImportWorkflowInput): Promise<SourceFile[]> {
      return failFast(() => ingestion.listFiles(input.operationId, input.source));
    },

    stageSourceFile({ input, file, bytesBefore, bytesTotal }: StageFileRequest): Promise<ManifestEntry> {
      const ctx = Context.current();
      return failFast(() =>
        ingestion.stage({
          operationId: input.operationId,
          versionId: input.versionId,
          source: input.source,
          file,
          bytesBefore,
          bytesTotal,
          // The heartbeat carries the byte offset; a restarted attempt resumes from the staged bytes.
          onBytes: (staged) => ctx.heartbeat({ path: file.path, staged }),
          signal: ctx.cancellationSignal,
        }),
      );
    },

    inspectArtifacts(manifest: ManifestEntry[]): Promise<Inspection> {
      return failFast(() => inspection.inspect(manifest));
    },

    async completeImport(ids: ImportIds, manifest: ManifestEntry[], result: Inspection): Promise<string> {
      const outcome = await failFast(() => outcomes.complete(ids, manifest, result));
      await ingestion.discardStaging(ids.versionId);
      return outcome.status;
    },

    async failImport(ids: ImportIds, code: string, message: string): Promise<void> {
      await outcomes.fail(ids, code, message);
      await ingestion.discardStaging(ids.versionId);
    },

    async cancelImport(ids: ImportIds): Promise<void> {
      await outcomes.cancelled(ids);
      await ingestion.discardStaging(ids.versionId);
    },

    materializeCache(input: LocalCacheWorkflowInput): Promise<string> {
      const ctx = Context.current();
      return failFast(() => caches.materialize(input, (bytes) => ctx.heartbeat(bytes), ctx.cancellationSignal));
    },

    failCache(input: LocalCacheWorkflowInput, message: string, cancelled: boolean): Promise<void> {
      return caches.fail(input, message, cancelled);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
