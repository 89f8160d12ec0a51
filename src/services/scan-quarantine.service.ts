import type { DataSource, EntityManager } from 'typeorm';
import { type Caller, actorOf } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError, PolicyViolationError } from '../domain/common/domain-error';
import { optionalText, uuid } from '../domain/common/field-rules';
import type { VersionRecord } from '../domain/catalog/catalog-records';
import type { OutOfServiceReason } from '../domain/files/out-of-service';
import { isUsable } from '../domain/lifecycle/lifecycle';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { ScanStatus } from '../domain/scanning/scan-enums';
import { describeFindings } from '../domain/scanning/scan-verdict';
import type { ModelEntity } from '../persistence/entities/model.entity';
import type { ScanResultEntity } from '../persistence/entities/scan-result.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { projectOf } from '../domain/governance/project';
import { recordAudit } from './audit.service';
import { activeDeployments } from './deployment.service';
import { recordEvent } from './events/outbox';
import { lockModel } from './model-lock';
import { lockVersion, moveVersion } from './model-transition';
import type { ProjectAccessService } from './project-access.service';

/** What a failed rescan found, as the version's status reason, the transition and the audit row say it. */
const REASON_MAX = 2000;
/** Event payloads are bounded: the count says when there were more. */
const MAX_LISTED_DEPLOYMENTS = 20;

export interface FailedRescan {
  model: ModelEntity;
  version: VersionEntity;
  scan: ScanResultEntity;
  operationId: string;
  /** Who asked for the rescan (its operation's createdBy): never the one who reinstates the version. */
  rescanBy: string;
}

interface OpenQuarantine {
  id: string;
  scan_result_id: string;
  from_status: LifecycleStage;
  quarantined_at: Date;
}

interface CleanScan {
  id: string;
  status: ScanStatus;
  started_at: Date;
  created_by: string | null;
}

/**
 * A version out of service because a rescan FAILED. Taking it out is never refused (aliases, the default and
 * open promotion requests notwithstanding: the requests are withdrawn, the rest keeps pointing at it and answers
 * 451); it keeps its aliases. It comes back only through `reinstate`: a later clean rescan, then an approver other
 * than whoever asked for that rescan, and to the stage it held.
 */
export class ScanQuarantineService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
  ) {}

  /**
   * Inside the transaction settling the rescan (model, operation and version locked). A version that is not
   * usable (already out of service, a draft, archived) has nothing to take out; returns what happened, or null.
   */
  async takeOutOfService(tx: EntityManager, caller: Caller, failed: FailedRescan): Promise<string | null> {
    const { model, version, scan } = failed;
    if (!isUsable(version.status)) return null;
    const from = version.status;
    const counts = `${scan.criticalCount} critical, ${scan.highCount} high, ${scan.mediumCount} medium, ${scan.lowCount} low`;
    const reason = `security rescan ${scan.id} FAILED (${counts}): ${describeFindings(scan.findings)}`.slice(0, REASON_MAX);
    await moveVersion(tx, model, version, LifecycleStage.NEEDS_ATTENTION, reason, caller.subject, { statusReason: reason });
    await tx.query(
      `INSERT INTO version_quarantines (model_id, version_id, scan_result_id, from_status, reason, rescan_by) VALUES ($1, $2, $3, $4, $5, $6)`,
      [model.id, version.id, scan.id, from, reason, failed.rescanBy.slice(0, 256)],
    );
    const withdrawn = await this.withdrawOpenRequests(tx, caller, version.id, `the version was taken out of service: security rescan ${scan.id} FAILED`);
    await recordAudit(tx, {
      action: 'version.quarantined',
      ...actorFields(caller),
      modelId: model.id,
      versionId: version.id,
      subjectId: scan.id,
      reason,
      details: { from, to: LifecycleStage.NEEDS_ATTENTION, scanId: scan.id, operationId: failed.operationId, rescanBy: failed.rescanBy, withdrawnRequests: withdrawn },
    });
    // Never refused, whatever runs it: the event names every deployment still serving it, for their owners to act.
    const deployed = await activeDeployments(tx, version.id);
    await recordEvent(tx, {
      type: 'version.out_of_service',
      project: projectOf(model),
      data: {
        modelId: model.id, modelName: model.name, versionId: version.id, version: version.version, status: LifecycleStage.NEEDS_ATTENTION, from, scanId: scan.id, reason,
        findings: { critical: scan.criticalCount, high: scan.highCount, medium: scan.mediumCount, low: scan.lowCount },
        deploymentIds: deployed.slice(0, MAX_LISTED_DEPLOYMENTS).map((d) => d.id),
        deployments: deployed.slice(0, MAX_LISTED_DEPLOYMENTS).map((d) => ({ deploymentId: d.id, environment: d.environment, endpoint: d.endpoint, deployedAt: d.deployedAt.toISOString() })),
        deploymentCount: deployed.length,
      },
    });
    return `version ${version.version} taken out of service (was ${from}); a clean rescan and an approver other than whoever asks for it bring it back (reinstateVersion)`;
  }

  /** The version back in the stage it held, after a clean rescan, by an approver other than who asked for that rescan. */
  async reinstate(caller: Caller, versionId: string, reason: string | null): Promise<VersionRecord> {
    const id = uuid('versionId', versionId);
    const why = optionalText('reason', reason, REASON_MAX);
    return this.db.transaction(async (tx) => {
      const found = await tx.getRepository(VersionEntity).findOne({ where: { id }, select: { id: true, modelId: true } });
      if (!found) throw new NotFoundError('Version', versionId);
      const model = await lockModel(tx, found.modelId);
      // After the model's lock: the project checked is the one the version has now.
      await this.access.authorize(caller, 'Version', versionId, Role.APPROVER, 'Reinstating a version', tx);
      const version = (await lockVersion(tx, id)) as VersionEntity;
      const open = await openQuarantine(tx, id);
      if (!open || version.status !== LifecycleStage.NEEDS_ATTENTION) {
        throw new ConflictError(`Version ${version.version} is ${version.status}, not out of service after a failed rescan`, { status: version.status });
      }
      const clean = await requireCleanRescan(tx, version, open, caller);
      await moveVersion(tx, model, version, open.from_status, `reinstated after clean rescan ${clean.id} (out of service since rescan ${open.scan_result_id})${why ? `: ${why}` : ''}`, caller.subject, { statusReason: null });
      await tx.query(`UPDATE version_quarantines SET reinstated_at = now(), reinstated_by = $2, clean_scan_id = $3 WHERE id = $1`, [open.id, caller.subject, clean.id]);
      await recordAudit(tx, {
        action: 'version.reinstated',
        ...actorFields(caller),
        modelId: model.id,
        versionId: version.id,
        subjectId: clean.id,
        reason: why,
        details: { from: LifecycleStage.NEEDS_ATTENTION, to: open.from_status, failedScanId: open.scan_result_id, cleanScanId: clean.id, rescanBy: clean.created_by },
      });
      return version;
    });
  }

  /**
   * Whether a version may not be served, whoever asks: out of service since a failed rescan (until reinstated, even
   * while a new rescan runs), or never in service because its import's scan FAILED. A rescan that could not finish
   * (cancelled, its worker lost) records a FAILED scan but is no verdict: a usable version stays served (and
   * unpromotable until rescanned). Asked after the caller's read was checked.
   */
  async outOfService(versionId: string): Promise<OutOfServiceReason | null> {
    const rows = (await this.db.query(
      `SELECT scan_result_id AS "scanId", reason FROM version_quarantines WHERE version_id = $1 AND reinstated_at IS NULL
       UNION ALL
       SELECT s.id, 'security scan ' || s.id || ' FAILED: ' || s.critical_count || ' critical, ' || s.high_count || ' high, ' || s.medium_count || ' medium, ' || s.low_count || ' low findings'
         FROM model_versions v
         JOIN LATERAL (SELECT id, status, critical_count, high_count, medium_count, low_count FROM scan_results
                        WHERE version_id = v.id AND status <> $2 ORDER BY started_at DESC, id DESC LIMIT 1) s ON true
        WHERE v.id = $1 AND v.status = $3 AND s.status = $4
       LIMIT 1`,
      [uuid('versionId', versionId), ScanStatus.SCANNING, LifecycleStage.NEEDS_ATTENTION, ScanStatus.FAILED],
    )) as OutOfServiceReason[];
    const row = rows[0];
    return row ? { scanId: row.scanId, reason: row.reason.slice(0, 500) } : null;
  }

  /** Open promotion requests of the version end, each with its own audit row. */
  private async withdrawOpenRequests(tx: EntityManager, caller: Caller, versionId: string, reason: string): Promise<string[]> {
    const rows = returned<{ id: string; model_id: string; project: string }>(
      await tx.query(
        `UPDATE promotion_requests SET state = 'WITHDRAWN', decided_by = $2, decision_reason = $3, decided_at = now()
          WHERE version_id = $1 AND state = 'OPEN' RETURNING id, model_id, project`,
        [versionId, caller.subject, reason],
      ),
    );
    for (const request of rows) {
      await recordAudit(tx, { action: 'promotion.withdrawn', ...actorFields(caller), modelId: request.model_id, versionId, project: request.project, subjectId: request.id, reason, details: {} });
    }
    return rows.map((r) => r.id);
  }
}

/** The rows of an UPDATE … RETURNING: TypeORM's Postgres driver answers `[rows, affected]` for UPDATE. */
function returned<T>(raw: unknown): T[] {
  const result = raw as unknown[];
  return (Array.isArray(result[0]) ? result[0] : result) as T[];
}

function actorFields(caller: Caller): { actor: string; requestId: string | null } {
  const { subject, requestId } = actorOf(caller);
  return { actor: subject, requestId };
}

async function openQuarantine(tx: EntityManager, versionId: string): Promise<OpenQuarantine | null> {
  const rows = (await tx.query(
    `SELECT id, scan_result_id, from_status, quarantined_at FROM version_quarantines WHERE version_id = $1 AND reinstated_at IS NULL FOR UPDATE`,
    [versionId],
  )) as OpenQuarantine[];
  return rows[0] ?? null;
}

/**
 * The version's latest scan must be a rescan that PASSED, started after it was taken out of service (SKIPPED does
 * not clear a ClamAV finding: clamd did not run), and asked for by someone other than the caller: four eyes.
 */
async function requireCleanRescan(tx: EntityManager, version: VersionEntity, open: OpenQuarantine, caller: Caller): Promise<CleanScan> {
  const rows = (await tx.query(
    `SELECT s.id, s.status, s.started_at, o.created_by FROM scan_results s LEFT JOIN operations o ON o.id = s.operation_id
      WHERE s.version_id = $1 ORDER BY s.started_at DESC, s.id DESC LIMIT 1`,
    [version.id],
  )) as CleanScan[];
  const clean = rows[0];
  if (!clean || clean.id === open.scan_result_id || clean.status !== ScanStatus.PASSED || clean.started_at <= open.quarantined_at) {
    throw new PolicyViolationError(`Version ${version.version} needs a clean rescan first: its latest scan ${clean?.id ?? ''} is ${clean?.status ?? 'missing'}; run scanVersion`, {
      rule: 'clean-rescan',
      scanId: clean?.id ?? null,
    });
  }
  if (clean.created_by === caller.subject) {
    throw new PolicyViolationError('four eyes: whoever asked for the clean rescan cannot also reinstate the version; another approver must', { rule: 'four-eyes', scanId: clean.id });
  }
  return clean;
}
