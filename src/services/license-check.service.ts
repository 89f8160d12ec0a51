import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
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
import { licenseIdFromHubTag } from '../domain/licensing/hub-license';
import { type UpstreamLicense, withUpstreamLicense } from '../domain/licensing/upstream-license';
import { LicenseAcknowledgmentEntity } from '../persistence/entities/license-acknowledgment.entity';
import { LicenseEntity } from '../persistence/entities/license.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { AuditService } from './audit.service';
import { lockModel } from './model-lock';
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

  /**
   * The check inside a transaction that already authorized the caller on this model (promotion evidence reads
   * it there, with the model locked); it takes no caller because it is never an entry point.
   */
  async evaluate(manager: EntityManager, model: ModelEntity, versionId: string, usage: LicenseUsage): Promise<LicenseCheckResult> {
    const license = model.licenseId ? await manager.getRepository(LicenseEntity).findOneBy({ id: model.licenseId }) : null;
    const facts: LicenseFacts | null = license;
    const verdict = withUpstreamLicense(checkLicense(facts, model.licenseRestrictions, usage), model.licenseId, await this.upstreamLicense(manager, model.id), usage);
    const textHash = facts ? sha256(licenseText(facts, model.licenseRestrictions)) : null;
    const acknowledged =
      textHash !== null &&
      (await manager.getRepository(LicenseAcknowledgmentEntity).existsBy({ versionId, textHash, usageHash: sha256(usageText(usage)) }));
    return { ...verdict, versionId, usage, textHash, acknowledged };
  }

  /**
   * `checkLicense` and `Version.licenseCheck`: a BLOCKED verdict is audited (who asked to use what, refused).
   * NOT_FOUND for a version the caller cannot read, or not of `modelId`, like an unknown id.
   */
  async check(caller: Caller, modelId: string | null, versionId: string, usage: LicenseUsage): Promise<LicenseCheckResult> {
    const valid = validateUsage(usage);
    await this.access.target(caller, 'Version', uuid('versionId', versionId));
    const { model, version } = await this.load(this.db.manager, modelId, versionId);
    const result = await this.evaluate(this.db.manager, model, version.id, valid);
    if (result.outcome === LicenseOutcome.BLOCKED) {
      await this.audit.recordAlone({
        action: 'license.blocked',
        actor: caller.subject,
        requestId: caller.requestId,
        modelId: model.id,
        versionId: version.id,
        reason: result.reasons.filter((r) => r.severity === 'BLOCK').map((r) => r.message).join('; '),
        details: { licenseId: result.licenseId, usage: usageView(usage), reasons: result.reasons.map((r) => r.code) },
      });
    }
    return result;
  }

  /**
   * Records that the caller read and accepts the current terms for this usage; a changed text needs a new one.
   * An editor of the project the version's model is in inside the transaction (the model is locked: no move races it).
   */
  async acknowledge(caller: Caller, versionId: string, usage: LicenseUsage): Promise<AcknowledgmentRecord> {
    const valid = validateUsage(usage);
    const id = uuid('versionId', versionId);
    return this.db.transaction(async (tx) => {
      const found = await tx.getRepository(VersionEntity).findOne({ where: { id }, select: { id: true, modelId: true } });
      if (!found) throw new NotFoundError('Version', versionId);
      await lockModel(tx, found.modelId);
      await this.access.authorize(caller, 'Version', id, Role.EDITOR, 'Acknowledging a license', tx);
      const { model, version } = await this.load(tx, null, id);
      const result = await this.evaluate(tx, model, version.id, valid);
      if (!result.textHash || !result.licenseId) throw new ConflictError('The model declares no license; there are no terms to acknowledge: set one with updateModel(id, input: { license })', { gate: 'license-allowed' });
      if (result.outcome === LicenseOutcome.BLOCKED) throw new ConflictError(`The license BLOCKS this usage; an acknowledgment cannot allow it: ${result.reasons.filter((r) => r.severity === 'BLOCK').map((r) => r.message).join('; ')}`);
      const repo = tx.getRepository(LicenseAcknowledgmentEntity);
      const key = { versionId: version.id, textHash: result.textHash, usageHash: sha256(usageText(usage)), acknowledgedBy: caller.subject };
      await repo.createQueryBuilder().insert().values({ ...key, modelId: model.id, licenseId: result.licenseId, usage: usageView(usage) }).orIgnore().execute();
      const row = await repo.findOneByOrFail(key);
      await this.audit.record(tx, {
        action: 'license.acknowledged',
        actor: caller.subject,
        requestId: caller.requestId,
        modelId: model.id,
        versionId: version.id,
        subjectId: row.id,
        details: { licenseId: result.licenseId, textHash: result.textHash, usage: usageView(usage), outcome: result.outcome },
      });
      return toAcknowledgment(row);
    });
  }

  /** The card licence the upstream watch saw change since the import (null when it has not changed). */
  private async upstreamLicense(manager: EntityManager, modelId: string): Promise<UpstreamLicense | null> {
    const [row] = (await manager.query(`SELECT license FROM upstream_watches WHERE model_id = $1 AND license_changed_at IS NOT NULL AND license IS NOT NULL`, [modelId])) as { license: string }[];
    if (!row) return null;
    const facts = await manager.getRepository(LicenseEntity).createQueryBuilder('l').where('lower(l.id) = lower(:id)', { id: licenseIdFromHubTag(row.license) }).getOne();
    return { tag: row.license, facts };
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
