import type { EntityManager } from 'typeorm';
import type { VerifiedMetadata } from '../domain/artifacts/verified-metadata';
import { systemCaller } from '../domain/auth/caller';
import { fieldChanges } from '../domain/governance/field-changes';
import { restrictionsFromLicense } from '../domain/licensing/license-policy';
import { LicenseEntity } from '../persistence/entities/license.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { recordAudit } from './audit.service';

const CARD = systemCaller('licence from the model card');

/**
 * A licence the verified model card names becomes the model's licence when the model has none (audited, by the
 * system, naming the version whose card it came from). A model that declares one keeps it: a different card
 * licence is a mismatch of the version (findMismatches), never a silent overwrite. A card licence the catalog
 * does not know is left for a person to map. Returns whether the model changed.
 */
export async function adoptCardLicense(tx: EntityManager, model: ModelEntity, versionId: string, verified: VerifiedMetadata): Promise<boolean> {
  if (model.licenseId || !verified.license) return false;
  const license = await tx.getRepository(LicenseEntity).createQueryBuilder('l').where('lower(l.id) = lower(:id)', { id: verified.license }).getOne();
  if (!license) return false;
  const before = { licenseId: model.licenseId, licenseRestrictions: model.licenseRestrictions };
  const after = { licenseId: license.id, licenseRestrictions: restrictionsFromLicense(license) };
  Object.assign(model, after);
  await tx.getRepository(ModelEntity).update({ id: model.id }, after);
  await recordAudit(tx, {
    action: 'model.updated',
    actor: CARD.subject,
    modelId: model.id,
    versionId,
    reason: `the model card of this version names ${license.id}`,
    details: { changes: fieldChanges(before, after, ['licenseId', 'licenseRestrictions']), source: 'model card' },
  });
  return true;
}
