import type { EntityManager } from 'typeorm';
import { type Caller, systemCaller } from '../domain/auth/caller';
import { ConflictError } from '../domain/common/domain-error';
import { DEFAULT_ALIAS } from '../domain/files/alias-name';
import { isUsable } from '../domain/lifecycle/lifecycle';
import type { ModelEntity } from '../persistence/entities/model.entity';
import type { VersionEntity } from '../persistence/entities/version.entity';
import { recordAudit } from './audit.service';

export interface AliasMove {
  modelId: string;
  alias: string;
  from: string | null;
  to: string | null;
  reason: string | null;
}

/** Every move of any alias, `default` included: a row of alias_moves and an audit entry, in the move's transaction. */
export async function recordAliasMove(tx: EntityManager, caller: Caller, move: AliasMove): Promise<void> {
  await tx.query('INSERT INTO alias_moves (model_id, alias, from_version_id, to_version_id, actor, reason) VALUES ($1, $2, $3, $4, $5, $6)', [
    move.modelId,
    move.alias,
    move.from,
    move.to,
    caller.subject.slice(0, 256),
    move.reason,
  ]);
  const action = move.to === null ? 'alias.removed' : move.alias === DEFAULT_ALIAS ? 'default.changed' : 'alias.set';
  await recordAudit(tx, {
    action,
    actor: caller.subject,
    requestId: caller.requestId,
    modelId: move.modelId,
    versionId: move.to,
    subjectId: move.alias,
    reason: move.reason,
    details: { alias: move.alias, from: move.from, to: move.to },
  });
}

/** An alias (the default included) points at a usable version; the one refusal every path that sets one shares. */
export function requireUsableTarget(version: VersionEntity, alias: string): void {
  if (isUsable(version.status)) return;
  const what = alias === DEFAULT_ALIAS ? 'the default version' : `the alias "${alias}"`;
  throw new ConflictError(`Version ${version.version} is ${version.status}; ${what} must be a VERIFIED, EVALUATED or PUBLISHED version`, {
    status: version.status,
    alias,
  });
}

/**
 * Points the model (locked by the caller) at `version`: refused unless usable, recorded and audited when it
 * changes. A choice made by hand replaces a pending wish (the later choice wins); `keepWish` is for the system's
 * own choice of a first default, which leaves a wish for another version waiting for that version.
 */
export async function changeDefault(
  tx: EntityManager,
  caller: Caller,
  model: ModelEntity,
  version: VersionEntity,
  reason: string | null,
  keepWish = false,
): Promise<void> {
  requireUsableTarget(version, DEFAULT_ALIAS);
  const from = model.defaultVersionId;
  const wish = keepWish && model.pendingDefaultVersionId !== version.id ? model.pendingDefaultVersionId : null;
  if (from === version.id && wish === model.pendingDefaultVersionId) return;
  model.defaultVersionId = version.id;
  model.pendingDefaultVersionId = wish;
  await tx.query('UPDATE models SET default_version_id = $2, pending_default_version_id = $3 WHERE id = $1', [model.id, version.id, wish]);
  if (from !== version.id) await recordAliasMove(tx, caller, { modelId: model.id, alias: DEFAULT_ALIAS, from, to: version.id, reason });
}

/** Records the wish that `version` (not usable yet) becomes the default once it is VERIFIED. */
export async function wishDefault(tx: EntityManager, model: ModelEntity, version: VersionEntity): Promise<void> {
  model.pendingDefaultVersionId = version.id;
  await tx.query('UPDATE models SET pending_default_version_id = $2 WHERE id = $1', [model.id, version.id]);
}

const AT_VERIFICATION = systemCaller('default version at verification');

/**
 * A version just became VERIFIED (model and version locked by the caller): it becomes the default when it was
 * wished for (createVersion makeDefault) or when the model has none yet. The system decides, so the system is the
 * actor of the move and its audit entry.
 */
export async function adoptVerified(tx: EntityManager, model: ModelEntity, version: VersionEntity): Promise<void> {
  if (model.pendingDefaultVersionId === version.id) {
    await changeDefault(tx, AT_VERIFICATION, model, version, `version ${version.version} was asked to become the default and is now verified`);
  } else if (model.defaultVersionId === null) {
    await changeDefault(tx, AT_VERIFICATION, model, version, `version ${version.version} is the model's first verified version`, true);
  }
}
