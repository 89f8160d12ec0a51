import type { DataSource, EntityManager } from 'typeorm';
import type { AuditEntry } from '../domain/governance/audit-entry';
import { DEFAULT_PROJECT } from '../domain/governance/project';
import { recordAuditedEvent } from './events/catalogue-events';
import { publishEvent } from './events/hub-events';

/** Details larger than this are replaced by a marker: the log holds facts, not payloads. */
const MAX_DETAILS_BYTES = 16 * 1024;
const MAX_TEXT = 2000;

function boundedDetails(details: Record<string, unknown> | undefined): string {
  const json = JSON.stringify(details ?? {}, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  return Buffer.byteLength(json) <= MAX_DETAILS_BYTES ? json : JSON.stringify({ truncated: true, bytes: Buffer.byteLength(json) });
}

/**
 * Writes the append-only audit trail. `record` joins the caller's transaction, so an entry exists exactly when
 * the change it describes committed; the NOTIFY that tells `modelEvents` subscribers goes out on that commit.
 */
export class AuditService {
  constructor(private readonly db: DataSource) {}

  record(tx: EntityManager, entry: AuditEntry): Promise<string> {
    return recordAudit(tx, entry);
  }

  /** For callers without a transaction of their own (a refused license check leaves nothing else to commit). */
  recordAlone(entry: AuditEntry): Promise<string> {
    return this.db.transaction((tx) => recordAudit(tx, entry));
  }
}

/** The insert itself, for code that has a transaction but no service container (model-transition's moves). */
export async function recordAudit(tx: EntityManager, entry: AuditEntry): Promise<string> {
  // The project defaults to the model's (one statement, no extra round trip); a deleted model passes its own.
  const [row] = (await tx.query(
    `INSERT INTO audit_log (actor, action, project, model_id, version_id, subject_id, reason, request_id, details)
     VALUES ($1, $2, COALESCE($3, (SELECT COALESCE(m.project, '${DEFAULT_PROJECT}') FROM models m WHERE m.id = $4::uuid)), $4, $5, $6, $7, $8, $9::jsonb)
     RETURNING id`,
    [
      entry.actor.slice(0, 256),
      entry.action,
      entry.project ?? null,
      entry.modelId ?? null,
      entry.versionId ?? null,
      entry.subjectId?.slice(0, 256) ?? null,
      entry.reason?.slice(0, MAX_TEXT) ?? null,
      entry.requestId?.slice(0, 128) ?? null,
      boundedDetails(entry.details),
    ],
  )) as { id: string }[];
  if (entry.modelId) await publishEvent(tx, { kind: 'audit', modelId: entry.modelId, auditId: String(row.id) });
  // Every governed change writes its audit entry here, in its transaction: its webhook event goes out with it.
  await recordAuditedEvent(tx, entry);
  return String(row.id);
}
