import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Provenance, SourceType } from '../domain/catalog/catalog-enums';
import { readableCondition, readableParam } from '../domain/governance/access';
import { readModelIndex } from '../domain/evaluation/model-index';
import {
  MAX_LISTED_FAILURES,
  type ModelRefreshOutcome,
  type ReportedScoresRefreshReport,
  refreshRevision,
  reportedScoresChanged,
} from '../domain/evaluation/reported-score-changes';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { EvaluationEntity } from '../persistence/entities/evaluation.entity';
import { type CardLimits, readCardAt, type UpstreamCard } from '../storage/sources/hugging-face-card';
import type { HubOptions } from '../storage/sources/hugging-face-source';
import type { RequestPacer } from '../net/request-pacer';
import { replaceReportedScores } from './reported-scores';
import type { UpstreamWatchService, WatchTarget } from './upstream-watch.service';

const ACTOR = 'reported-scores-refresh';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Versions whose card may be refreshed: settled and live. INGESTING ones get theirs when their import settles. */
const REFRESHABLE = [LifecycleStage.VERIFIED, LifecycleStage.EVALUATED, LifecycleStage.PUBLISHED];


export interface RefreshLimits extends CardLimits {
  concurrency: number;
}

/**
 * Keeps the REPORTED evaluations of Hugging Face models in step with their upstream model cards. Per model the
 * default version is refreshed, or else its newest refreshable one, when it was imported from the hub: the card
 * at the repository's head describes the repository as it is now, which the newest import stands for; older
 * versions keep the scores of the card they were imported with. The upstream watch looks first (one conditional
 * request); the card is read only at a commit whose card was not read yet.
 */
export class ReportedScoresRefreshService {
  constructor(
    private readonly db: DataSource,
    private readonly hub: HubOptions,
    private readonly limits: RefreshLimits,
    private readonly watch: UpstreamWatchService,
    private readonly pacer: RequestPacer,
  ) {}

  /** Ids of Hugging Face models after `after` the caller may read, in id order (a keyset page on the primary key). */
  async page(caller: Caller, after: string | null, limit: number): Promise<string[]> {
    const visible = readableCondition(caller, 'm', '$4');
    const rows: { id: string }[] = await this.db.query(
      `SELECT m.id FROM models m WHERE m.source_type = $1 AND ($2::uuid IS NULL OR m.id > $2::uuid)${visible ? ` AND ${visible}` : ''} ORDER BY m.id LIMIT $3`,
      visible ? [SourceType.HUGGING_FACE, after, limit, readableParam(caller)] : [SourceType.HUGGING_FACE, after, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Refreshes each model, `concurrency` at a time; one model's failure is counted, never thrown. */
  async refreshMany(caller: Caller, modelIds: readonly string[], onProgress: (done: number) => void = () => undefined): Promise<ReportedScoresRefreshReport> {
    const report: ReportedScoresRefreshReport = { checked: 0, changed: 0, unchanged: 0, skipped: 0, failed: 0, failures: [] };
    let next = 0;
    const lane = async () => {
      while (next < modelIds.length) {
        const modelId = modelIds[next++];
        const result = await this.refreshModel(caller, modelId);
        report.checked += 1;
        report[result.outcome] += 1;
        if (result.reason && report.failures.length < MAX_LISTED_FAILURES) report.failures.push({ modelId, reason: result.reason });
        onProgress(report.checked);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.limits.concurrency, modelIds.length) }, lane));
    return report;
  }

  /** Database errors propagate (the activity retries); the hub's answers become outcomes. Unreadable models are skipped. */
  async refreshModel(caller: Caller, modelId: string): Promise<{ outcome: ModelRefreshOutcome; reason?: string }> {
    if (!UUID.test(modelId)) return { outcome: 'skipped' };
    const target = await this.target(caller, modelId);
    if (!target) return { outcome: 'skipped' };
    const watched = await this.watch.look(target);
    if (watched.failed !== undefined) return { outcome: 'failed', reason: watched.failed };
    if (watched.cardSha === null) return { outcome: 'unchanged' };
    let card: UpstreamCard;
    try {
      await this.pacer.take();
      card = await readCardAt(this.hub, target.repoId, watched.cardSha, this.limits);
    } catch (error) {
      return { outcome: 'failed', reason: `${target.repoId}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500) };
    }
    const scores = card.text === null ? [] : readModelIndex(card.text);
    if (scores === null) return { outcome: 'failed', reason: `${target.repoId}: the model card's front matter does not parse (model-index unreadable); its scores are kept` };
    const fetchedAt = new Date();
    return this.db.transaction(async (tx) => {
      // The version row's lock orders this against an archive move, a racing refresh and the import's settling.
      const [locked]: { status: LifecycleStage }[] = await tx.query(`SELECT status FROM model_versions WHERE id = $1 FOR UPDATE`, [target.versionId]);
      if (!locked || !REFRESHABLE.includes(locked.status)) return { outcome: 'skipped' as const };
      await this.watch.cardRead(tx, modelId, card.revision);
      const stored = await tx.getRepository(EvaluationEntity).findBy({ versionId: target.versionId, provenance: Provenance.REPORTED });
      if (!reportedScoresChanged(stored, scores)) return { outcome: 'unchanged' as const };
      await replaceReportedScores(tx, { modelId, versionId: target.versionId }, scores, ACTOR, { revision: card.revision, fetchedAt });
      return { outcome: 'changed' as const };
    });
  }

  private async target(caller: Caller, modelId: string): Promise<WatchTarget | null> {
    const visible = readableCondition(caller, 'm', '$4');
    const [row]: { id: string; repo_id: unknown; revision: unknown; source_revision: string | null; card_license: unknown }[] = await this.db.query(
      `SELECT v.id, v.source->>'repoId' AS repo_id, v.source->>'revision' AS revision, v.source_revision, v.verified_metadata->>'license' AS card_license
         FROM model_versions v JOIN models m ON m.id = v.model_id
        WHERE v.model_id = $1 AND v.source->>'type' = $2 AND v.status = ANY($3::text[])${visible ? ` AND ${visible}` : ''}
        ORDER BY COALESCE(v.id = m.default_version_id, false) DESC, v.major DESC, v.minor DESC, v.patch DESC,
                 (v.prerelease IS NULL) DESC, v.created_at DESC
        LIMIT 1`,
      visible ? [modelId, SourceType.HUGGING_FACE, REFRESHABLE, readableParam(caller)] : [modelId, SourceType.HUGGING_FACE, REFRESHABLE],
    );
    if (!row || typeof row.repo_id !== 'string') return null;
    return {
      modelId,
      versionId: row.id,
      repoId: row.repo_id,
      revision: refreshRevision(row.revision),
      importedSha: row.source_revision,
      importedLicense: typeof row.card_license === 'string' ? row.card_license : null,
    };
  }
}
