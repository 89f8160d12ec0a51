import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { PromotionTarget, TargetPolicy } from '../../domain/governance/promotion-policy';
import type { EvidenceSnapshot, PromotionApprovalRecord, PromotionRequestRecord, PromotionState } from '../../domain/governance/promotion-request';

/** Snapshots hold bigints (monthly active users): stored as decimal strings, read back as bigint. */
const snapshotColumn = {
  to: (value: EvidenceSnapshot | null) => (value === null ? null : JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown),
  from: (value: EvidenceSnapshot | null) => {
    if (value === null) return null;
    const usage = value.evidence.usage as unknown as { monthlyActiveUsers: string | bigint };
    return { ...value, evidence: { ...value.evidence, usage: { ...value.evidence.usage, monthlyActiveUsers: BigInt(usage.monthlyActiveUsers) } } };
  },
};

@Entity({ name: 'promotion_requests' })
export class PromotionRequestEntity implements PromotionRequestRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ name: 'version_id', type: 'uuid' })
  versionId!: string;

  @Column({ type: 'text' })
  project!: string;

  @Column({ type: 'text' })
  target!: PromotionTarget;

  @Column({ type: 'text' })
  state!: PromotionState;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Column({ type: 'text' })
  justification!: string;

  @Column({ name: 'required_approvals', type: 'integer' })
  requiredApprovals!: number;

  /** Frozen when the request opens (migration 1764000000080); the project's later policy changes do not reach it. */
  @Column({ type: 'jsonb' })
  policy!: TargetPolicy;

  @Column({ type: 'jsonb', transformer: snapshotColumn })
  evidence!: EvidenceSnapshot;

  @Column({ name: 'decision_evidence', type: 'jsonb', nullable: true, transformer: snapshotColumn })
  decisionEvidence!: EvidenceSnapshot | null;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decision_reason', type: 'text', nullable: true })
  decisionReason!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'promotion_approvals' })
export class PromotionApprovalEntity implements PromotionApprovalRecord {
  @PrimaryColumn({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @PrimaryColumn({ type: 'text' })
  approver!: string;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @CreateDateColumn({ name: 'approved_at', type: 'timestamptz' })
  approvedAt!: Date;
}
