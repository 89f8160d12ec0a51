import type { EntityManager } from 'typeorm';
import { Provenance } from '../domain/catalog/catalog-enums';
import type { ReportedScore } from '../domain/evaluation/model-index';
import { EvaluationEntity } from '../persistence/entities/evaluation.entity';

/** Where a card's scores were read: the upstream commit (a Hugging Face sha) and when it was fetched. */
export interface ReportedOrigin {
  revision: string | null;
  fetchedAt: Date;
}

/**
 * Replaces a version's REPORTED evaluations with what its model card says now (run inside the import's settling
 * transaction, so a retried settling step writes them once, or the refresh's). MEASURED and RECORDED rows are never touched.
 */
export async function replaceReportedScores(
  tx: EntityManager,
  ids: { modelId: string; versionId: string },
  scores: readonly ReportedScore[],
  actor: string,
  origin: ReportedOrigin = { revision: null, fetchedAt: new Date() },
): Promise<void> {
  const repo = tx.getRepository(EvaluationEntity);
  await repo.delete({ versionId: ids.versionId, provenance: Provenance.REPORTED });
  for (const s of scores) {
    await repo.save(
      repo.create({
        modelId: ids.modelId,
        versionId: ids.versionId,
        provenance: Provenance.REPORTED,
        operationId: null,
        benchmark: s.benchmark,
        score: s.score,
        numShots: null,
        details: { dataset: s.dataset, source: s.source, from: 'model-index', upstreamRevision: origin.revision, fetchedAt: origin.fetchedAt.toISOString() },
        suite: 'model-card',
        task: s.benchmark,
        metric: s.metric,
        n: null,
        stderr: null,
        datasetVersion: null,
        runner: null,
        runnerVersion: null,
        recordedBy: actor,
        recordedAt: origin.fetchedAt,
      }),
    );
  }
}
