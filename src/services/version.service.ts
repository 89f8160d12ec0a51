import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { optionalText, uuid } from '../domain/common/field-rules';
import type { ModelRecord, VersionRecord } from '../domain/catalog/catalog-records';
import { compareSemVer, formatSemVer, parseSemVer, type SemVer } from '../domain/versioning/semver';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { projectOf } from '../domain/governance/project';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import { eventOfNamedAudit } from './events/catalogue-events';
import { eventInto } from './events/outbox';
import { FoldedWrite } from './folded-write';
import { lockModelFor } from './model-lock';
import { readableOnly } from './model-query.service';
import { transitionInto } from './model-transition';
import { PlainRows } from '../persistence/plain-rows';
import { relationRowsOfModels } from './plain-relation-reads';
import { isUniqueViolation } from './pg-errors';
import type { ProjectAccessService } from './project-access.service';

export interface CreateVersionCommand {
  modelId: string;
  version: string;
  storagePath?: string | null;
  changelog?: string | null;
  parentVersionId?: string | null;
  /**
   * Make it the model's default once it is usable. A new version is a DRAFT, and a default is never one: the
   * wish is recorded and applied when the version is VERIFIED (by the system, audited as `default.changed`).
   */
  makeDefault?: boolean | null;
}

const VERSION_CONSTRAINT = 'model_versions_model_version_key';

/**
 * Versions of catalog entries. Reads are narrowed in SQL to the caller's readable projects (another project's
 * version is NOT_FOUND, like an unknown id); creating one needs the editor role in the model's project, checked
 * inside the transaction that writes it. The default version moves through AliasService (`default` is an alias).
 */
export class VersionService {
  private readonly rows: PlainRows<VersionEntity>;

  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
  ) {
    this.rows = new PlainRows(db, VersionEntity);
  }

  async get(caller: Caller, id: string): Promise<VersionRecord> {
    const found = await this.scoped(caller).andWhere('v.id = :id', { id: uuid('id', id) }).getOne();
    if (!found) throw new NotFoundError('Version', id);
    return found;
  }

  /** The readable ones among `ids` (DataLoader batches); the others are simply absent. */
  async byIds(caller: Caller, ids: readonly string[]): Promise<VersionRecord[]> {
    if (ids.length === 0) return [];
    return this.scoped(caller).andWhere('v.id IN (:...ids)', { ids: [...ids] }).getMany();
  }

  /** Versions of each readable model, newest first by semver precedence (2.0.0-beta.10 above 2.0.0-beta.2). */
  async forModels(caller: Caller, modelIds: readonly string[]): Promise<VersionRecord[]> {
    const rows = await relationRowsOfModels(this.db, caller, this.rows, { table: 'model_versions', alias: 'v' }, modelIds);
    return rows.sort((a, b) => compareSemVer(b, a));
  }

  async filesFor(caller: Caller, versionIds: readonly string[]): Promise<(ManifestEntry & { versionId: string })[]> {
    if (versionIds.length === 0) return [];
    const q = this.db
      .getRepository(VersionFileEntity)
      .createQueryBuilder('f')
      .innerJoin(VersionEntity, 'v', 'v.id = f.version_id')
      .innerJoin(ModelEntity, 'm', 'm.id = v.model_id')
      .where('f.version_id IN (:...ids)', { ids: [...versionIds] });
    return readableOnly(caller, q).orderBy('f.path', 'ASC').getMany();
  }

  async create(caller: Caller, command: CreateVersionCommand): Promise<VersionRecord> {
    const semver = parseSemVer(command.version);
    const version = formatSemVer(semver);
    const storagePath = optionalText('storagePath', command.storagePath, 1024);
    const changelog = optionalText('changelog', command.changelog, 20_000);
    const modelId = uuid('modelId', command.modelId);
    const parentId = command.parentVersionId ? uuid('parentVersionId', command.parentVersionId) : null;
    try {
      return await this.db.transaction(async (tx) => {
        // Locking the model serialises version creation and default changes per model; its project is checked
        // as it is under that lock.
        const model = await lockModelFor(tx, caller, modelId, Role.EDITOR, 'Creating a version');
        if (parentId) await requireVersionOf(tx, this.access, caller, model, parentId, 'parentVersionId');
        return insertDraftVersion(tx, caller, model, { semver, storagePath, changelog, parentVersionId: parentId, makeDefault: command.makeDefault ?? false });
      });
    } catch (error) {
      if (isUniqueViolation(error, VERSION_CONSTRAINT)) {
        throw new ConflictError(`Version ${version} already exists for this model`, { field: 'version' });
      }
      throw error;
    }
  }

  /** Versions of the projects the caller reads (and public ones): every read starts here. */
  private scoped(caller: Caller): SelectQueryBuilder<VersionEntity> {
    const q = this.db.getRepository(VersionEntity).createQueryBuilder('v').innerJoin(ModelEntity, 'm', 'm.id = v.model_id');
    return readableOnly(caller, q);
  }
}

export interface DraftVersionRow {
  semver: SemVer;
  storagePath: string | null;
  changelog: string | null;
  parentVersionId: string | null;
  makeDefault: boolean;
}

/**
 * Writes a new DRAFT version of a model the caller has locked and is an editor of (checked by the caller, in the
 * same transaction): the row, its first transition, their audit entry and `version.created` event, the default
 * wish and the model's summarised status, all in one statement. The unique (model, version) constraint still
 * refuses a number taken. The answer is built from what the statement returned, never read back.
 */
export async function insertDraftVersion(tx: EntityManager, caller: Caller, model: ModelEntity, row: DraftVersionRow): Promise<VersionEntity> {
  const version = tx.getRepository(VersionEntity).create({
    id: randomUUID(),
    modelId: model.id,
    version: formatSemVer(row.semver),
    major: row.semver.major,
    minor: row.semver.minor,
    patch: row.semver.patch,
    prerelease: row.semver.prerelease,
    storagePath: row.storagePath,
    changelog: row.changelog,
    parentVersionId: row.parentVersionId,
    status: LifecycleStage.DRAFT,
    filesComplete: false,
    createdBy: caller.subject,
  });
  const project = projectOf(model);
  // The clock, not the transaction's start: taken under the model's lock, it makes the new version the newest
  // (what the summary below relies on) even when this transaction waited for the lock behind another version.
  const w = new FoldedWrite().insertEntity(tx, 'version', VersionEntity, version, ['created_at', 'files_complete', 'metadata_mismatches'], { created_at: 'clock_timestamp()' });
  const audit = transitionInto(w, { modelId: model.id, versionId: version.id, from: null, to: LifecycleStage.DRAFT, reason: 'registered', actor: caller.subject }, project);
  const event = eventOfNamedAudit(audit, { project, model_id: model.id, model_name: model.name, version_id: version.id, version: version.version });
  if (event) eventInto(w, event);
  summaryAndWishInto(w, model, version.id, row.makeDefault);
  const answer = await w.run(tx);
  version.createdAt = answer['version.created_at'] as Date;
  version.filesComplete = answer['version.files_complete'] as boolean;
  version.metadataMismatches = answer['version.metadata_mismatches'] as VersionEntity['metadataMismatches'];
  Object.assign(version, { sourceRevision: null, statusReason: null, source: null, declaredMetadata: null, verifiedMetadata: null, signingPublicKey: null });
  if (answer['summary.status'] !== null) model.status = answer['summary.status'] as LifecycleStage;
  if (row.makeDefault) model.pendingDefaultVersionId = version.id;
  return version;
}

/**
 * The model's summarised status with a new DRAFT version that is its newest (summarizeModel): PUBLISHED while a
 * version is, else DRAFT. Read in the statement, after the model's lock was taken, so it sees every version
 * committed before; the new one is a DRAFT and changes nothing the EXISTS looks for. The row is updated only when
 * the status changes or the version is wished to become the default (wishDefault).
 */
function summaryAndWishInto(w: FoldedWrite, model: ModelEntity, versionId: string, makeDefault: boolean): void {
  const id = w.param(model.id, 'uuid');
  const summary = `CASE WHEN EXISTS (SELECT 1 FROM model_versions WHERE model_id = ${id} AND status = '${LifecycleStage.PUBLISHED}') THEN '${LifecycleStage.PUBLISHED}' ELSE '${LifecycleStage.DRAFT}' END`;
  const wish = makeDefault ? w.param(versionId, 'uuid') : 'm.pending_default_version_id';
  w.sql(
    'summary',
    `UPDATE models m SET
       status = s.status, pending_default_version_id = ${wish},
       updated_at = CASE WHEN m.status IS DISTINCT FROM s.status THEN now() ELSE m.updated_at END
     FROM (SELECT ${summary} AS status) s
     WHERE m.id = ${id} AND (m.status IS DISTINCT FROM s.status OR ${makeDefault ? 'true' : 'false'})
     RETURNING m.status`,
    ['status'],
    true,
  );
}

/**
 * A version of this (locked) model. One of another model the caller may read is refused on `field`; one the
 * caller may not read is NOT_FOUND, like an id that does not exist (its number is never named).
 */
export async function requireVersionOf(
  tx: EntityManager,
  access: ProjectAccessService,
  caller: Caller,
  model: ModelRecord,
  versionId: string,
  field: string,
): Promise<VersionEntity> {
  const version = await tx.getRepository(VersionEntity).findOneBy({ id: versionId });
  if (!version) throw new NotFoundError('Version', versionId);
  if (version.modelId !== model.id) {
    await access.target(caller, 'Version', versionId, tx);
    throw new ValidationError(field, `version ${version.version} belongs to another model, not "${model.name}"`);
  }
  return version;
}
