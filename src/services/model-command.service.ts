import type { DataSource, EntityManager } from 'typeorm';
import { ConflictError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { ModelRecord } from '../domain/catalog/catalog-records';
import type { SourceType } from '../domain/catalog/catalog-enums';
import type { ModelFields, ModelFieldsInput } from '../domain/catalog/model-draft';
import { mergeModelUpdate, validateModelDraft, validateModelName } from '../domain/catalog/model-validation';
import { isDeletable } from '../domain/lifecycle/lifecycle';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { restrictionsFromLicense } from '../domain/licensing/license-policy';
import { ModelEntity } from '../persistence/entities/model.entity';
import type { LicenseService } from './license.service';
import { lockModel } from './model-lock';
import { recordTransition } from './model-transition';
import { OperationEntity } from '../persistence/entities/operation.entity';
import { In } from 'typeorm';
import { OperationStatus } from '../domain/onboarding/operation';
import { isUniqueViolation } from './pg-errors';
import { recordAudit } from './audit.service';
import type { ActorRef } from '../domain/governance/audit-entry';
import { fieldChanges } from '../domain/governance/field-changes';
import { projectOf } from '../domain/governance/project';

/** Fields whose changes the audit log records (before/after). */
const AUDITED: (keyof ModelEntity & string)[] = [
  'name', 'displayName', 'description', 'sourceType', 'sourceUri', 'architecture', 'parameterCount', 'contextLength', 'inputModalities', 'outputModalities',
  'endpoints', 'licenseId', 'licenseRestrictions', 'requirements', 'tags', 'tasks', 'owner', 'project', 'links',
];
const UNKNOWN_ACTOR: ActorRef = { subject: 'unknown', requestId: null };

export interface RegisterModelCommand extends ModelFieldsInput {
  name: string;
  sourceType: SourceType;
}

export interface UpdateModelCommand extends ModelFieldsInput {
  name?: string | null;
}

const NAME_CONSTRAINT = 'models_name_key';

/** Writes of catalog entries. Every method runs in one transaction: a failure stores nothing. */
export class ModelCommandService {
  constructor(
    private readonly db: DataSource,
    private readonly licenses: LicenseService,
  ) {}

  async register(command: RegisterModelCommand, actor: string): Promise<ModelRecord> {
    const draft = validateModelDraft(command);
    return this.guardName(draft.name, () => this.db.transaction((tx) => this.registerIn(tx, command, actor)));
  }

  /** Registration inside a caller's transaction (onboarding creates the model with its first version). */
  async registerIn(tx: EntityManager, command: RegisterModelCommand, actor: string): Promise<ModelEntity> {
    const draft = validateModelDraft(command);
    const fields = await this.resolveLicense(tx, draft, command.licenseRestrictions === undefined);
    const model = tx.getRepository(ModelEntity).create({
      ...fields,
      name: draft.name,
      status: LifecycleStage.DRAFT,
      defaultVersionId: null,
      createdBy: actor,
    });
    const saved = await tx.getRepository(ModelEntity).save(model);
    await recordTransition(tx, { modelId: saved.id, versionId: null, from: null, to: LifecycleStage.DRAFT, reason: 'registered', actor });
    return saved;
  }

  /** Maps the unique-name violation of any write to a CONFLICT naming the model. */
  async guardName<T>(name: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error, NAME_CONSTRAINT)) {
        throw new ConflictError(`A model named "${name}" already exists`, { field: 'name' });
      }
      throw error;
    }
  }

  async update(id: string, command: UpdateModelCommand, actor: ActorRef = UNKNOWN_ACTOR): Promise<ModelRecord> {
    const { name, ...patch } = command;
    const newName = name === undefined || name === null ? undefined : validateModelName(name);
    return this.guardName(newName ?? '', () =>
      this.db.transaction(async (tx) => {
        const model = await lockModel(tx, uuid('id', id));
        if (model.status === LifecycleStage.ARCHIVED) {
          throw new ConflictError(`Model "${model.name}" is archived and can no longer be changed`, { status: model.status });
        }
        const licenseChanged = patch.licenseId !== undefined && patch.licenseId !== model.licenseId;
        const merged = mergeModelUpdate(model, patch);
        const inheritRestrictions = licenseChanged && patch.licenseRestrictions === undefined;
        const fields = await this.resolveLicense(tx, merged, inheritRestrictions);
        const before = { ...model };
        Object.assign(model, fields, newName ? { name: newName } : {});
        const saved = await tx.getRepository(ModelEntity).save(model);
        const changes = fieldChanges(before, saved, AUDITED);
        if (changes.length) await recordAudit(tx, { action: 'model.updated', actor: actor.subject, requestId: actor.requestId, modelId: saved.id, details: { changes } });
        return saved;
      }),
    );
  }

  async delete(id: string, actor: ActorRef = UNKNOWN_ACTOR): Promise<ModelRecord> {
    return this.db.transaction(async (tx) => {
      const model = await lockModel(tx, uuid('id', id));
      if (!isDeletable(model.status)) {
        throw new ConflictError(
          `Model "${model.name}" has a PUBLISHED version and may be in use; archive its published versions (transitionVersion to ARCHIVED) before deleting`,
          { status: model.status },
        );
      }
      // Running workflows would write into rows that are gone; the caller cancels them first.
      const running = await tx.getRepository(OperationEntity).find({ where: { modelId: model.id, status: In([OperationStatus.PENDING, OperationStatus.RUNNING]) } });
      if (running.length > 0) {
        throw new ConflictError(
          `Model "${model.name}" has ${running.length} running operation(s) (${running.map((o) => `${o.kind} ${o.id}`).join(', ')}); cancel them before deleting`,
          { operations: running.map((o) => o.id) },
        );
      }
      const snapshot = { ...model };
      await tx.getRepository(ModelEntity).delete({ id: model.id });
      // The project is passed: the model row it would be read from is gone.
      await recordAudit(tx, { action: 'model.deleted', actor: actor.subject, requestId: actor.requestId, modelId: model.id, project: projectOf(model), details: { name: model.name, status: model.status } });
      return snapshot;
    });
  }

  /** Canonicalises the license id and, when asked, fills restrictions from the license's terms. */
  private async resolveLicense(tx: EntityManager, fields: ModelFields, inheritRestrictions: boolean): Promise<ModelFields> {
    if (!fields.licenseId) return fields;
    const license = await this.licenses.requireForInput(tx, fields.licenseId);
    const licenseRestrictions =
      inheritRestrictions || fields.licenseRestrictions === null ? restrictionsFromLicense(license) : fields.licenseRestrictions;
    return { ...fields, licenseId: license.id, licenseRestrictions };
  }


}
