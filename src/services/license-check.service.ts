import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { type Principal, Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { requireRoleIn } from '../domain/governance/access';
import type { ActorRef } from '../domain/governance/audit-entry';
import {
  checkLicense,
  type LicenseFacts,
  LicenseOutcome,
  type LicenseUsage,
  type LicenseVerdict,
  licenseText,
  usageText,
  validateUsage,
} from '../domain/governance/license-check';
import { projectOf } from '../domain/governance/project';
import { LicenseAcknowledgmentEntity } from '../persistence/entities/license-acknowledgment.entity';
import { LicenseEntity } from '../persistence/entities/license.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { AuditService } from './audit.service';
import type { ProjectAccessService } from './project-access.service';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface LicenseCheckResult extends LicenseVerdict {
  versionId: string;
  usage: LicenseUsage;
  /** sha256 of the license text an acknowledgment binds to; null without a license. */
  textHash: string | null;
  /** An acknowledgment of this text for this usage exists. */
  acknowledged: boolean;
}

export interface AcknowledgmentRecord {
  id: string;
  versionId: string;
  licenseId: string;
  textHash: string;
  usage: LicenseUsage;
  acknowledgedBy: string;
  acknowledgedAt: Date;
}

/** License checks for a usage, and acknowledgments of the terms a check warns about. */
export class LicenseCheckService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly access: ProjectAccessService,
  ) {}

  /** The check inside a caller's transaction (promotion evidence reads it here). */
  async evaluate(manager: EntityManager, model: ModelEntity, versionId: string, usage: LicenseUsage): Promise<LicenseCheckResult> {
    const license = model.licenseId ? await manager.getRepository(LicenseEntity).findOneBy({ id: model.licenseId }) : null;
    const facts: LicenseFacts | null = license;
    const verdict = checkLicense(facts, model.licenseRestrictions, usage);
    const textHash = facts ? sha256(licenseText(facts, model.licenseRestrictions)) : null;
    const acknowledged =
      textHash !== null &&
      (await manager.getRepository(LicenseAcknowledgmentEntity).existsBy({ versionId, textHash, usageHash: sha256(usageText(usage)) }));
    return { ...verdict, versionId, usage, textHash, acknowledged };
  }

  /** `checkLicense` and `Version.licenseCheck`: a BLOCKED verdict is audited (who asked to use what, refused). */
  async check(principal: Principal, modelId: string | null, versionId: string, usage: LicenseUsage, actor: ActorRef): Promise<LicenseCheckResult> {
    const { model, version } = await this.load(this.db.manager, modelId, versionId);
    await this.access.readableModel(principal, model);
    const result = await this.evaluate(this.db.manager, model, version.id, validateUsage(usage));
    if (result.outcome === LicenseOutcome.BLOCKED) {
      await this.audit.recordAlone({
        action: 'license.blocked',
        actor: actor.subject,
        requestId: actor.requestId,
        modelId: model.id,
        versionId: version.id,
        reason: result.reasons.filter((r) => r.severity === 'BLOCK').map((r) => r.message).join('; '),
        details: { licenseId: result.licenseId, usage: usageView(usage), reasons: result.reasons.map((r) => r.code) },
      });
    }
    return result;
  }

  /** Records that the caller read and accepts the current terms for this usage; a changed text needs a new one. */
  async acknowledge(principal: Principal, versionId: string, usage: LicenseUsage, actor: ActorRef): Promise<AcknowledgmentRecord> {
    return this.db.transaction(async (tx) => {
      const { model, version } = await this.load(tx, null, versionId);
      requireRoleIn(principal, projectOf(model), Role.EDITOR, 'Acknowledging a license');
      const result = await this.evaluate(tx, model, version.id, validateUsage(usage));
      if (!result.textHash || !result.licenseId) throw new ConflictError('The model declares no license; there are no terms to acknowledge', { gate: 'license-allowed' });
      if (result.outcome === LicenseOutcome.BLOCKED) throw new ConflictError(`The license BLOCKS this usage; an acknowledgment cannot allow it: ${result.reasons.filter((r) => r.severity === 'BLOCK').map((r) => r.message).join('; ')}`);
      const repo = tx.getRepository(LicenseAcknowledgmentEntity);
      const key = { versionId: version.id, textHash: result.textHash, usageHash: sha256(usageText(usage)), acknowledgedBy: actor.subject };
      await repo.createQueryBuilder().insert().values({ ...key, modelId: model.id, licenseId: result.licenseId, usage: usageView(usage) }).orIgnore().execute();
      const row = await repo.findOneByOrFail(key);
      await this.audit.record(tx, {
        action: 'license.acknowledged',
        actor: actor.subject,
        requestId: actor.requestId,
        modelId: model.id,
        versionId: version.id,
        subjectId: row.id,
        details: { licenseId: result.licenseId, textHash: result.textHash, usage: usageView(usage), outcome: result.outcome },
      });
      return toAcknowledgment(row);
    });
  }

  async acknowledgmentsFor(versionIds: readonly string[]): Promise<AcknowledgmentRecord[]> {
    const rows = await this.db.getRepository(LicenseAcknowledgmentEntity).find({ where: versionIds.map((versionId) => ({ versionId })), order: { acknowledgedAt: 'DESC' } });
    return rows.map(toAcknowledgment);
  }

  private async load(manager: EntityManager, modelId: string | null, versionId: string): Promise<{ model: ModelEntity; version: VersionEntity }> {
    const version = await manager.getRepository(VersionEntity).findOneBy({ id: uuid('versionId', versionId) });
    if (!version || (modelId !== null && version.modelId !== uuid('modelId', modelId))) throw new NotFoundError('Version', versionId);
    const model = await manager.getRepository(ModelEntity).findOneByOrFail({ id: version.modelId });
    return { model, version };
  }
}

function usageView(usage: LicenseUsage) {
  return { ...usage, monthlyActiveUsers: usage.monthlyActiveUsers.toString() };
}

function toAcknowledgment(row: LicenseAcknowledgmentEntity): AcknowledgmentRecord {
  return {
    id: row.id,
    versionId: row.versionId,
    licenseId: row.licenseId,
    textHash: row.textHash,
    usage: { ...row.usage, monthlyActiveUsers: BigInt(row.usage.monthlyActiveUsers) },
    acknowledgedBy: row.acknowledgedBy,
    acknowledgedAt: row.acknowledgedAt,
  };
}
