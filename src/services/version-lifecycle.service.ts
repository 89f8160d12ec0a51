import type { DataSource, EntityManager } from 'typeorm';
import { In, Not } from 'typeorm';
import { type Principal, Role } from '../domain/auth/roles';
import { NotFoundError } from '../domain/common/domain-error';
import { optionalText, uuid } from '../domain/common/field-rules';
import type { VersionRecord } from '../domain/catalog/catalog-records';
import { requireRoleIn } from '../domain/governance/access';
import type { ActorRef } from '../domain/governance/audit-entry';
import { projectOf } from '../domain/governance/project';
import { isUsable, requireHumanMove } from '../domain/lifecycle/lifecycle';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { compareSemVer } from '../domain/versioning/semver';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { AuditService } from './audit.service';
import { lockModel } from './model-lock';
import { lockVersion, moveVersion } from './model-transition';
import type { PromotionService } from './promotion.service';

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

  async transition(principal: Principal, versionId: string, to: LifecycleStage, reason: string | null, actor: ActorRef): Promise<VersionRecord> {
    const why = optionalText('reason', reason, 2000);
    const id = uuid('versionId', versionId);
    if (to === LifecycleStage.ARCHIVED) return this.archive(principal, id, why, actor);
    await this.promotions.request(principal, { versionId: id, target: to, justification: why ?? `transitionVersion to ${to}` }, actor, { immediateOnly: true });
    return this.db.getRepository(VersionEntity).findOneByOrFail({ id });
  }

  /** Archived versions stay readable with their history; they are never promoted again nor made the default. */
  async archive(principal: Principal, versionId: string, reason: string | null, actor: ActorRef): Promise<VersionRecord> {
    const id = uuid('versionId', versionId);
    const why = optionalText('reason', reason, 2000);
    return this.db.transaction(async (tx) => {
      const found = await tx.getRepository(VersionEntity).findOne({ where: { id }, select: { id: true, modelId: true } });
      if (!found) throw new NotFoundError('Version', id);
      const model = await lockModel(tx, found.modelId);
      requireRoleIn(principal, projectOf(model), Role.APPROVER, 'Archiving a version');
      const version = (await lockVersion(tx, id)) as VersionEntity;
      requireHumanMove(version.status, LifecycleStage.ARCHIVED);
      const from = version.status;
      await moveVersion(tx, model, version, LifecycleStage.ARCHIVED, why, actor.subject);
      await this.promotions.closeOpenFor(tx, version.id, actor);
      const defaultBefore = model.defaultVersionId;
      if (model.defaultVersionId === version.id) await this.repointDefault(tx, model, version);
      await this.audit.record(tx, { action: 'version.archived', actor: actor.subject, requestId: actor.requestId, modelId: model.id, versionId: version.id, reason: why, details: { from } });
      if (defaultBefore !== model.defaultVersionId) {
        await this.audit.record(tx, { action: 'default.changed', actor: actor.subject, requestId: actor.requestId, modelId: model.id, reason: 'the default version was archived', details: { before: defaultBefore, after: model.defaultVersionId } });
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
