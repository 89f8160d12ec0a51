import type { GateResult, PromotionEvidence } from './gates';
import type { PromotionTarget, TargetPolicy } from './promotion-policy';

export enum PromotionState {
  OPEN = 'OPEN',
  /** Approved and applied: the version moved. */
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  WITHDRAWN = 'WITHDRAWN',
}

/** The evidence and each gate's verdict at one moment (the request, or the decision that applied it). */
export interface EvidenceSnapshot {
  evidence: PromotionEvidence;
  gates: GateResult[];
  at: string;
}

export interface PromotionRequestRecord {
  id: string;
  modelId: string;
  versionId: string;
  /** The project the request was opened in; every check reads the model's project as it is at that moment. */
  project: string;
  target: PromotionTarget;
  state: PromotionState;
  requestedBy: string;
  justification: string;
  requiredApprovals: number;
  /** The policy frozen when the request opened: its gates, approvals and accepted provenances. */
  policy: TargetPolicy;
  evidence: EvidenceSnapshot;
  decisionEvidence: EvidenceSnapshot | null;
  decidedBy: string | null;
  decisionReason: string | null;
  decidedAt: Date | null;
  createdAt: Date;
}

export interface PromotionApprovalRecord {
  requestId: string;
  approver: string;
  comment: string | null;
  approvedAt: Date;
}
