import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { ConflictError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { optionalText, uuid } from '../domain/common/field-rules';
import type { ModelRecord, VersionRecord } from '../domain/catalog/catalog-records';
import { compareSemVer, formatSemVer, parseSemVer } from '../domain/versioning/semver';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import { lockModel } from './model-lock';
import { recordTransition, refreshModelStatus } from './model-transition';
import { isUniqueViolation } from './pg-errors';

export interface CreateVersionCommand {
  modelId: string;
  version: string;
  storagePath?: string | null;
  changelog?: string | null;
  parentVersionId?: string | null;
  /** Make it the model's default; the first version of a model always becomes the default. */
  makeDefault?: boolean | null;
}

const VERSION_CONSTRAINT = 'model_versions_model_version_key';
// A default must be something consumers can use: never one being (re-)imported, failing, or archived.
const UNUSABLE_AS_DEFAULT = new Set([LifecycleStage.INGESTING, LifecycleStage.NEEDS_ATTENTION, LifecycleStage.ARCHIVED]);

export class VersionService {
  constructor(private readonly db: DataSource) {}

  async get(id: string): Promise<VersionRecord> {
    const found = await this.db.getRepository(VersionEntity).findOneBy({ id: uuid('id', id) });
    if (!found) throw new NotFoundError('Version', id);
    return found;
  }

  byIds(ids: readonly string[]): Promise<VersionRecord[]> {
    return this.db.getRepository(VersionEntity).findBy({ id: In([...ids]) });
  }

  /** Versions of each model, newest first by semver precedence (2.0.0-beta.10 above 2.0.0-beta.2). */
  async forModels(modelIds: readonly string[]): Promise<VersionRecord[]> {
    const rows = await this.db.getRepository(VersionEntity).findBy({ modelId: In([...modelIds]) });
    return rows.sort((a, b) => compareSemVer(b, a));
  }

  filesFor(versionIds: readonly string[]): Promise<(ManifestEntry & { versionId: string })[]> {
    return this.db.getRepository(VersionFileEntity).find({ where: { versionId: In([...versionIds]) }, order: { path: 'ASC' } });
  }

  async create(command: CreateVersionCommand, actor: string): Promise<VersionRecord> {
    const semver = parseSemVer(command.version);
    const version = formatSemVer(semver);
    const storagePath = optionalText('storagePath', command.storagePath, 1024);
    const changelog = optionalText('changelog', command.changelog, 20_000);
    const modelId = uuid('modelId', command.modelId);
    const parentId = command.parentVersionId ? uuid('parentVersionId', command.parentVersionId) : null;
    try {
      return await this.db.transaction(async (tx) => {
        // Locking the model serialises version creation and default changes per model.
        const model = await lockModel(tx, modelId);
        if (parentId) await this.requireVersionOf(tx, model, parentId, 'parentVersionId');
        const saved = await tx.getRepository(VersionEntity).save(
          tx.getRepository(VersionEntity).create({
            modelId,
            version,
            major: semver.major,
            minor: semver.minor,
            patch: semver.patch,
            prerelease: semver.prerelease,
            storagePath,
            changelog,
            parentVersionId: parentId,
            status: LifecycleStage.DRAFT,
            filesComplete: false,
            createdBy: actor,
          }),
        );
        await recordTransition(tx, { modelId, versionId: saved.id, from: null, to: LifecycleStage.DRAFT, reason: 'registered', actor });
        if (command.makeDefault || model.defaultVersionId === null) {
          await tx.getRepository(ModelEntity).update({ id: modelId }, { defaultVersionId: saved.id });
        }
        await refreshModelStatus(tx, model);
        return saved;
      });
    } catch (error) {
      if (isUniqueViolation(error, VERSION_CONSTRAINT)) {
        throw new ConflictError(`Version ${version} already exists for this model`, { field: 'version' });
      }
      throw error;
    }
  }

  async setDefault(modelId: string, versionId: string): Promise<ModelRecord> {
    return this.db.transaction(async (tx) => {
      const model = await lockModel(tx, uuid('modelId', modelId));
      const version = await this.requireVersionOf(tx, model, uuid('versionId', versionId), 'versionId');
      if (UNUSABLE_AS_DEFAULT.has(version.status)) {
        throw new ConflictError(`Version ${version.version} is ${version.status} and cannot be the default`, {
          status: version.status,
        });
      }
      model.defaultVersionId = version.id;
      return tx.getRepository(ModelEntity).save(model);
    });
  }

  private async requireVersionOf(tx: EntityManager, model: ModelRecord, versionId: string, field: string): Promise<VersionEntity> {
    const version = await tx.getRepository(VersionEntity).findOneBy({ id: versionId });
    if (!version) throw new NotFoundError('Version', versionId);
    if (version.modelId !== model.id) {
      throw new ValidationError(field, `version ${version.version} belongs to another model, not "${model.name}"`);
    }
    return version;
  }
}
