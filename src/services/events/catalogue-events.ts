import type { EntityManager } from 'typeorm';
import { type AuditedEvent, eventOfAudit } from '../../domain/events/audit-events';
import type { EventType } from '../../domain/events/event-catalogue';
import type { AuditEntry } from '../../domain/governance/audit-entry';
import type { ScanFinding } from '../../domain/scanning/scan-enums';
import { type OutgoingEvent, recordEvent } from './outbox';

interface Names {
  project: string;
  model_id: string;
  model_name: string;
  version_id: string | null;
  version: string | null;
}

/** The model's project and name and the version's semver string, in the caller's transaction (one round trip). */
async function namesOf(tx: EntityManager, modelId: string, versionId: string | null): Promise<Names | null> {
  const rows = (await tx.query(
    `SELECT COALESCE(m.project, 'default') AS project, m.id AS model_id, m.name AS model_name, v.id AS version_id, v.version
     FROM models m LEFT JOIN model_versions v ON v.id = $2::uuid AND v.model_id = m.id WHERE m.id = $1::uuid`,
    [modelId, versionId],
  )) as Names[];
  return rows[0] ?? null;
}

async function versionStrings(tx: EntityManager, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = ids.filter((id): id is string => id !== null);
  if (wanted.length === 0) return new Map();
  const rows = (await tx.query(`SELECT id, version FROM model_versions WHERE id = ANY($1::uuid[])`, [wanted])) as { id: string; version: string }[];
  return new Map(rows.map((row) => [row.id, row.version]));
}

/** The names a catalogue event carries, as namesOf reads them; a caller that just wrote them passes them. */
export type EventNames = Names;

/** The event's data from the entry and the names, before the lookups some types add; null when it sends none. */
function baseEvent(entry: AuditEntry, audited: AuditedEvent, names: Names): OutgoingEvent | null {
  const data: Record<string, unknown> = { modelId: names.model_id, modelName: names.model_name, ...audited.extra };
  if (audited.type !== 'alias.moved') {
    if (!names.version_id || !names.version) return null;
    Object.assign(data, { versionId: names.version_id, version: names.version });
  }
  return { type: audited.type, project: entry.project ?? names.project, data };
}

/**
 * The catalogue event an audit entry reports, written to the outbox in the same transaction (recordAudit calls
 * it for every entry). Entries about no model (projects, webhooks) and actions outside the catalogue write none.
 */
export async function recordAuditedEvent(tx: EntityManager, entry: AuditEntry): Promise<void> {
  const audited = eventOfAudit(entry);
  if (!audited || !entry.modelId) return;
  const names = await namesOf(tx, entry.modelId, entry.versionId ?? null);
  if (!names) return;
  const event = baseEvent(entry, audited, names);
  if (!event) return;
  const data = event.data;
  if (audited.aliasVersions) {
    const strings = await versionStrings(tx, [audited.aliasVersions.from, audited.aliasVersions.to]);
    data.fromVersion = audited.aliasVersions.from ? (strings.get(audited.aliasVersions.from) ?? null) : null;
    data.toVersion = audited.aliasVersions.to ? (strings.get(audited.aliasVersions.to) ?? null) : null;
  }
  if (audited.promotionRequestId) {
    const rows = (await tx.query(`SELECT target FROM promotion_requests WHERE id = $1::uuid`, [audited.promotionRequestId])) as { target: string }[];
    data.target = rows[0]?.target ?? null;
  }
  if (audited.type === 'import.succeeded' || audited.type === 'import.failed') {
    const rows = (await tx.query(`SELECT id FROM operations WHERE version_id = $1::uuid ORDER BY created_at DESC LIMIT 1`, [names.version_id])) as { id: string }[];
    data.operationId = rows[0]?.id ?? null;
  }
  await recordEvent(tx, event);
}

/**
 * The event of an entry whose names the caller has just written (a registered model, a created version), to fold
 * into that write: no lookup. Only for types whose data is the entry and the names (not alias moves, promotions
 * or imports, which read more).
 */
export function eventOfNamedAudit(entry: AuditEntry, names: Names): OutgoingEvent | null {
  const audited = eventOfAudit(entry);
  if (!audited || !entry.modelId) return null;
  if (audited.aliasVersions || audited.promotionRequestId || audited.type === 'import.succeeded' || audited.type === 'import.failed') {
    throw new Error(`event ${audited.type} reads more than the names: record it with recordAuditedEvent`);
  }
  return baseEvent(entry, audited, names);
}

const MAX_FINDINGS = 50;

/** `scan.failed` with the scan's first findings, in the transaction that settles the scan. */
export async function recordScanFailed(tx: EntityManager, scan: { id: string; modelId: string; versionId: string; status: string; findings: readonly ScanFinding[] }): Promise<void> {
  const names = await namesOf(tx, scan.modelId, scan.versionId);
  if (!names?.version_id || !names.version) return;
  const type: EventType = 'scan.failed';
  await recordEvent(tx, {
    type,
    project: names.project,
    data: {
      modelId: names.model_id,
      modelName: names.model_name,
      versionId: names.version_id,
      version: names.version,
      scanId: scan.id,
      verdict: scan.status,
      findings: scan.findings.slice(0, MAX_FINDINGS).map((f) => ({
        path: f.path.slice(0, 300),
        scanner: f.scanner,
        severity: f.severity,
        rule: f.rule.slice(0, 200),
        message: f.message.slice(0, 200),
      })),
    },
  });
}
