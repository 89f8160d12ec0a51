import type { DataSource, EntityManager } from 'typeorm';
import { In, Not } from 'typeorm';
import { ForbiddenError, NotFoundError, PolicyViolationError } from '../domain/common/domain-error';
import { optionalText, uuid } from '../domain/common/field-rules';
import type { VersionRecord } from '../domain/catalog/catalog-records';
import { isUsable, Mover, requireHumanMove } from '../domain/lifecycle/lifecycle';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { assertPublishable } from '../domain/licensing/license-policy';
import { compareSemVer } from '../domain/versioning/semver';
import { BenchmarkEntity } from '../persistence/entities/benchmark.entity';
import { EvaluationEntity } from '../persistence/entities/evaluation.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { lockModel } from './model-lock';
import { lockVersion, moveVersion } from './model-transition';

export interface Actor {
  subject: string;
  /** Holds the approver role (or above). */
  approver: boolean;
}

/**
 * The moves people make on a version: VERIFIED → EVALUATED once evidence exists, EVALUATED → PUBLISHED and any
 * stage → ARCHIVED as an approver. The moves the system makes (into and out of INGESTING) are refused here
 * with the way they do happen.
 */
export class VersionLifecycleService {
  constructor(private readonly db: DataSource) {}

  async transition(versionId: string, to: LifecycleStage, reason: string | null, actor: Actor): Promise<VersionRecord> {
    const why = optionalText('reason', reason, 2000);
    const id = uuid('versionId', versionId);
    return this.db.transaction(async (tx) => {
      const found = await tx.getRepository(VersionEntity).findOneBy({ id });
      if (!found) throw new NotFoundError('Version', id);
      const model = await lockModel(tx, found.modelId);
      const version = (await lockVersion(tx, id)) as VersionEntity;
      const mover = requireHumanMove(version.status, to);
      if (mover === Mover.APPROVER && !actor.approver) {
        throw new ForbiddenError(`Moving a version to ${to} needs the approver role`);
      }
      await this.checkGate(tx, model, version, to);
      await moveVersion(tx, model, version, to, why, actor.subject);
      if (to === LifecycleStage.ARCHIVED && model.defaultVersionId === version.id) await this.repointDefault(tx, model, version);
      return version;
    });
  }

  private async checkGate(tx: EntityManager, model: ModelEntity, version: VersionEntity, to: LifecycleStage): Promise<void> {
    if (to === LifecycleStage.EVALUATED) {
      const evidence =
        (await tx.getRepository(EvaluationEntity).countBy({ versionId: version.id })) + (await tx.getRepository(BenchmarkEntity).countBy({ versionId: version.id }));
      if (evidence === 0) {
        throw new PolicyViolationError(`Version ${version.version} has no evaluation or benchmark recorded; EVALUATED needs evidence`, {
          rule: 'evaluation-evidence',
        });
      }
    }
    if (to === LifecycleStage.PUBLISHED) assertPublishable(model.licenseId);
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
