import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { ModelRecord } from '../domain/catalog/catalog-records';
import type { SourceType } from '../domain/catalog/catalog-enums';
import type { ModelFields, ModelFieldsInput } from '../domain/catalog/model-draft';
import { mergeModelUpdate, validateModelDraft, validateModelName } from '../domain/catalog/model-validation';
import { fieldChanges } from '../domain/governance/field-changes';
import { projectOf } from '../domain/governance/project';
import { isDeletable } from '../domain/lifecycle/lifecycle';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { restrictionsFromLicense } from '../domain/licensing/license-policy';
import { OperationStatus } from '../domain/onboarding/operation';
import { ModelEntity } from '../persistence/entities/model.entity';
import { OperationEntity } from '../persistence/entities/operation.entity';
import { recordAudit } from './audit.service';
import type { LicenseService } from './license.service';
import { lockModelFor } from './model-lock';
import { transitionInto } from './model-transition';
import { eventOfNamedAudit } from './events/catalogue-events';
import { eventInto } from './events/outbox';
import { FoldedWrite } from './folded-write';
import { isUniqueViolation } from './pg-errors';
import type { ProjectAccessService } from './project-access.service';
import { withdrawOpenForModel } from './promotion.service';

/** Fields whose changes the audit log records (before/after). */
const AUDITED: (keyof ModelEntity & string)[] = [
  'name', 'displayName', 'description', 'sourceType', 'sourceUri', 'architecture', 'parameterCount', 'contextLength', 'inputModalities', 'outputModalities',
  'endpoints', 'licenseId', 'licenseRestrictions', 'requirements', 'tags', 'tasks', 'owner', 'project', 'links',
];

export interface RegisterModelCommand extends ModelFieldsInput {
  name: string;
  sourceType: SourceType;
}

export interface UpdateModelCommand extends ModelFieldsInput {
  name?: string | null;
}

const NAME_CONSTRAINT = 'models_name_key';

/**
 * Writes of catalog entries. Every method runs in one transaction (a failure stores nothing) and checks the
 * caller's role in the model's project inside it: editor to register or change a model (in both projects when it
 * moves), admin to delete one. Projects are stored as they are checked (`modelProject`, i.e. `projectId`).
 */
export class ModelCommandService {
  constructor(
    private readonly db: DataSource,
    private readonly licenses: LicenseService,
    private readonly access: ProjectAccessService,
  ) {}

  /**
   * Outside any transaction: the license is read first and the writes (model, transition, audit, NOTIFYs) are
   * one statement, atomic on its own. The answer is built from what the statement returned, never read back.
   */
  async register(caller: Caller, command: RegisterModelCommand): Promise<ModelRecord> {
    const draft = validateModelDraft(command);
    return this.guardName(draft.name, () => this.registerIn(caller, this.db.manager, command));
  }

  /**
   * Registration inside a caller's transaction (onboarding creates the model with its first version), or alone
   * (`register`): the editor role in the model's project (none given: the default project) is the token's, so it
   * needs no read; one folded write stores the model, its first transition and their audit entry.
   */
  async registerIn(caller: Caller, tx: EntityManager, command: RegisterModelCommand): Promise<ModelEntity> {
    const draft = validateModelDraft(command);
    const project = projectOf(draft);
    await this.access.authorizeProject(caller, project, Role.EDITOR, 'Registering a model', tx);
    const fields = await this.resolveLicense(tx, draft, command.licenseRestrictions === undefined);
    const model = tx.getRepository(ModelEntity).create({
      ...fields,
      id: randomUUID(),
      name: draft.name,
      status: LifecycleStage.DRAFT,
      defaultVersionId: null,
      pendingDefaultVersionId: null,
      createdBy: caller.subject,
    });
    const w = new FoldedWrite().insertEntity(tx, 'model', ModelEntity, model, ['created_at', 'updated_at']);
    const audit = transitionInto(w, { modelId: model.id, versionId: null, from: null, to: LifecycleStage.DRAFT, reason: 'registered', actor: caller.subject }, project);
    // model.registered sends no catalogue event today; should it one day, it is folded here with the names known.
    const event = eventOfNamedAudit(audit, { project, model_id: model.id, model_name: model.name, version_id: null, version: null });
    if (event) eventInto(w, event);
    const row = await w.run(tx);
    model.createdAt = row['model.created_at'] as Date;
    model.updatedAt = row['model.updated_at'] as Date;
    return model;
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

  async update(caller: Caller, id: string, command: UpdateModelCommand): Promise<ModelRecord> {
    const { name, ...patch } = command;
    const newName = name === undefined || name === null ? undefined : validateModelName(name);
    const modelId = uuid('id', id);
    return this.guardName(newName ?? '', () =>
      this.db.transaction(async (tx) => {
        const model = await this.lockWritable(tx, caller, modelId, Role.EDITOR, 'Updating a model');
        if (model.status === LifecycleStage.ARCHIVED) {
          throw new ConflictError(`Model "${model.name}" is archived and can no longer be changed`, { status: model.status });
        }
        const licenseChanged = patch.licenseId !== undefined && patch.licenseId !== model.licenseId;
        const merged = mergeModelUpdate(model, patch);
        const into = projectOf(merged);
        // A move writes into the new project too: the editor role is needed in both.
        if (into !== projectOf(model)) await this.access.authorizeProject(caller, into, Role.EDITOR, 'Moving a model into a project', tx);
        const inheritRestrictions = licenseChanged && patch.licenseRestrictions === undefined;
        const fields = await this.resolveLicense(tx, merged, inheritRestrictions);
        const before = { ...model };
        Object.assign(model, fields, newName ? { name: newName } : {});
        const saved = await tx.getRepository(ModelEntity).save(model);
        const changes = fieldChanges(before, saved, AUDITED);
        if (changes.length) await recordAudit(tx, { action: 'model.updated', actor: caller.subject, requestId: caller.requestId, modelId: saved.id, details: { changes } });
        // Open promotion requests were asked under the old project's approvers and policy: they end with the move.
        const from = projectOf(before);
        if (into !== from) await withdrawOpenForModel(tx, caller, saved.id, `model moved from ${from} to ${into}`);
        return saved;
      }),
    );
  }

  async delete(caller: Caller, id: string): Promise<ModelRecord> {
    return this.db.transaction(async (tx) => {
      const model = await this.lockWritable(tx, caller, uuid('id', id), Role.ADMIN, 'Deleting a model');
      if (!isDeletable(model.status)) {
        throw new ConflictError(
          `Model "${model.name}" has a PUBLISHED version and may be in use; archive its published versions (transitionVersion to ARCHIVED) before deleting`,
          { status: model.status },
        );
      }
      const [deployed] = (await tx.query(`SELECT count(*)::int AS n FROM deployments WHERE model_id = $1 AND ended_at IS NULL`, [model.id])) as { n: number }[];
      if (deployed.n > 0) {
        throw new ConflictError(`Model "${model.name}" has ${deployed.n} version deployment(s) on record; end them (endDeployment) before deleting`, { rule: 'deployed', deployments: deployed.n });
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
      await recordAudit(tx, { action: 'model.deleted', actor: caller.subject, requestId: caller.requestId, modelId: model.id, project: projectOf(model), details: { name: model.name, status: model.status } });
      return snapshot;
    });
  }

  /** The model locked FOR UPDATE, once the caller holds `role` in its project as it is under that lock. */
  private lockWritable(tx: EntityManager, caller: Caller, id: string, role: Role, action: string): Promise<ModelEntity> {
    return lockModelFor(tx, caller, id, role, action);
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
