import type { EntityManager } from 'typeorm';
import { type Caller, holdsRole, requireRole } from '../domain/auth/caller';
import type { Role } from '../domain/auth/roles';
import type { NotFoundError } from '../domain/common/domain-error';
import type { AuditEntry } from '../domain/governance/audit-entry';
import { projectOf } from '../domain/governance/project';
import { PromotionState } from '../domain/governance/promotion-request';
import type { ModelEntity } from '../persistence/entities/model.entity';
import { ProjectEntity } from '../persistence/entities/project.entity';
import { PromotionRequestEntity } from '../persistence/entities/promotion-request.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { recordAudit } from './audit.service';
import { lockModel } from './model-lock';
import { lockVersion } from './model-transition';

export type PromotionAction = 'promotion.requested' | 'promotion.approved' | 'promotion.rejected' | 'promotion.withdrawn' | 'promotion.applied';

/** The audit entry of a promotion event: in the project the request was opened in. */
export function promotionEntry(action: PromotionAction, request: PromotionRequestEntity, caller: Caller, reason: string | null, details: Record<string, unknown>): AuditEntry {
  return { action, actor: caller.subject, requestId: caller.requestId, modelId: request.modelId, versionId: request.versionId, project: request.project, subjectId: request.id, reason, details };
}

/** Ends an open request (REJECTED or WITHDRAWN), audited. */
export async function closeRequest(tx: EntityManager, request: PromotionRequestEntity, state: PromotionState.REJECTED | PromotionState.WITHDRAWN, reason: string | null, caller: Caller): Promise<void> {
  Object.assign(request, { state, decidedBy: caller.subject, decisionReason: reason, decidedAt: new Date() });
  await tx.getRepository(PromotionRequestEntity).update({ id: request.id }, { state, decidedBy: caller.subject, decisionReason: reason, decidedAt: request.decidedAt });
  await recordAudit(tx, promotionEntry(state === PromotionState.REJECTED ? 'promotion.rejected' : 'promotion.withdrawn', request, caller, reason, {}));
}

/**
 * Withdraws every open request of a model, audited with `reason`; call it inside the transaction that moves the
 * model to another project, after that move was authorized (the model is locked there). A request was asked
 * under the old project's approvers and policy: the new project's people decide a new one. Returns how many.
 */
export async function withdrawOpenForModel(tx: EntityManager, caller: Caller, modelId: string, reason: string): Promise<number> {
  const open = await tx.getRepository(PromotionRequestEntity).find({ where: { modelId, state: PromotionState.OPEN }, lock: { mode: 'pessimistic_write' } });
  for (const request of open) await closeRequest(tx, request, PromotionState.WITHDRAWN, reason.slice(0, 2000), caller);
  return open.length;
}

/** Locks a version's model, then the version (the lock order of every lifecycle write); `missing` when either is gone. */
export async function lockVersionAndModel(tx: EntityManager, versionId: string, missing: () => NotFoundError): Promise<{ model: ModelEntity; version: VersionEntity }> {
  const found = await tx.getRepository(VersionEntity).findOne({ where: { id: versionId }, select: { id: true, modelId: true } });
  if (!found) throw missing();
  const model = await lockModel(tx, found.modelId);
  const version = await lockVersion(tx, versionId);
  if (!version || version.modelId !== model.id) throw missing();
  return { model, version };
}

/**
 * The role check of a write on a locked model: in the project the model has inside this transaction. NOT_FOUND
 * (naming `entity` and the key the caller gave) when the caller cannot read that project, FORBIDDEN without the role.
 */
export async function requireRoleOnLocked(tx: EntityManager, caller: Caller, model: ModelEntity, entity: string, key: string, role: Role, action: string): Promise<string> {
  const project = projectOf(model);
  if (holdsRole(caller, project, role)) return project;
  const row = await tx.getRepository(ProjectEntity).findOne({ where: { id: project }, select: { id: true, public: true } });
  requireRole(caller, { entity, key, project, isPublic: row?.public ?? false }, role, action);
  return project;
}
