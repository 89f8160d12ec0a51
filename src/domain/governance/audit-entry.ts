/**
 * What the audit log records. Actions are dotted `<subject>.<verb>` names; the list is closed so a typo in a
 * service cannot invent an action nobody queries for.
 */
export const AUDIT_ACTIONS = [
  'model.registered',
  'model.updated',
  'model.deleted',
  'version.created',
  'version.moved',
  'version.updated',
  'version.archived',
  'version.deleted',
  'promotion.requested',
  'promotion.approved',
  'promotion.rejected',
  'promotion.withdrawn',
  'promotion.applied',
  'license.blocked',
  'license.acknowledged',
  'alias.set',
  'alias.removed',
  'default.changed',
  'project.configured',
  'version.quarantined',
  'version.reinstated',
  'evaluation.recorded',
  'benchmark.recorded',
  'deployment.recorded',
  'deployment.ended',
  'upstream.changed',
  'upstream.license_changed',
  'upstream.unavailable',
  'store.created',
  'store.updated',
  'store.deleted',
  'project.storage-configured',
  'model.store-set',
  'version.store-moved',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'webhook.disabled',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && (AUDIT_ACTIONS as readonly string[]).includes(value);
}

/** One change of one field, for `model.updated` and the like: values as JSON, bounded by the caller. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  action: AuditAction;
  /** The token's subject, or a system actor such as `onboarding-worker`. */
  actor: string;
  modelId?: string | null;
  versionId?: string | null;
  /** Defaults to the model's project when a modelId is given. */
  project?: string | null;
  /** The other thing the entry is about: a promotion request id, an alias name, … */
  subjectId?: string | null;
  reason?: string | null;
  requestId?: string | null;
  /** Small JSON facts: field changes, gate results, the usage checked. Never file contents or unbounded lists. */
  details?: Record<string, unknown>;
}

export interface AuditRecord {
  id: string;
  occurredAt: Date;
  actor: string;
  action: AuditAction;
  project: string | null;
  modelId: string | null;
  versionId: string | null;
  subjectId: string | null;
  reason: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** Who does something and under which request: what every governed write needs for its audit entry. */
export interface ActorRef {
  subject: string;
  requestId: string | null;
}
