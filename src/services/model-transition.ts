import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { requireMove, summarizeModel } from '../domain/lifecycle/lifecycle';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { AuditEntry } from '../domain/governance/audit-entry';
import { auditInto } from './audit.service';
import { recordAuditedEvent } from './events/catalogue-events';
import { EVENTS_CHANNEL, encodeEvent } from './events/hub-events';
import { FoldedWrite } from './folded-write';

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
  const w = new FoldedWrite();
  const audit = transitionInto(w, entry);
  await w.run(tx);
  await recordAuditedEvent(tx, audit);
}

/**
 * The transition row, its audit entry and both NOTIFYs as parts of a folded write; returns the audit entry, whose
 * catalogue event the caller records (or folds, when it knows the names). `project` is the model's, needed when
 * the model is inserted by the same statement (the audit row would not see it otherwise).
 */
export function transitionInto(w: FoldedWrite, entry: TransitionEntry, project?: string): AuditEntry {
  const reason = entry.reason === null ? null : entry.reason.slice(0, 2000);
  // The id is made here so the event can name it without reading the row back; the clock (not the transaction's
  // start) keeps two moves of one transaction in order.
  const transitionId = randomUUID();
  w.sql(
    'transition',
    `INSERT INTO lifecycle_transitions (id, model_id, version_id, from_status, to_status, reason, actor, occurred_at)
     VALUES (${w.param(transitionId, 'uuid')}, ${w.param(entry.modelId, 'uuid')}, ${w.param(entry.versionId, 'uuid')}, ${w.param(entry.from)}, ${w.param(entry.to)},
       ${w.param(reason)}, ${w.param(entry.actor)}, clock_timestamp())`,
  );
  // The event carries the row's id only (NOTIFY refuses 8000 bytes); listeners read the row.
  w.notify(EVENTS_CHANNEL, w.param(encodeEvent({ kind: 'status', modelId: entry.modelId, transitionId })));
  // Every lifecycle entry, system moves included, is also in the append-only audit trail.
  const action = entry.from !== null ? 'version.moved' : entry.versionId ? 'version.created' : 'model.registered';
  const audit: AuditEntry = { action, actor: entry.actor, modelId: entry.modelId, versionId: entry.versionId, project, reason, details: { from: entry.from, to: entry.to } };
  auditInto(w, audit);
  return audit;
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
