import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { optionalText, uuid } from '../domain/common/field-rules';
import { GateFailedError, requireGates } from '../domain/governance/gates';
import { DEFAULT_USAGE, type LicenseUsage, validateUsage } from '../domain/governance/license-check';
import { freezePolicy, Gate, isPromotionTarget, type TargetPolicy } from '../domain/governance/promotion-policy';
import { type EvidenceSnapshot, PromotionState } from '../domain/governance/promotion-request';
import { Mover, requireHumanMove } from '../domain/lifecycle/lifecycle';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import type { ModelEntity } from '../persistence/entities/model.entity';
import { PromotionApprovalEntity, PromotionRequestEntity } from '../persistence/entities/promotion-request.entity';
import type { VersionEntity } from '../persistence/entities/version.entity';
import type { AuditService } from './audit.service';
import type { LicenseCheckService } from './license-check.service';
import type { RegistrySigningService } from './registry-signing.service';
import type { SignatureService } from './signature.service';
import { moveVersion } from './model-transition';
import { isUniqueViolation } from './pg-errors';
import type { ProjectAccessService } from './project-access.service';
import { gatherEvidence, snapshot } from './promotion-evidence';
import { closeRequest, lockVersionAndModel, type PromotionAction, promotionEntry, requireRoleOnLocked, withdrawOpenForModel } from './promotion-records';

export { withdrawOpenForModel };

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
 * Four-eyes promotion: a request holds a target stage, a justification, the usage the license is checked for,
 * the evidence when asked and the project's policy frozen at that moment; approvers other than the requester
 * sign off; the last needed approval re-reads the evidence, checks every gate of the frozen policy and moves the
 * version in the same transaction. Every check reads the project from the model as it is in the transaction.
 */
export class PromotionService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
    private readonly licenses: LicenseCheckService,
    private readonly audit: AuditService,
    private readonly signatures: SignatureService,
    /** Signs a version as it becomes PUBLISHED (null: published versions are not signed). */
    private readonly signing: RegistrySigningService | null = null,
  ) {}

  async request(caller: Caller, ask: PromotionAsk, mode: AskMode = { immediateOnly: false }): Promise<PromotionRequestEntity> {
    const justification = requiredText('justification', ask.justification, 2000);
    const usage = validateUsage(ask.usage ?? DEFAULT_USAGE);
    const versionId = uuid('versionId', ask.versionId);
    try {
      return await this.db.transaction(async (tx) => {
        const { model, version } = await lockVersionAndModel(tx, versionId, () => new NotFoundError('Version', versionId));
        const project = await this.access.authorize(caller, 'Version', versionId, Role.EDITOR, 'Requesting a promotion', tx);
        const mover = requireHumanMove(version.status, ask.target);
        const target = ask.target;
        if (!isPromotionTarget(target)) throw new ConflictError(`${target} is not a promotion; use archiveVersion`);
        const policy = freezePolicy(await this.access.policyOf(tx, project), target);
        if (mode.immediateOnly) await this.requireImmediate(tx, caller, versionId, project, policy, mover);
        const evidence = snapshot(policy, await gatherEvidence(tx, { licenses: this.licenses, signatures: this.signatures }, { model, version }, policy, usage, { requester: caller.subject, approvers: [] }));
        requireGates(target, evidence.gates, [Gate.APPROVALS]);
        const request = await tx.getRepository(PromotionRequestEntity).save(
          Object.assign(new PromotionRequestEntity(), {
            modelId: model.id, versionId: version.id, project, target, state: PromotionState.OPEN, requestedBy: caller.subject, justification,
            requiredApprovals: policy.requiredApprovals, policy, evidence, decisionEvidence: null, decidedBy: null, decisionReason: null, decidedAt: null,
          }),
        );
        const usageView = { ...usage, monthlyActiveUsers: usage.monthlyActiveUsers.toString() };
        await this.record(tx, 'promotion.requested', request, caller, justification, { target, usage: usageView, requiredApprovals: policy.requiredApprovals, policy });
        if (policy.requiredApprovals === 0) await this.apply(tx, { request, model, version }, evidence, caller, justification);
        return request;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'promotion_requests_one_open')) throw new ConflictError('This version already has an open promotion request; withdraw or decide it first', { versionId });
      throw error;
    }
  }

  async approve(caller: Caller, requestId: string, comment: string | null): Promise<PromotionRequestEntity> {
    const note = optionalText('comment', comment, 2000);
    return this.db.transaction(async (tx) => {
      const locked = await this.lockOpen(tx, caller, requestId, () => ({ role: Role.APPROVER, action: 'Approving a promotion' }));
      const { request } = locked;
      if (request.requestedBy === caller.subject) {
        throw new GateFailedError(request.target, { gate: Gate.APPROVALS, passed: false, detail: 'four eyes: the requester cannot approve their own request' });
      }
      const approvals = tx.getRepository(PromotionApprovalEntity);
      if (await approvals.existsBy({ requestId: request.id, approver: caller.subject })) throw new ConflictError('You already approved this request');
      await approvals.insert({ requestId: request.id, approver: caller.subject, comment: note });
      const approvers = (await approvals.find({ where: { requestId: request.id }, order: { approvedAt: 'ASC' } })).map((a) => a.approver);
      // Every approval re-reads the evidence against the frozen gates: nobody signs off on a scan that has since FAILED.
      const decision = await this.decision(tx, locked, approvers);
      // The count frozen with the request: lowering the project's approvals later does not reach it.
      const last = approvers.length >= request.policy.requiredApprovals;
      requireGates(request.target, decision.gates, last ? [] : [Gate.APPROVALS]);
      await this.record(tx, 'promotion.approved', request, caller, note, { approvals: approvers.length, of: request.policy.requiredApprovals });
      if (last) await this.apply(tx, locked, decision, caller, note);
      return request;
    });
  }

  async reject(caller: Caller, requestId: string, reason: string): Promise<PromotionRequestEntity> {
    const why = requiredText('reason', reason, 2000);
    return this.db.transaction(async (tx) => {
      const { request } = await this.lockOpen(tx, caller, requestId, () => ({ role: Role.APPROVER, action: 'Rejecting a promotion' }));
      await closeRequest(tx, request, PromotionState.REJECTED, why, caller);
      return request;
    });
  }

  /** The requester (an editor of the project) or a project admin takes an open request back. */
  async withdraw(caller: Caller, requestId: string, reason: string | null): Promise<PromotionRequestEntity> {
    const why = optionalText('reason', reason, 2000);
    return this.db.transaction(async (tx) => {
      const { request } = await this.lockOpen(tx, caller, requestId, (r) =>
        r.requestedBy === caller.subject ? { role: Role.EDITOR, action: 'Withdrawing a promotion request' } : { role: Role.ADMIN, action: "Withdrawing someone else's request" },
      );
      await closeRequest(tx, request, PromotionState.WITHDRAWN, why, caller);
      return request;
    });
  }

  /** Open requests of a version end when it is archived (called inside the archiving transaction, once authorized). */
  async closeOpenFor(tx: EntityManager, caller: Caller, versionId: string): Promise<void> {
    const open = await tx.getRepository(PromotionRequestEntity).find({ where: { versionId, state: PromotionState.OPEN }, lock: { mode: 'pessimistic_write' } });
    for (const request of open) await closeRequest(tx, request, PromotionState.WITHDRAWN, 'the version was archived', caller);
  }

  /** A model moved to another project: its open requests were asked under the old project's people and policy. */
  withdrawOpenForModel(tx: EntityManager, caller: Caller, modelId: string, reason: string): Promise<number> {
    return withdrawOpenForModel(tx, caller, modelId, reason);
  }

  /** transitionVersion keeps the lifecycle's role rule, and never bypasses approvers the policy wants. */
  private async requireImmediate(tx: EntityManager, caller: Caller, versionId: string, project: string, policy: TargetPolicy, mover: Mover): Promise<void> {
    if (mover === Mover.APPROVER) await this.access.authorize(caller, 'Version', versionId, Role.APPROVER, `Moving a version to ${policy.target}`, tx);
    if (policy.requiredApprovals > 0) {
      const detail = `${policy.target} needs ${policy.requiredApprovals} approval(s) from approvers other than the requester in project "${project}": use requestPromotion and approvePromotion`;
      throw new GateFailedError(policy.target, { gate: Gate.APPROVALS, passed: false, detail });
    }
  }

  /** The evidence read now, with the approvals so far, judged by the request's frozen policy. */
  private async decision(tx: EntityManager, { request, model, version }: Locked, approvers: readonly string[]): Promise<EvidenceSnapshot> {
    const parties = { requester: request.requestedBy, approvers };
    return snapshot(request.policy, await gatherEvidence(tx, { licenses: this.licenses, signatures: this.signatures }, { model, version }, request.policy, request.evidence.evidence.usage, parties));
  }

  /** Moves the version on a decision whose every gate passed (read in this transaction); all or nothing. */
  private async apply(tx: EntityManager, { request, model, version }: Locked, decision: EvidenceSnapshot, caller: Caller, note: string | null): Promise<void> {
    requireGates(request.target, decision.gates);
    const approvers = decision.evidence.approvers;
    await moveVersion(tx, model, version, request.target, `promotion ${request.id}: ${request.justification}`.slice(0, 2000), caller.subject);
    // The signature is part of the published revision from the moment it is published: same transaction.
    if (request.target === LifecycleStage.PUBLISHED) await this.signing?.signAtPublish(tx, model, version.id);
    Object.assign(request, { state: PromotionState.APPROVED, decisionEvidence: decision, decidedBy: caller.subject, decisionReason: note, decidedAt: new Date() });
    await tx.getRepository(PromotionRequestEntity).save(request);
    await this.record(tx, 'promotion.applied', request, caller, note, { target: request.target, approvers, gates: decision.gates.map((g) => g.gate) });
  }

  private record(tx: EntityManager, action: PromotionAction, request: PromotionRequestEntity, caller: Caller, reason: string | null, details: Record<string, unknown>) {
    return this.audit.record(tx, promotionEntry(action, request, caller, reason, details));
  }

  /**
   * Model, then version, then request: the lock order of every lifecycle write (no deadlock with archiving or a
   * move). The role is checked in the project the model has now, before anything about the request is told:
   * another project's request is NOT_FOUND like an unknown id, whatever its state.
   */
  private async lockOpen(tx: EntityManager, caller: Caller, requestId: string, need: (r: PromotionRequestEntity) => { role: Role; action: string }): Promise<Locked> {
    const id = uuid('requestId', requestId);
    const notFound = () => new NotFoundError('Promotion request', requestId);
    const repo = tx.getRepository(PromotionRequestEntity);
    const found = await repo.findOne({ where: { id }, select: { id: true, versionId: true } });
    if (!found) throw notFound();
    const { model, version } = await lockVersionAndModel(tx, found.versionId, notFound);
    const request = await repo.findOneOrFail({ where: { id }, lock: { mode: 'pessimistic_write' } });
    const { role, action } = need(request);
    const project = await requireRoleOnLocked(tx, caller, model, 'Promotion request', requestId, role, action);
    if (request.state !== PromotionState.OPEN) throw new ConflictError(`The request is ${request.state}, no longer OPEN`, { state: request.state });
    // Moves withdraw open requests; one left from before that rule is not decided under the new project's people.
    if (request.project !== project) throw new ConflictError(`The model moved to project "${project}" after this request was opened in "${request.project}"; request the promotion again`);
    return { request, model, version };
  }
}
