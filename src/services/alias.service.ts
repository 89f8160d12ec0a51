import type { DataSource, EntityManager } from 'typeorm';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { optionalText, uuid } from '../domain/common/field-rules';
import { aliasName, DEFAULT_ALIAS, isProtectedAlias } from '../domain/files/alias-name';
import { isUsable } from '../domain/lifecycle/lifecycle';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { lockModel } from './model-lock';

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

export interface AliasActor {
  subject: string;
  approver: boolean;
  requestId?: string | null;
}

/**
 * The audit trail's writer (AuditService.record of the governance work), joined to the move's transaction.
 * Optional: alias_moves is the alias history either way; with it wired, moves show in the audit log too.
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

/**
 * Named, movable pointers per model (`production`, `staging`, …) → one of its usable versions. `default` is
 * the model's default version under another name. Protected aliases move only with the approver role, and
 * every move of any alias is recorded (alias_moves, and the audit log when wired).
 */
export class AliasService {
  constructor(
    private readonly db: DataSource,
    private readonly protectedAliases: readonly string[],
    private readonly audit: AuditRecorder | null = null,
  ) {}

  async set(modelId: string, name: string, versionId: string, actor: AliasActor, reason: string | null): Promise<AliasRecord> {
    const alias = aliasName('name', name);
    const why = optionalText('reason', reason, 2000);
    this.requireMover(alias, actor);
    const targetId = uuid('versionId', versionId);
    return this.db.transaction(async (tx) => {
      const model = await lockModel(tx, uuid('modelId', modelId));
      const version = await tx.getRepository(VersionEntity).findOneBy({ id: targetId });
      if (!version) throw new NotFoundError('Version', targetId);
      if (version.modelId !== model.id) throw new ValidationError('versionId', `version ${version.version} belongs to another model, not "${model.name}"`);
      if (!isUsable(version.status)) {
        throw new ConflictError(`Version ${version.version} is ${version.status}; an alias points at a VERIFIED, EVALUATED or PUBLISHED version`, { status: version.status });
      }
      const before = await this.current(tx, model, alias);
      if (before !== version.id) {
        if (alias === DEFAULT_ALIAS) await tx.getRepository(ModelEntity).update({ id: model.id }, { defaultVersionId: version.id });
        else {
          await tx.query(
            `INSERT INTO model_aliases (model_id, name, version_id, updated_by, updated_at) VALUES ($1, $2, $3, $4, now())
             ON CONFLICT (model_id, name) DO UPDATE SET version_id = EXCLUDED.version_id, updated_by = EXCLUDED.updated_by, updated_at = now()`,
            [model.id, alias, version.id, actor.subject.slice(0, 256)],
          );
        }
        await this.recordMove(tx, model.id, alias, before, version.id, actor, why);
      }
      return (await this.listIn(tx, [model.id])).find((a) => a.name === alias) as AliasRecord;
    });
  }

  async remove(modelId: string, name: string, actor: AliasActor, reason: string | null): Promise<boolean> {
    const alias = aliasName('name', name);
    if (alias === DEFAULT_ALIAS) throw new ConflictError('The alias "default" is the model\'s default version: move it, it cannot be removed');
    this.requireMover(alias, actor);
    const why = optionalText('reason', reason, 2000);
    return this.db.transaction(async (tx) => {
      const model = await lockModel(tx, uuid('modelId', modelId));
      const removed = (await tx.query('DELETE FROM model_aliases WHERE model_id = $1 AND name = $2 RETURNING version_id', [model.id, alias])) as [{ version_id: string }[], number];
      const rows = Array.isArray(removed[0]) ? removed[0] : (removed as unknown as { version_id: string }[]);
      if (rows.length === 0) throw new NotFoundError('Alias', alias);
      await this.recordMove(tx, model.id, alias, rows[0].version_id, null, actor, why);
      return true;
    });
  }

  /** Each model's aliases, `default` first when the model has a default version. */
  list(modelIds: readonly string[]): Promise<AliasRecord[]> {
    return this.listIn(this.db.manager, modelIds);
  }

  /** The version an alias points at, or null. */
  async resolve(modelId: string, name: string): Promise<string | null> {
    const alias = aliasName('alias', name);
    return (await this.list([modelId])).find((a) => a.name === alias)?.versionId ?? null;
  }

  async history(modelIds: readonly string[]): Promise<AliasMoveRecord[]> {
    const rows = (await this.db.query('SELECT * FROM alias_moves WHERE model_id = ANY($1::uuid[]) ORDER BY id DESC', [[...modelIds]])) as {
      id: string;
      model_id: string;
      alias: string;
      from_version_id: string | null;
      to_version_id: string | null;
      actor: string;
      reason: string | null;
      occurred_at: Date;
    }[];
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

  private requireMover(alias: string, actor: AliasActor): void {
    if (isProtectedAlias(alias, this.protectedAliases) && !actor.approver) {
      throw new ForbiddenError(`The alias "${alias}" is protected: moving it needs the approver role`, { requiredRole: 'approver', alias });
    }
  }

  private async current(tx: EntityManager, model: ModelEntity, alias: string): Promise<string | null> {
    if (alias === DEFAULT_ALIAS) return model.defaultVersionId;
    const [row] = (await tx.query('SELECT version_id FROM model_aliases WHERE model_id = $1 AND name = $2', [model.id, alias])) as { version_id: string }[];
    return row?.version_id ?? null;
  }

  private async listIn(manager: EntityManager, modelIds: readonly string[]): Promise<AliasRecord[]> {
    const ids = [...modelIds];
    const [rows, models] = await Promise.all([
      manager.query('SELECT * FROM model_aliases WHERE model_id = ANY($1::uuid[]) ORDER BY name', [ids]) as Promise<AliasRow[]>,
      manager.query('SELECT id, default_version_id FROM models WHERE id = ANY($1::uuid[])', [ids]) as Promise<{ id: string; default_version_id: string | null }[]>,
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

  private async recordMove(tx: EntityManager, modelId: string, alias: string, from: string | null, to: string | null, actor: AliasActor, reason: string | null): Promise<void> {
    await tx.query('INSERT INTO alias_moves (model_id, alias, from_version_id, to_version_id, actor, reason) VALUES ($1, $2, $3, $4, $5, $6)', [
      modelId,
      alias,
      from,
      to,
      actor.subject.slice(0, 256),
      reason,
    ]);
    const action = to === null ? 'alias.removed' : alias === DEFAULT_ALIAS ? 'default.changed' : 'alias.set';
    await this.audit?.(tx, { action, actor: actor.subject, modelId, versionId: to, subjectId: alias, reason, requestId: actor.requestId ?? null, details: { alias, from, to } });
  }
}
