import type { DataSource, EntityManager } from 'typeorm';
import { type Caller, systemCaller } from '../domain/auth/caller';
import { readableCondition, readableParam } from '../domain/governance/access';
import { type LicenseUsage, LicenseOutcome } from '../domain/governance/license-check';
import { Gate, UpstreamChanges } from '../domain/governance/promotion-policy';
import { PromotionState } from '../domain/governance/promotion-request';
import { projectOf } from '../domain/governance/project';
import { sameLicense } from '../domain/licensing/upstream-license';
import type { RequestPacer } from '../net/request-pacer';
import type { ModelEntity } from '../persistence/entities/model.entity';
import { PromotionRequestEntity } from '../persistence/entities/promotion-request.entity';
import type { HubOptions } from '../storage/sources/hugging-face-source';
import { lookUpstream, type UpstreamLook } from '../storage/sources/hugging-face-watch';
import { recordAudit } from './audit.service';
import { recordEvent } from './events/outbox';
import type { LicenseCheckService } from './license-check.service';
import { lockModel } from './model-lock';
import type { ProjectAccessService } from './project-access.service';
import { proposeCommit } from './upstream-proposal';
import type { VersionSubmitService } from './version-submit.service';

const WATCH = systemCaller('upstream-watch');

/** The version a model is watched through, as the reported-scores refresh picked it. */
export interface WatchTarget {
  modelId: string;
  versionId: string;
  repoId: string;
  /** The ref to follow when the model has no watch row yet (the import's branch or tag, else main). */
  revision: string;
  /** What the import saw: the commit and the card's licence (the baselines of a first look). */
  importedSha: string | null;
  importedLicense: string | null;
}

/** What the watch last saw of a model's repository, as the API shows it. */
export interface UpstreamWatchRecord {
  modelId: string;
  repoId: string;
  revision: string;
  sha: string | null;
  license: string | null;
  gated: boolean;
  state: 'AVAILABLE' | 'GATED' | 'GONE';
  proposedVersionId: string | null;
  checkedAt: Date;
  changedAt: Date | null;
  licenseChangedAt: Date | null;
}

/** What the refresh does next: read the card at `cardSha`, nothing, or count the model as failed. */
export type WatchOutcome = { cardSha: string | null; failed?: undefined } | { failed: string; cardSha?: undefined };

interface WatchRow {
  revision: string;
  etag: string | null;
  sha: string | null;
  card_sha: string | null;
  license: string | null;
  gated: string | null;
  state: 'AVAILABLE' | 'GATED' | 'GONE';
  proposed_version_id: string | null;
}

/** One change, as the `upstream.changed` event's data names it (previous → current). */
type Change =
  | { change: 'commit'; previous: string | null; current: string }
  | { change: 'license'; previous: string | null; current: string }
  | { change: 'gated' | 'vanished'; previous: string | null; current: string; status: number | null };

/**
 * The watch on upstream repositories, one conditional request per model per refresh (UpstreamLook): a new commit
 * on the tracked ref is an `upstream.changed` event and, by the project's `upstreamChanges`, a DRAFT proposal or an
 * import; a changed card licence is an event, and open promotion requests it now blocks are audited as blocked
 * (their approval re-checks it); a repository turned gated or gone is an event, once. What was seen is kept per
 * model (upstream_watches), written with the events in one transaction under the model's lock.
 */
export class UpstreamWatchService {
  constructor(
    private readonly db: DataSource,
    private readonly hub: HubOptions,
    private readonly pacer: RequestPacer,
    private readonly timeoutMs: number,
    private readonly access: ProjectAccessService,
    private readonly licenses: LicenseCheckService,
    private readonly submissions: VersionSubmitService,
  ) {}

  async look(target: WatchTarget): Promise<WatchOutcome> {
    const [known] = (await this.db.query(`SELECT revision, etag FROM upstream_watches WHERE model_id = $1`, [target.modelId])) as Pick<WatchRow, 'revision' | 'etag'>[];
    const revision = known?.revision ?? target.revision;
    await this.pacer.take();
    let seen: UpstreamLook;
    try {
      seen = await lookUpstream(this.hub, target.repoId, revision, known?.etag ?? null, this.timeoutMs);
    } catch (error) {
      return { failed: `${target.repoId}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500) };
    }
    const { outcome, importVersion } = await this.db.transaction((tx) => this.record(tx, target, revision, seen));
    if (!importVersion) return outcome;
    try {
      await this.submissions.submit(WATCH, importVersion);
    } catch (error) {
      return { failed: `${target.repoId}: the new commit is proposed as a DRAFT, but its import did not start: ${(error as Error).message}`.slice(0, 500) };
    }
    return outcome;
  }

  /** The card of `sha` was read (whether or not the scores changed): the next look does not read it again. */
  async cardRead(tx: EntityManager, modelId: string, sha: string): Promise<void> {
    await tx.query(`UPDATE upstream_watches SET card_sha = $2 WHERE model_id = $1`, [modelId, sha]);
  }

  private async record(tx: EntityManager, target: WatchTarget, revision: string, seen: UpstreamLook): Promise<{ outcome: WatchOutcome; importVersion: string | null }> {
    const model = await lockModel(tx, target.modelId);
    const [row] = (await tx.query(`SELECT * FROM upstream_watches WHERE model_id = $1 FOR UPDATE`, [model.id])) as WatchRow[];
    const before: WatchRow = row ?? { revision, etag: null, sha: target.importedSha, card_sha: target.importedSha, license: target.importedLicense, gated: null, state: 'AVAILABLE', proposed_version_id: null };
    const next: WatchRow = { ...before, revision };
    const changes: Change[] = [];
    let failed: string | null = null;
    if (seen.kind === 'gone' || seen.kind === 'gated') {
      const state = seen.kind === 'gone' ? 'GONE' : 'GATED';
      if (before.state !== state) changes.push({ change: seen.kind === 'gone' ? 'vanished' : 'gated', previous: before.state, current: state, status: seen.status });
      Object.assign(next, { state, etag: null });
      failed = `${target.repoId}@${revision} answered ${seen.status} (${seen.kind === 'gone' ? 'gone' : 'gated or private, without access'})`;
    } else if (seen.kind === 'found') {
      // A first look only learns whether it is gated; commits and licences compare with what the import saw.
      if (row && seen.gated && !before.gated && before.state !== 'GATED') changes.push({ change: 'gated', previous: null, current: seen.gated, status: null });
      if (seen.sha !== before.sha) changes.push({ change: 'commit', previous: before.sha, current: seen.sha });
      if (!sameLicense(seen.license, before.license) && seen.license !== null) changes.push({ change: 'license', previous: before.license, current: seen.license });
      Object.assign(next, { state: 'AVAILABLE', etag: seen.etag, sha: seen.sha, license: seen.license ?? before.license, gated: seen.gated });
    }
    let importVersion: string | null = null;
    const project = projectOf(model);
    for (const change of changes) {
      if (change.change === 'commit') importVersion = await this.onCommit(tx, model, project, target, next, change);
      else if (change.change === 'license') await this.onLicense(tx, model, project, target, change);
      else await this.announce(tx, model, project, target, revision, change, 'upstream.unavailable', {});
    }
    await tx.query(
      `INSERT INTO upstream_watches (model_id, repo_id, revision, etag, sha, card_sha, license, gated, state, proposed_version_id, license_changed_at, checked_at, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $11 THEN now() END, now(), CASE WHEN $12 THEN now() END)
       ON CONFLICT (model_id) DO UPDATE SET repo_id = $2, revision = $3, etag = $4, sha = $5, card_sha = COALESCE(upstream_watches.card_sha, $6), license = $7, gated = $8, state = $9, proposed_version_id = $10,
         license_changed_at = CASE WHEN $11 THEN now() ELSE upstream_watches.license_changed_at END, checked_at = now(),
         changed_at = CASE WHEN $12 THEN now() ELSE upstream_watches.changed_at END`,
      [model.id, target.repoId, revision, next.etag, next.sha, next.card_sha, next.license, next.gated, next.state, next.proposed_version_id, changes.some((c) => c.change === 'license'), changes.length > 0],
    );
    if (failed) return { outcome: { failed }, importVersion };
    return { outcome: { cardSha: next.sha !== null && next.sha !== next.card_sha ? next.sha : null }, importVersion };
  }

  /** The event, then the project's answer: a DRAFT proposal, or that proposal imported at once (after commit). */
  private async onCommit(tx: EntityManager, model: ModelEntity, project: string, target: WatchTarget, next: WatchRow, change: Extract<Change, { change: 'commit' }>): Promise<string | null> {
    const policy = await this.access.policyOf(tx, project);
    const proposal = await proposeCommit(tx, model, next.proposed_version_id, { repoId: target.repoId, revision: next.revision, sha: change.current, actor: WATCH.subject });
    next.proposed_version_id = proposal.id;
    const action = policy.upstreamChanges === UpstreamChanges.IMPORT ? 'import' : 'proposed';
    await this.announce(tx, model, project, target, next.revision, change, 'upstream.changed', { action, versionId: proposal.id, version: proposal.version });
    return action === 'import' ? proposal.id : null;
  }

  /** The event; open requests whose licence gate the new terms now fail are audited as blocked (approval re-checks). */
  private async onLicense(tx: EntityManager, model: ModelEntity, project: string, target: WatchTarget, change: Extract<Change, { change: 'license' }>): Promise<void> {
    // The row is written after this: the checks below must see the new licence, so it goes in first.
    await tx.query(
      `INSERT INTO upstream_watches (model_id, repo_id, revision, license, license_changed_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (model_id) DO UPDATE SET license = $4, license_changed_at = now()`,
      [model.id, target.repoId, target.revision, change.current],
    );
    const open = await tx.getRepository(PromotionRequestEntity).find({ where: { modelId: model.id, state: PromotionState.OPEN }, order: { createdAt: 'ASC' } });
    const blocked: string[] = [];
    for (const request of open) {
      if (!request.policy.gates.includes(Gate.LICENSE_ALLOWED)) continue;
      const verdict = await this.licenses.evaluate(tx, model, request.versionId, request.evidence.evidence.usage);
      if (verdict.outcome !== LicenseOutcome.BLOCKED) continue;
      blocked.push(request.id);
      const reason = verdict.reasons.filter((r) => r.severity === 'BLOCK').map((r) => r.message).join('; ');
      await recordAudit(tx, {
        action: 'license.blocked', actor: WATCH.subject, modelId: model.id, versionId: request.versionId, project: request.project, subjectId: request.id, reason,
        details: { requestId: request.id, licenseId: verdict.licenseId, upstreamLicense: change.current, usage: usageView(request.evidence.evidence.usage), reasons: verdict.reasons.map((r) => r.code) },
      });
      const [{ version }] = (await tx.query(`SELECT version FROM model_versions WHERE id = $1`, [request.versionId])) as { version: string }[];
      await recordEvent(tx, {
        type: 'license.blocked',
        project,
        data: {
          modelId: model.id, modelName: model.name, versionId: request.versionId, version, requestId: request.id, license: verdict.licenseId, upstreamLicense: change.current,
          usage: usageView(request.evidence.evidence.usage), reason: reason.slice(0, 2000),
        },
      });
    }
    await this.announce(tx, model, project, target, target.revision, change, 'upstream.license_changed', { blockedRequests: blocked });
  }

  private async announce(tx: EntityManager, model: ModelEntity, project: string, target: WatchTarget, revision: string, change: Change, audit: 'upstream.changed' | 'upstream.license_changed' | 'upstream.unavailable', extra: Record<string, unknown>): Promise<void> {
    const data = { modelId: model.id, modelName: model.name, repository: target.repoId, revision, ...change, ...extra };
    await recordAudit(tx, { action: audit, actor: WATCH.subject, modelId: model.id, versionId: target.versionId, subjectId: target.repoId, details: data });
    await recordEvent(tx, { type: 'upstream.changed', project, data });
  }

  /** What the watch last saw of these models, those the caller may read (a loader's batch). */
  async forModels(caller: Caller, modelIds: readonly string[]): Promise<UpstreamWatchRecord[]> {
    const visible = readableCondition(caller, 'm', '$2');
    return (await this.db.query(
      `SELECT w.model_id AS "modelId", w.repo_id AS "repoId", w.revision, w.sha, w.license, w.gated IS NOT NULL AS gated, w.state,
              w.proposed_version_id AS "proposedVersionId", w.checked_at AS "checkedAt", w.changed_at AS "changedAt", w.license_changed_at AS "licenseChangedAt"
         FROM upstream_watches w JOIN models m ON m.id = w.model_id
        WHERE w.model_id = ANY($1::uuid[])${visible ? ` AND ${visible}` : ''}`,
      visible ? [[...modelIds], readableParam(caller)] : [[...modelIds]],
    )) as UpstreamWatchRecord[];
  }
}

/** The usage as JSON (the user count is a bigint). */
function usageView(usage: LicenseUsage): Record<string, unknown> {
  return { ...usage, monthlyActiveUsers: usage.monthlyActiveUsers.toString() };
}
