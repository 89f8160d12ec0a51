import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { NotFoundError, ValidationError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { ReadScope } from '../domain/governance/access';
import type { PromotionApprovalRecord, PromotionRequestRecord, PromotionState } from '../domain/governance/promotion-request';
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

/** The approvers' queue and the per-model and per-version lists of requests, oldest first. */
export class PromotionQueryService {
  constructor(private readonly db: DataSource) {}

  async list(scope: ReadScope, state: PromotionState | null, project: string | null, first: number, after: string | null): Promise<PromotionPage> {
    const q = this.db.getRepository(PromotionRequestEntity).createQueryBuilder('r');
    if (!scope.all) q.andWhere('(r.project = ANY(:readable) OR EXISTS (SELECT 1 FROM projects gp WHERE gp.id = r.project AND gp.public))', { readable: scope.projects });
    if (state) q.andWhere('r.state = :state', { state });
    if (project) q.andWhere('r.project = :project', { project });
    if (after) {
      const [at, id] = decode(after);
      q.andWhere('(date_trunc(\'milliseconds\', r.created_at), r.id) > (CAST(:at AS timestamptz), CAST(:id AS uuid))', { at, id });
    }
    const rows = await q.orderBy("date_trunc('milliseconds', r.created_at)", 'ASC').addOrderBy('r.id', 'ASC').limit(first + 1).getMany();
    const nodes = rows.slice(0, first).map((node) => ({ node, cursor: encode(node) }));
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.cursor ?? null };
  }

  async get(id: string): Promise<PromotionRequestRecord> {
    const found = await this.db.getRepository(PromotionRequestEntity).findOneBy({ id: uuid('id', id) });
    if (!found) throw new NotFoundError('Promotion request', id);
    return found;
  }

  forModels(modelIds: readonly string[]): Promise<PromotionRequestRecord[]> {
    return this.db.getRepository(PromotionRequestEntity).find({ where: { modelId: In([...modelIds]) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  forVersions(versionIds: readonly string[]): Promise<PromotionRequestRecord[]> {
    return this.db.getRepository(PromotionRequestEntity).find({ where: { versionId: In([...versionIds]) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  approvalsFor(requestIds: readonly string[]): Promise<PromotionApprovalRecord[]> {
    return this.db.getRepository(PromotionApprovalEntity).find({ where: { requestId: In([...requestIds]) }, order: { approvedAt: 'ASC' } });
  }
}
