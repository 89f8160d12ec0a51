import type { EntityManager } from 'typeorm';
import { NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { VersionEntity } from '../persistence/entities/version.entity';

/** The version a measurement or scan is recorded against; its model id is denormalised onto the row. */
export async function requireVersion(tx: EntityManager, versionId: string): Promise<VersionEntity> {
  const version = await tx.getRepository(VersionEntity).findOneBy({ id: uuid('versionId', versionId) });
  if (!version) throw new NotFoundError('Version', versionId);
  return version;
}
