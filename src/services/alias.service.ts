import type { DataSource, EntityManager } from 'typeorm';
import { type Caller, holdsRole } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/common/domain-error';
import { optionalText, uuid } from '../domain/common/field-rules';
import type { ModelRecord } from '../domain/catalog/catalog-records';
import { aliasName, DEFAULT_ALIAS, isProtectedAlias } from '../domain/files/alias-name';
import { readableCondition, readableParam } from '../domain/governance/access';
import type { ModelEntity } from '../persistence/entities/model.entity';
import type { VersionEntity } from '../persistence/entities/version.entity';
import { changeDefault, recordAliasMove, requireUsableTarget } from './default-version';
import { lockModel } from './model-lock';
import type { ProjectAccessService } from './project-access.service';
import { requireVersionOf } from './version.service';

export interface AliasRecord {
  modelId: string;
  name: string;
  versionId: string;
  protected: boolean;
  updatedBy: string | null;
  updatedAt: Date | null;
}

export interface AliasMoveRecord {
  id: string;
  modelId: string;
  alias: string;
  fromVersionId: string | null;
  toVersionId: string | null;
  actor: string;
  reason: string | null;
  occurredAt: Date;
}

/**
 * The audit trail's writer as the file services are given it. Alias moves no longer need it (they always write
 * the audit log, see default-version.ts); kept for the file services' dependencies.
 */
export type AuditRecorder = (
  tx: EntityManager,
  entry: { action: 'alias.set' | 'alias.removed' | 'default.changed'; actor: string; modelId: string; versionId: string | null; subjectId: string; reason: string | null; requestId: string | null; details: Record<string, unknown> },
) => Promise<unknown>;

interface AliasRow {
  model_id: string;
  name: string;
  version_id: string;
  updated_by: string;
  updated_at: Date;
}

interface MoveRow {
  id: string;
  model_id: string;
  alias: string;
  from_version_id: string | null;
  to_version_id: string | null;
  actor: string;
  reason: string | null;
  occurred_at: Date;
}

/**
 * Named, movable pointers per model (`production`, `staging`, …) → one of its usable versions. `default` is the
 * model's default version under another name, and setDefaultVersion is a move of it. Every move needs the editor
 * role in the model's project, a protected alias the approver role there (a role held in another project counts
 * for nothing), both checked inside the move's transaction; every move is an alias_moves row and an audit entry.
 */
export class AliasService {
  constructor(
    private readonly db: DataSource,
    private readonly protectedAliases: readonly string[],
    private readonly access: ProjectAccessService,
  ) {}

  async set(caller: Caller, modelId: string, name: string, versionId: string, reason: string | null): Promise<AliasRecord> {
    const alias = aliasName('name', name);
    const why = optionalText('reason', reason, 2000);
    const targetId = uuid('versionId', versionId);
    return this.db.transaction(async (tx) => {
      const model = await this.moveIn(tx, caller, modelId, alias, targetId, why);
      return (await this.listIn(tx, caller, [model.id])).find((a) => a.name === alias) as AliasRecord;
    });
  }

  /** setDefaultVersion: a move of the alias `default`, checked and recorded like any other; the model after it. */
  async setDefault(caller: Caller, modelId: string, versionId: string, reason: string | null): Promise<ModelRecord> {
    const why = optionalText('reason', reason, 2000);
    const targetId = uuid('versionId', versionId);
    return this.db.transaction((tx) => this.moveIn(tx, caller, modelId, DEFAULT_ALIAS, targetId, why));
  }

  async remove(caller: Caller, modelId: string, name: string, reason: string | null): Promise<boolean> {
    const alias = aliasName('name', name);
    if (alias === DEFAULT_ALIAS) throw new ConflictError('The alias "default" is the model\'s default version: move it, it cannot be removed');
    const why = optionalText('reason', reason, 2000);
    return this.db.transaction(async (tx) => {
      const model = await this.lockWritable(tx, caller, modelId, alias, 'Removing an alias');
      const rows = (await tx.query('DELETE FROM model_aliases WHERE model_id = $1 AND name = $2 RETURNING version_id', [model.id, alias])) as unknown;
      const removed = (Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0] : rows) as { version_id: string }[];
      if (removed.length === 0) throw new NotFoundError('Alias', alias);
      await recordAliasMove(tx, caller, { modelId: model.id, alias, from: removed[0].version_id, to: null, reason: why });
      return true;
    });
  }

  /** Each readable model's aliases, `default` first when the model has a default version. */
  list(caller: Caller, modelIds: readonly string[]): Promise<AliasRecord[]> {
    return this.listIn(this.db.manager, caller, modelIds);
  }

  /** The version an alias of a readable model points at, or null. */
  async resolve(caller: Caller, modelId: string, name: string): Promise<string | null> {
    const alias = aliasName('alias', name);
    return (await this.list(caller, [modelId])).find((a) => a.name === alias)?.versionId ?? null;
  }

  async history(caller: Caller, modelIds: readonly string[]): Promise<AliasMoveRecord[]> {
    const { where, params } = scopeOf(caller, [...modelIds]);
    const rows = (await this.db.query(`SELECT a.* FROM alias_moves a JOIN models m ON m.id = a.model_id WHERE a.model_id = ANY($1::uuid[])${where} ORDER BY a.id DESC`, params)) as MoveRow[];
    return rows.map((r) => ({
      id: String(r.id),
      modelId: r.model_id,
      alias: r.alias,
      fromVersionId: r.from_version_id,
      toVersionId: r.to_version_id,
      actor: r.actor,
      reason: r.reason,
      occurredAt: r.occurred_at,
    }));
  }

  private async moveIn(tx: EntityManager, caller: Caller, modelId: string, alias: string, versionId: string, why: string | null): Promise<ModelEntity> {
    const action = alias === DEFAULT_ALIAS ? 'Setting the default version' : 'Moving an alias';
    const model = await this.lockWritable(tx, caller, modelId, alias, action);
    const version = await requireVersionOf(tx, this.access, caller, model, versionId, 'versionId');
    if (alias === DEFAULT_ALIAS) await changeDefault(tx, caller, model, version, why);
    else await this.point(tx, caller, model, alias, version, why);
    return model;
  }

  /**
   * The model, locked, once the caller may move this alias: the editor role in its project, the approver role
   * there for a protected alias. The project is read under the lock, so a concurrent move is seen.
   */
  private async lockWritable(tx: EntityManager, caller: Caller, modelId: string, alias: string, action: string): Promise<ModelEntity> {
    const id = uuid('modelId', modelId);
    const model = await lockModel(tx, id);
    const project = await this.access.authorize(caller, 'Model', id, Role.EDITOR, action, tx);
    if (isProtectedAlias(alias, this.protectedAliases) && !holdsRole(caller, project, Role.APPROVER)) {
      throw new ForbiddenError(`The alias "${alias}" is protected: moving it needs the approver role in project "${project}"`, {
        requiredRole: Role.APPROVER,
        alias,
        project,
      });
    }
    return model;
  }

  private async point(tx: EntityManager, caller: Caller, model: ModelEntity, alias: string, version: VersionEntity, why: string | null): Promise<void> {
    requireUsableTarget(version, alias);
    const [row] = (await tx.query('SELECT version_id FROM model_aliases WHERE model_id = $1 AND name = $2', [model.id, alias])) as { version_id: string }[];
    const before = row?.version_id ?? null;
    if (before === version.id) return;
    await tx.query(
      `INSERT INTO model_aliases (model_id, name, version_id, updated_by, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (model_id, name) DO UPDATE SET version_id = EXCLUDED.version_id, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [model.id, alias, version.id, caller.subject.slice(0, 256)],
    );
    await recordAliasMove(tx, caller, { modelId: model.id, alias, from: before, to: version.id, reason: why });
  }

  private async listIn(manager: EntityManager, caller: Caller, modelIds: readonly string[]): Promise<AliasRecord[]> {
    const { where, params } = scopeOf(caller, [...modelIds]);
    const [rows, models] = await Promise.all([
      manager.query(`SELECT a.* FROM model_aliases a JOIN models m ON m.id = a.model_id WHERE a.model_id = ANY($1::uuid[])${where} ORDER BY a.name`, params) as Promise<AliasRow[]>,
      manager.query(`SELECT m.id, m.default_version_id FROM models m WHERE m.id = ANY($1::uuid[])${where}`, params) as Promise<{ id: string; default_version_id: string | null }[]>,
    ]);
    const defaults: AliasRecord[] = models
      .filter((m) => m.default_version_id !== null)
      .map((m) => ({ modelId: m.id, name: DEFAULT_ALIAS, versionId: m.default_version_id as string, protected: isProtectedAlias(DEFAULT_ALIAS, this.protectedAliases), updatedBy: null, updatedAt: null }));
    return [
      ...defaults,
      ...rows.map((r) => ({
        modelId: r.model_id,
        name: r.name,
        versionId: r.version_id,
        protected: isProtectedAlias(r.name, this.protectedAliases),
        updatedBy: r.updated_by,
        updatedAt: r.updated_at,
      })),
    ];
  }
}

/** The caller's read scope over `models m` for a raw query whose $1 is the model ids. */
function scopeOf(caller: Caller, modelIds: string[]): { where: string; params: unknown[] } {
  const condition = readableCondition(caller, 'm', '$2');
  return condition ? { where: ` AND ${condition}`, params: [modelIds, readableParam(caller)] } : { where: '', params: [modelIds] };
}
