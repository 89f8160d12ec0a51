import type { DataSource, EntityManager } from 'typeorm';
import { In, Not } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { describeDeployments } from '../domain/deployments/deployment';
import { optionalText, uuid } from '../domain/common/field-rules';
import type { VersionRecord } from '../domain/catalog/catalog-records';
import { isUsable, requireHumanMove } from '../domain/lifecycle/lifecycle';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { compareSemVer } from '../domain/versioning/semver';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { AuditService } from './audit.service';
import { activeDeployments } from './deployment.service';
import { moveVersion } from './model-transition';
import type { PromotionService } from './promotion.service';
import { lockVersionAndModel, requireRoleOnLocked } from './promotion-records';

export interface ArchiveOptions {
  /** Archive a version that is on record as deployed (needs a reason). */
  force?: boolean;
}

/**
 * The moves people make on a version. Promotions (→ EVALUATED, → PUBLISHED) all go through PromotionService and
 * the project's policy: `transition` (transitionVersion) is a request applied at once, refused with the
 * approvals gate when the policy wants approvers. Archiving is an approver's decision. The moves the system
 * makes (into and out of INGESTING) are refused with the way they do happen.
 */
export class VersionLifecycleService {
  constructor(
    private readonly db: DataSource,
    private readonly promotions: PromotionService,
    private readonly audit: AuditService,
  ) {}

  async transition(caller: Caller, versionId: string, to: LifecycleStage, reason: string | null, options: ArchiveOptions = {}): Promise<VersionRecord> {
    const why = optionalText('reason', reason, 2000);
    const id = uuid('versionId', versionId);
    if (to === LifecycleStage.ARCHIVED) return this.archive(caller, id, why, options);
    if (options.force) throw new ValidationError('force', 'applies to archiving a deployed version only');
    await this.promotions.request(caller, { versionId: id, target: to, justification: why ?? `transitionVersion to ${to}` }, { immediateOnly: true });
    return this.db.getRepository(VersionEntity).findOneByOrFail({ id });
  }

  /**
   * Archived versions stay readable with their history; they are never promoted again nor made the default.
   * An approver of the project the model is in inside the transaction (locked first: a move cannot race it).
   * A version on record as deployed is refused unless `force` with a reason (audited with the deployments it had).
   */
  async archive(caller: Caller, versionId: string, reason: string | null, options: ArchiveOptions = {}): Promise<VersionRecord> {
    const id = uuid('versionId', versionId);
    const why = optionalText('reason', reason, 2000);
    if (options.force && !why) throw new ValidationError('reason', 'is required with force: say why a deployed version is archived anyway');
    return this.db.transaction(async (tx) => {
      const { model, version } = await lockVersionAndModel(tx, id, () => new NotFoundError('Version', versionId));
      await requireRoleOnLocked(tx, caller, model, 'Version', versionId, Role.APPROVER, 'Archiving a version');
      requireHumanMove(version.status, LifecycleStage.ARCHIVED);
      const deployed = await activeDeployments(tx, version.id);
      if (deployed.length > 0 && !options.force) {
        throw new ConflictError(
          `Version ${version.version} is deployed: ${describeDeployments(deployed)}. End those deployments first (endDeployment), ` +
            'or archive it anyway with force: true and a reason (audited)',
          { deployments: deployed.map((d) => d.id), rule: 'deployed' },
        );
      }
      const from = version.status;
      await moveVersion(tx, model, version, LifecycleStage.ARCHIVED, why, caller.subject);
      await this.promotions.closeOpenFor(tx, caller, version.id);
      const defaultBefore = model.defaultVersionId;
      if (model.defaultVersionId === version.id) await this.repointDefault(tx, model, version);
      const actor = { actor: caller.subject, requestId: caller.requestId, modelId: model.id };
      const forced = deployed.length > 0 ? { forced: true, deployments: deployed.map((d) => ({ id: d.id, environment: d.environment, endpoint: d.endpoint })) } : {};
      await this.audit.record(tx, { ...actor, action: 'version.archived', versionId: version.id, reason: why, details: { from, ...forced } });
      if (defaultBefore !== model.defaultVersionId) {
        await this.audit.record(tx, { ...actor, action: 'default.changed', reason: 'the default version was archived', details: { before: defaultBefore, after: model.defaultVersionId } });
      }
      return version;
    });
  }

  /** An archived version is never the default: the newest usable other version takes its place, or none. */
  private async repointDefault(tx: EntityManager, model: ModelEntity, archived: VersionEntity): Promise<void> {
    const candidates = await tx.getRepository(VersionEntity).findBy({ modelId: model.id, id: Not(archived.id), status: In(USABLE_STAGES) });
    const next = candidates.filter((v) => isUsable(v.status)).sort((a, b) => compareSemVer(b, a))[0] ?? null;
    model.defaultVersionId = next?.id ?? null;
    await tx.getRepository(ModelEntity).update({ id: model.id }, { defaultVersionId: model.defaultVersionId });
  }
}

const USABLE_STAGES = [LifecycleStage.VERIFIED, LifecycleStage.EVALUATED, LifecycleStage.PUBLISHED];
