import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { VersionRecord } from '../domain/catalog/catalog-records';
import { DECLARED_FIELDS, type DeclaredMetadataPatch, mergeDeclared, NO_DECLARATIONS, requireDeclarationsEditable } from '../domain/catalog/declared-metadata';
import { fieldChanges } from '../domain/governance/field-changes';
import { LifecycleTransitionEntity } from '../persistence/entities/lifecycle-transition.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { recordAudit } from './audit.service';
import type { LicenseService } from './license.service';
import type { ProjectAccessService } from './project-access.service';
import { lockVersionAndModel } from './promotion-records';

/**
 * Corrects what a version declares (architecture, parameter count, context length, license): the values its
 * import is checked against, frozen from the model when the version was registered. Only while the version has
 * never been VERIFIED; a retryOperation afterwards checks the files against the new values. Editor role in the
 * model's project as it is inside the transaction; another project's version is NOT_FOUND like an unknown id.
 */
export class VersionDeclarationsService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
    private readonly licenses: LicenseService,
  ) {}

  async update(caller: Caller, versionId: string, patch: DeclaredMetadataPatch): Promise<VersionRecord> {
    const id = uuid('id', versionId);
    return this.db.transaction(async (tx) => {
      const { version } = await lockVersionAndModel(tx, id, () => new NotFoundError('Version', versionId));
      await this.access.authorize(caller, 'Version', id, Role.EDITOR, 'Changing the declarations of a version', tx);
      const reached = await tx.getRepository(LifecycleTransitionEntity).find({ where: { versionId: id }, select: { toStatus: true } });
      requireDeclarationsEditable(version.version, version.status, reached.map((r) => r.toStatus));
      const license = patch.license ? (await this.licenses.requireForInput(tx, patch.license)).id : patch.license;
      const before = version.declaredMetadata ?? NO_DECLARATIONS;
      const after = mergeDeclared(before, { ...patch, license });
      const changes = fieldChanges(before, after, DECLARED_FIELDS);
      if (changes.length === 0) return version;
      version.declaredMetadata = after;
      await tx.getRepository(VersionEntity).update({ id }, { declaredMetadata: after });
      await recordAudit(tx, { action: 'version.updated', actor: caller.subject, requestId: caller.requestId, modelId: version.modelId, versionId: id, details: { changes } });
      return version;
    });
  }
}
