import type { EntityManager } from 'typeorm';
import { requireMove, summarizeModel } from '../domain/lifecycle/lifecycle';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { LifecycleTransitionEntity } from '../persistence/entities/lifecycle-transition.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { recordAudit } from './audit.service';
import { publishEvent } from './events/hub-events';

export interface TransitionEntry {
  modelId: string;
  versionId: string | null;
  from: LifecycleStage | null;
  to: LifecycleStage;
  reason: string | null;
  actor: string;
}

/** Records a lifecycle entry (who, when, from, to, why) and announces it to subscribers on commit. */
export async function recordTransition(tx: EntityManager, entry: TransitionEntry): Promise<void> {
  const at = new Date();
  const reason = entry.reason === null ? null : entry.reason.slice(0, 2000);
  const inserted = await tx.getRepository(LifecycleTransitionEntity).insert({
    modelId: entry.modelId,
    versionId: entry.versionId,
    fromStatus: entry.from,
    toStatus: entry.to,
    reason,
    actor: entry.actor,
    occurredAt: at,
  });
  // The event carries the row's id only (NOTIFY refuses 8000 bytes); listeners read the row.
  await publishEvent(tx, { kind: 'status', modelId: entry.modelId, transitionId: (inserted.identifiers[0] as { id: string }).id });
  // Every lifecycle entry, system moves included, is also in the append-only audit trail.
  const action = entry.from !== null ? 'version.moved' : entry.versionId ? 'version.created' : 'model.registered';
  await recordAudit(tx, { action, actor: entry.actor, modelId: entry.modelId, versionId: entry.versionId, reason, details: { from: entry.from, to: entry.to } });
}

/**
 * Moves a version (its model already locked by the caller) along the lifecycle, records it and refreshes the
 * model's summary status. Refuses what the state machine forbids; who may ask is the caller's check.
 */
export async function moveVersion(
  tx: EntityManager,
  model: ModelEntity,
  version: VersionEntity,
  to: LifecycleStage,
  reason: string | null,
  actor: string,
  patch: Partial<Pick<VersionEntity, 'statusReason' | 'filesComplete'>> = {},
): Promise<VersionEntity> {
  requireMove(version.status, to);
  const from = version.status;
  Object.assign(version, patch, { status: to });
  await tx.getRepository(VersionEntity).update({ id: version.id }, { status: to, ...patch });
  await recordTransition(tx, { modelId: model.id, versionId: version.id, from, to, reason, actor });
  // An archived version is never verified again: a wish that it become the default (makeDefault) ends with it.
  if (to === LifecycleStage.ARCHIVED && model.pendingDefaultVersionId === version.id) {
    model.pendingDefaultVersionId = null;
    await tx.getRepository(ModelEntity).update({ id: model.id }, { pendingDefaultVersionId: null });
  }
  await refreshModelStatus(tx, model);
  return version;
}

/** The model's status is a summary of its versions' stages (lifecycle.ts); kept as a column for filters. */
export async function refreshModelStatus(tx: EntityManager, model: ModelEntity): Promise<ModelEntity> {
  const versions = await tx.getRepository(VersionEntity).find({ where: { modelId: model.id }, select: { status: true, createdAt: true } });
  const status = summarizeModel(versions.map((v) => ({ stage: v.status, createdAt: v.createdAt })));
  if (status !== model.status) {
    model.status = status;
    await tx.getRepository(ModelEntity).update({ id: model.id }, { status });
  }
  return model;
}

/** Locks a version's row after its model's (callers lock the model first: one lock order, no deadlocks). */
export async function lockVersion(tx: EntityManager, versionId: string): Promise<VersionEntity | null> {
  return tx.getRepository(VersionEntity).findOne({ where: { id: versionId }, lock: { mode: 'pessimistic_write' } });
}
