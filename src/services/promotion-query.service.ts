import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { NotFoundError, ValidationError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { readableCondition, readableParam } from '../domain/governance/access';
import { PROJECT_SQL, projectId } from '../domain/governance/project';
import type { PromotionApprovalRecord, PromotionRequestRecord, PromotionState } from '../domain/governance/promotion-request';
import { ModelEntity } from '../persistence/entities/model.entity';
import { PromotionApprovalEntity, PromotionRequestEntity } from '../persistence/entities/promotion-request.entity';

export interface PromotionPage {
  nodes: { cursor: string; node: PromotionRequestRecord }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

function encode(request: PromotionRequestRecord): string {
  return Buffer.from(JSON.stringify([request.createdAt.toISOString(), request.id])).toString('base64url');
}

function decode(cursor: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string') return [new Date(at).toISOString(), uuid('after', id)];
  } catch {
    // fall through: any undecodable cursor is the same client mistake
  }
  throw new ValidationError('after', 'is not a cursor of this list');
}

/**
 * The approvers' queue and the per-model and per-version lists of requests, oldest first. Every read joins the
 * request's model and keeps only what the caller may read of the project the model is in now (a request moves
 * with its model), so a forgotten check returns nothing.
 */
export class PromotionQueryService {
  constructor(private readonly db: DataSource) {}

  async list(caller: Caller, state: PromotionState | null, project: string | null, first: number, after: string | null): Promise<PromotionPage> {
    const q = this.requests(caller);
    if (state) q.andWhere('r.state = :state', { state });
    if (project) q.andWhere(`${PROJECT_SQL('m')} = :project`, { project: projectId('project', project) });
    if (after) {
      const [at, id] = decode(after);
      q.andWhere("(date_trunc('milliseconds', r.created_at), r.id) > (CAST(:at AS timestamptz), CAST(:id AS uuid))", { at, id });
    }
    const rows = await q.orderBy("date_trunc('milliseconds', r.created_at)", 'ASC').addOrderBy('r.id', 'ASC').limit(first + 1).getMany();
    const nodes = rows.slice(0, first).map((node) => ({ node, cursor: encode(node) }));
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.cursor ?? null };
  }

  /** NOT_FOUND for an unknown id and for a request of a model the caller cannot read, alike. */
  async get(caller: Caller, id: string): Promise<PromotionRequestRecord> {
    const found = await this.requests(caller).andWhere('r.id = :id', { id: uuid('id', id) }).getOne();
    if (!found) throw new NotFoundError('Promotion request', id);
    return found;
  }

  forModels(caller: Caller, modelIds: readonly string[]): Promise<PromotionRequestRecord[]> {
    return this.requests(caller).andWhere('r.model_id = ANY(:ids)', { ids: [...modelIds] }).orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').getMany();
  }

  forVersions(caller: Caller, versionIds: readonly string[]): Promise<PromotionRequestRecord[]> {
    return this.requests(caller).andWhere('r.version_id = ANY(:ids)', { ids: [...versionIds] }).orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').getMany();
  }

  approvalsFor(caller: Caller, requestIds: readonly string[]): Promise<PromotionApprovalRecord[]> {
    const q = this.db.getRepository(PromotionApprovalEntity).createQueryBuilder('a')
      .innerJoin(PromotionRequestEntity, 'r', 'r.id = a.request_id')
      .innerJoin(ModelEntity, 'm', 'm.id = r.model_id')
      .where('a.request_id = ANY(:ids)', { ids: [...requestIds] });
    return readable(q, caller).orderBy('a.approved_at', 'ASC').getMany();
  }

  private requests(caller: Caller): SelectQueryBuilder<PromotionRequestEntity> {
    const q = this.db.getRepository(PromotionRequestEntity).createQueryBuilder('r').innerJoin(ModelEntity, 'm', 'm.id = r.model_id');
    return readable(q, caller);
  }
}

function readable<T extends ObjectLiteral>(q: SelectQueryBuilder<T>, caller: Caller): SelectQueryBuilder<T> {
  const condition = readableCondition(caller, 'm', ':readable');
  return condition ? q.andWhere(condition, { readable: readableParam(caller) }) : q;
}
