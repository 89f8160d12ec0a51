import type { DataSource, EntityManager } from 'typeorm';
import { type Principal, Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { optionalText, uuid } from '../domain/common/field-rules';
import { requireRoleIn } from '../domain/governance/access';
import type { ActorRef } from '../domain/governance/audit-entry';
import { GateFailedError, requireGates } from '../domain/governance/gates';
import { DEFAULT_USAGE, type LicenseUsage, validateUsage } from '../domain/governance/license-check';
import { projectOf } from '../domain/governance/project';
import { approvalsNeeded, Gate, isPromotionTarget } from '../domain/governance/promotion-policy';
import { PromotionState } from '../domain/governance/promotion-request';
import { requireHumanMove } from '../domain/lifecycle/lifecycle';
import type { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { PromotionApprovalEntity, PromotionRequestEntity } from '../persistence/entities/promotion-request.entity';
import type { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { AuditService } from './audit.service';
import type { LicenseCheckService } from './license-check.service';
import { lockModel } from './model-lock';
import { lockVersion, moveVersion } from './model-transition';
import { isUniqueViolation } from './pg-errors';
import type { ProjectAccessService } from './project-access.service';
import { gatherEvidence, snapshot } from './promotion-evidence';

export interface PromotionAsk {
  versionId: string;
  target: LifecycleStage;
  justification: string;
  usage?: LicenseUsage | null;
}

/** How a request is made: through the queue, or at once (transitionVersion), refusing what needs approvers. */
interface AskMode {
  immediateOnly: boolean;
}

interface Locked {
  request: PromotionRequestEntity;
  model: ModelEntity;
  version: VersionEntity;
}

function requiredText(field: string, value: string | null | undefined, max: number): string {
  const text = optionalText(field, value ?? null, max);
  if (!text) throw new ValidationError(field, 'is required');
  return text;
}

/**
 * Four-eyes promotion: a request holds a target stage, a justification, the usage the license is checked for
 * and the evidence when asked; approvers other than the requester sign off; the last needed approval re-reads
 * the evidence, checks every gate of the project's policy and moves the version in the same transaction.
 */
export class PromotionService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
    private readonly licenses: LicenseCheckService,
    private readonly audit: AuditService,
  ) {}

  async request(principal: Principal, ask: PromotionAsk, actor: ActorRef, mode: AskMode = { immediateOnly: false }): Promise<PromotionRequestEntity> {
    const justification = requiredText('justification', ask.justification, 2000);
    const usage = validateUsage(ask.usage ?? DEFAULT_USAGE);
    const versionId = uuid('versionId', ask.versionId);
    try {
      return await this.db.transaction(async (tx) => {
        const { model, version } = await this.lock(tx, versionId);
        const project = projectOf(model);
        requireRoleIn(principal, project, Role.EDITOR, 'Requesting a promotion');
        const mover = requireHumanMove(version.status, ask.target);
        const target = ask.target;
        if (!isPromotionTarget(target)) throw new ConflictError(`${target} is not a promotion; use archiveVersion`);
        const policy = await this.access.policyOf(tx, project);
        const needed = approvalsNeeded(policy, target);
        if (mode.immediateOnly) {
          // The direct path keeps the lifecycle's role rule, and never bypasses approvers the policy wants.
          if (mover === 'APPROVER') requireRoleIn(principal, project, Role.APPROVER, `Moving a version to ${target}`);
          if (needed > 0) {
            throw new GateFailedError(target, { gate: Gate.APPROVALS, passed: false, detail: `${target} needs ${needed} approval(s) from approvers other than the requester in project "${project}": use requestPromotion and approvePromotion` });
          }
        }
        const evidence = snapshot(policy, target, await gatherEvidence(tx, this.licenses, model, version, usage, []));
        requireGates(target, evidence.gates, [Gate.APPROVALS]);
        const request = await tx.getRepository(PromotionRequestEntity).save(
          Object.assign(new PromotionRequestEntity(), {
            modelId: model.id, versionId: version.id, project, target, state: PromotionState.OPEN, requestedBy: actor.subject,
            justification, requiredApprovals: needed, evidence, decisionEvidence: null, decidedBy: null, decisionReason: null, decidedAt: null,
          }),
        );
        await this.record(tx, 'promotion.requested', request, actor, justification, { target, usage: { ...usage, monthlyActiveUsers: usage.monthlyActiveUsers.toString() }, requiredApprovals: needed });
        if (needed === 0) await this.apply(tx, { request, model, version }, [], actor, justification);
        return request;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'promotion_requests_one_open')) throw new ConflictError('This version already has an open promotion request; withdraw or decide it first', { versionId });
      throw error;
    }
  }

  async approve(principal: Principal, requestId: string, comment: string | null, actor: ActorRef): Promise<PromotionRequestEntity> {
    const note = optionalText('comment', comment, 2000);
    return this.db.transaction(async (tx) => {
      const { request, model, version } = await this.lockOpen(tx, requestId);
      requireRoleIn(principal, request.project, Role.APPROVER, 'Approving a promotion');
      if (request.requestedBy === actor.subject) {
        throw new GateFailedError(request.target, { gate: Gate.APPROVALS, passed: false, detail: 'four eyes: the requester cannot approve their own request' });
      }
      const approvals = tx.getRepository(PromotionApprovalEntity);
      if (await approvals.existsBy({ requestId: request.id, approver: actor.subject })) throw new ConflictError('You already approved this request');
      await approvals.insert({ requestId: request.id, approver: actor.subject, comment: note });
      await this.record(tx, 'promotion.approved', request, actor, note, {});
      const approvers = (await approvals.find({ where: { requestId: request.id }, order: { approvedAt: 'ASC' } })).map((a) => a.approver);
      if (approvers.length >= request.requiredApprovals) await this.apply(tx, { request, model, version }, approvers, actor, note);
      return request;
    });
  }

  async reject(principal: Principal, requestId: string, reason: string, actor: ActorRef): Promise<PromotionRequestEntity> {
    const why = requiredText('reason', reason, 2000);
    return this.decide(requestId, PromotionState.REJECTED, why, actor, (request) => requireRoleIn(principal, request.project, Role.APPROVER, 'Rejecting a promotion'));
  }

  async withdraw(principal: Principal, requestId: string, reason: string | null, actor: ActorRef): Promise<PromotionRequestEntity> {
    const why = optionalText('reason', reason, 2000);
    return this.decide(requestId, PromotionState.WITHDRAWN, why, actor, (request) => {
      if (request.requestedBy !== actor.subject) requireRoleIn(principal, request.project, Role.ADMIN, "Withdrawing someone else's request");
    });
  }

  /** Open requests of a version end when it is archived (called inside the archiving transaction). */
  async closeOpenFor(tx: EntityManager, versionId: string, actor: ActorRef): Promise<void> {
    const open = await tx.getRepository(PromotionRequestEntity).findBy({ versionId, state: PromotionState.OPEN });
    for (const request of open) await this.close(tx, request, PromotionState.WITHDRAWN, 'the version was archived', actor);
  }

  private async decide(requestId: string, state: PromotionState, reason: string | null, actor: ActorRef, authorize: (r: PromotionRequestEntity) => void) {
    return this.db.transaction(async (tx) => {
      const { request } = await this.lockOpen(tx, requestId);
      authorize(request);
      await this.close(tx, request, state, reason, actor);
      return request;
    });
  }

  private async close(tx: EntityManager, request: PromotionRequestEntity, state: PromotionState, reason: string | null, actor: ActorRef): Promise<void> {
    Object.assign(request, { state, decidedBy: actor.subject, decisionReason: reason, decidedAt: new Date() });
    await tx.getRepository(PromotionRequestEntity).update({ id: request.id }, { state, decidedBy: actor.subject, decisionReason: reason, decidedAt: request.decidedAt });
    await this.record(tx, state === PromotionState.REJECTED ? 'promotion.rejected' : 'promotion.withdrawn', request, actor, reason, {});
  }

  /** Re-reads the evidence with the approvals, checks every gate and moves the version; all or nothing. */
  private async apply(tx: EntityManager, { request, model, version }: Locked, approvers: string[], actor: ActorRef, note: string | null): Promise<void> {
    const policy = await this.access.policyOf(tx, request.project);
    const decision = snapshot(policy, request.target, await gatherEvidence(tx, this.licenses, model, version, request.evidence.evidence.usage, approvers));
    requireGates(request.target, decision.gates);
    await moveVersion(tx, model, version, request.target, `promotion ${request.id}: ${request.justification}`.slice(0, 2000), actor.subject);
    Object.assign(request, { state: PromotionState.APPROVED, decisionEvidence: decision, decidedBy: actor.subject, decisionReason: note, decidedAt: new Date() });
    await tx.getRepository(PromotionRequestEntity).save(request);
    await this.record(tx, 'promotion.applied', request, actor, note, { target: request.target, approvers, gates: decision.gates.map((g) => g.gate) });
  }

  private async lock(tx: EntityManager, versionId: string) {
    const found = await tx.getRepository(VersionEntity).findOne({ where: { id: versionId }, select: { id: true, modelId: true } });
    if (!found) throw new NotFoundError('Version', versionId);
    const model = await lockModel(tx, found.modelId);
    const version = (await lockVersion(tx, versionId)) as VersionEntity;
    return { model, version };
  }

  /** Model, then version, then request: the lock order of every lifecycle write (no deadlock with archiving). */
  private async lockOpen(tx: EntityManager, requestId: string): Promise<Locked> {
    const repo = tx.getRepository(PromotionRequestEntity);
    const found = await repo.findOne({ where: { id: uuid('requestId', requestId) }, select: { id: true, versionId: true } });
    if (!found) throw new NotFoundError('Promotion request', requestId);
    const { model, version } = await this.lock(tx, found.versionId);
    const request = await repo.findOneOrFail({ where: { id: found.id }, lock: { mode: 'pessimistic_write' } });
    if (request.state !== PromotionState.OPEN) throw new ConflictError(`The request is ${request.state}, no longer OPEN`, { state: request.state });
    return { request, model, version };
  }

  private record(tx: EntityManager, action: 'promotion.requested' | 'promotion.approved' | 'promotion.rejected' | 'promotion.withdrawn' | 'promotion.applied', request: PromotionRequestEntity, actor: ActorRef, reason: string | null, details: Record<string, unknown>) {
    return this.audit.record(tx, { action, actor: actor.subject, requestId: actor.requestId, modelId: request.modelId, versionId: request.versionId, project: request.project, subjectId: request.id, reason, details });
  }
}
