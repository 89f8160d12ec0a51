import type { AuditEntry } from '../governance/audit-entry';
import type { EventType } from './event-catalogue';

/**
 * Which catalogue event an audit entry reports, if any. The audit log is written in the transaction of every
 * governed change, so deriving events from it means no change path can forget its event. `extra` is the data
 * the entry itself carries; the outbox writer adds the names (model, version) a receiver needs.
 */
export interface AuditedEvent {
  type: EventType;
  extra: Record<string, unknown>;
  /** Versions whose semver string the data needs besides the entry's own (alias moves: from and to). */
  aliasVersions?: { from: string | null; to: string | null };
  /** A promotion request whose target the data needs. */
  promotionRequestId?: string;
}

const bounded = (value: string | null | undefined, max: number): string | null => (value ? value.slice(0, max) : null);
const idOrNull = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

export function eventOfAudit(entry: AuditEntry): AuditedEvent | null {
  const details = entry.details ?? {};
  const reason = bounded(entry.reason, 500);
  switch (entry.action) {
    case 'version.created':
      return entry.versionId ? { type: 'version.created', extra: { actor: entry.actor } } : null;
    case 'version.moved':
      return movedEvent(entry, details, reason);
    case 'version.archived':
      return { type: 'version.archived', extra: { actor: entry.actor, reason } };
    // version.quarantined: scan-quarantine.service sends version.out_of_service itself, naming the version's deployments.
    case 'promotion.requested':
      return { type: 'promotion.requested', extra: { requestId: entry.subjectId, target: details.target, requestedBy: entry.actor, justification: reason } };
    case 'promotion.approved':
      return { type: 'promotion.approved', extra: { requestId: entry.subjectId, approvedBy: entry.actor, comment: reason, approvals: details.approvals ?? null }, promotionRequestId: entry.subjectId ?? undefined };
    case 'promotion.rejected':
      return { type: 'promotion.rejected', extra: { requestId: entry.subjectId, rejectedBy: entry.actor, comment: reason }, promotionRequestId: entry.subjectId ?? undefined };
    case 'license.blocked':
      // A promotion blocked by an upstream licence change: the upstream watch sends its own, richer event.
      if (details.upstreamLicense !== undefined) return null;
      return { type: 'license.blocked', extra: { license: idOrNull(details.licenseId), usage: details.usage ?? null, reason } };
    case 'alias.set':
    case 'alias.removed':
    case 'default.changed': {
      const from = idOrNull(details.from ?? details.before);
      const to = idOrNull(details.to ?? details.after);
      if (from === to) return null;
      const alias = typeof details.alias === 'string' ? details.alias : entry.action === 'default.changed' ? 'default' : (entry.subjectId ?? 'default');
      return { type: 'alias.moved', extra: { alias, fromVersionId: from, toVersionId: to, actor: entry.actor }, aliasVersions: { from, to } };
    }
    default:
      return null;
  }
}

function movedEvent(entry: AuditEntry, details: Record<string, unknown>, reason: string | null): AuditedEvent | null {
  if (!entry.versionId) return null;
  if (details.to === 'PUBLISHED') return { type: 'version.published', extra: { actor: entry.actor } };
  if (details.from !== 'INGESTING') return null;
  if (details.to === 'VERIFIED') return { type: 'import.succeeded', extra: {} };
  if (details.to === 'NEEDS_ATTENTION') return { type: 'import.failed', extra: { message: reason } };
  return null;
}
