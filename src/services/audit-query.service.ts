import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { NotFoundError, ValidationError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { Caller } from '../domain/auth/caller';
import { readableCondition, readableParam } from '../domain/governance/access';
import { type AuditRecord, isAuditAction } from '../domain/governance/audit-entry';
import { projectId } from '../domain/governance/project';
import { AuditLogEntity } from '../persistence/entities/audit-log.entity';

export interface AuditFilter {
  modelId?: string | null;
  actor?: string | null;
  action?: string | null;
  project?: string | null;
  since?: Date | null;
}

export interface AuditPage {
  nodes: AuditRecord[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const CURSOR = /^[1-9][0-9]{0,18}$/;

/**
 * Reads of the audit trail, oldest first (a trail reads forward); the id is the cursor. An entry belongs to the
 * project it was written in (it outlives its model, and a model's move): readable where that project is.
 */
export class AuditQueryService {
  constructor(private readonly db: DataSource) {}

  async list(caller: Caller, filter: AuditFilter, first: number, after: string | null): Promise<AuditPage> {
    const q = this.filtered(caller, filter);
    if (after) {
      if (!CURSOR.test(after)) throw new ValidationError('after', 'is not a cursor of this list');
      q.andWhere('a.id > CAST(:after AS bigint)', { after });
    }
    const rows = await q.orderBy('a.id', 'ASC').limit(first + 1).getMany();
    const nodes = rows.slice(0, first);
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.id ?? null };
  }

  /** Entries matching the filter across all pages, read under the same scope as `list`. */
  async count(caller: Caller, filter: AuditFilter): Promise<number> {
    return this.filtered(caller, filter).getCount();
  }

  /** One entry (an event names it by id); NOT_FOUND when unknown or in a project the caller cannot read. */
  async get(caller: Caller, id: string): Promise<AuditRecord> {
    if (!CURSOR.test(id)) throw new NotFoundError('Audit entry', id);
    const found = await this.readable(caller).andWhere('a.id = CAST(:id AS bigint)', { id }).getOne();
    if (!found) throw new NotFoundError('Audit entry', id);
    return found;
  }

  private readable(caller: Caller): SelectQueryBuilder<AuditLogEntity> {
    const q = this.db.getRepository(AuditLogEntity).createQueryBuilder('a');
    // audit_log.project is the model's project when written (PROJECT_SQL applies the same default).
    const condition = readableCondition(caller, 'a', ':readable');
    return condition ? q.andWhere(condition, { readable: readableParam(caller) }) : q;
  }

  private filtered(caller: Caller, filter: AuditFilter): SelectQueryBuilder<AuditLogEntity> {
    const q = this.readable(caller);
    if (filter.modelId) q.andWhere('a.model_id = :modelId', { modelId: uuid('modelId', filter.modelId) });
    if (filter.actor) q.andWhere('a.actor = :actor', { actor: filter.actor });
    if (filter.action) {
      if (!isAuditAction(filter.action)) throw new ValidationError('action', 'is not an audit action');
      q.andWhere('a.action = :action', { action: filter.action });
    }
    if (filter.project) q.andWhere('a.project = :project', { project: projectId('project', filter.project) });
    if (filter.since) q.andWhere('a.occurred_at >= :since', { since: filter.since });
    return q;
  }
}

/** One JSON object per line, keys in a fixed order: what `auditLogExport` and archival tools read. */
export function toJsonLines(records: readonly AuditRecord[]): string {
  return records
    .map((r) =>
      JSON.stringify({
        id: r.id,
        occurredAt: r.occurredAt.toISOString(),
        actor: r.actor,
        action: r.action,
        project: r.project,
        modelId: r.modelId,
        versionId: r.versionId,
        subjectId: r.subjectId,
        reason: r.reason,
        requestId: r.requestId,
        details: r.details,
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}
