import type { DataSource, EntityManager } from 'typeorm';
import type { AuditEntry } from '../domain/governance/audit-entry';
import { DEFAULT_PROJECT } from '../domain/governance/project';
import { recordAuditedEvent } from './events/catalogue-events';
import { EVENTS_CHANNEL } from './events/hub-events';
import { FoldedWrite } from './folded-write';

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
  const row = await auditInto(new FoldedWrite(), entry).run(tx);
  // Every governed change writes its audit entry here, in its transaction: its webhook event goes out with it.
  await recordAuditedEvent(tx, entry);
  return String(row['audit.id']);
}

/**
 * The audit row and the NOTIFY telling `modelEvents` subscribers about it, as parts of a folded write (`part`
 * names it there; its id comes back as `<part>.id`). Without `entry.project` the project is the model's as the
 * statement's snapshot has it: a write that inserts the model in the same statement passes the project.
 * The catalogue event the entry reports is the caller's to add (`recordAuditedEvent`, or folded by a caller that
 * knows the names).
 */
export function auditInto(w: FoldedWrite, entry: AuditEntry, part = 'audit'): FoldedWrite {
  const model = w.param(entry.modelId ?? null, 'uuid');
  const project = entry.project ? w.param(entry.project) : `(SELECT COALESCE(m.project, '${DEFAULT_PROJECT}') FROM models m WHERE m.id = ${model})`;
  w.sql(
    part,
    `INSERT INTO audit_log (actor, action, project, model_id, version_id, subject_id, reason, request_id, details)
     VALUES (${w.param(entry.actor.slice(0, 256))}, ${w.param(entry.action)}, ${project}, ${model}, ${w.param(entry.versionId ?? null, 'uuid')},
       ${w.param(entry.subjectId?.slice(0, 256) ?? null)}, ${w.param(entry.reason?.slice(0, MAX_TEXT) ?? null)}, ${w.param(entry.requestId?.slice(0, 128) ?? null)},
       ${w.param(boundedDetails(entry.details), 'jsonb')})
     RETURNING id`,
    ['id'],
  );
  // The event names the row (its id is only known here): the payload is built in SQL, in encodeEvent's shape.
  if (entry.modelId) w.notify(EVENTS_CHANNEL, `json_build_object('kind', 'audit', 'modelId', ${model}, 'auditId', ${part}.id::text)::text`);
  return w;
}
