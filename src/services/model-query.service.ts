import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { ModelRecord, TransitionRecord } from '../domain/catalog/catalog-records';
import {
  type Cursor,
  decodeCursor,
  encodeCursor,
  type ModelFilter,
  ModelOrder,
  type ValidModelFilter,
  validateFilter,
} from '../domain/catalog/model-query';
import { decodeEvidenceCursor, encodeEvidenceCursor, type EvidenceOrder, type ValidEvidenceOrder, validateEvidenceOrder } from '../domain/catalog/evidence-order';
import type { Caller } from '../domain/auth/caller';
import { readableCondition, readableParam } from '../domain/governance/access';
import { evidenceBestOf, evidenceBestOfAll, evidenceHeldBy, namedBinder, positionalBinder } from './filter-tree-sql';
import { filterCondition, MODEL_SUBJECT } from './model-filter-sql';
import { LifecycleTransitionEntity } from '../persistence/entities/lifecycle-transition.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { PlainRows } from '../persistence/plain-rows';

export interface ModelPage {
  nodes: { cursor: string; node: ModelRecord }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

interface SortSpec {
  /** SQL expression over alias m; timestamps are cut to milliseconds so a JS Date round-trips in a cursor. */
  expression: string;
  cast: string;
  direction: 'ASC' | 'DESC';
  valueOf: (model: ModelRecord) => string | null;
}

const SORTS: Record<ModelOrder, SortSpec> = {
  [ModelOrder.CREATED_AT_DESC]: timeSort('created_at', 'DESC', (m) => m.createdAt),
  [ModelOrder.CREATED_AT_ASC]: timeSort('created_at', 'ASC', (m) => m.createdAt),
  [ModelOrder.UPDATED_AT_DESC]: timeSort('updated_at', 'DESC', (m) => m.updatedAt),
  [ModelOrder.NAME_ASC]: { expression: 'm.name', cast: 'text', direction: 'ASC', valueOf: (m) => m.name },
  [ModelOrder.NAME_DESC]: { expression: 'm.name', cast: 'text', direction: 'DESC', valueOf: (m) => m.name },
  [ModelOrder.PARAMETER_COUNT_DESC]: paramSort('DESC'),
  [ModelOrder.PARAMETER_COUNT_ASC]: paramSort('ASC'),
};

function timeSort(column: string, direction: 'ASC' | 'DESC', pick: (m: ModelRecord) => Date): SortSpec {
  return {
    expression: `date_trunc('milliseconds', m.${column})`,
    cast: 'timestamptz',
    direction,
    valueOf: (m) => pick(m).toISOString(),
  };
}

function paramSort(direction: 'ASC' | 'DESC'): SortSpec {
  // Unknown sizes sort as -1: last when descending, first when ascending, and still keyset-comparable.
  return {
    expression: 'COALESCE(m.parameter_count, -1)',
    cast: 'bigint',
    direction,
    valueOf: (m) => (m.parameterCount ?? -1n).toString(),
  };
}

/**
 * Reads of catalog entries: lookups, the filtered connection and batch loads for DataLoaders. Every read is
 * narrowed in SQL to what the caller may read, so a model of another project is NOT_FOUND (or absent from a
 * list or batch), exactly like one that does not exist.
 */
export class ModelQueryService {
  private readonly rows: PlainRows<ModelRecord>;

  constructor(private readonly db: DataSource) {
    this.rows = new PlainRows(db, ModelEntity);
  }

  async get(caller: Caller, id: string): Promise<ModelRecord> {
    const found = await this.scoped(caller).andWhere('m.id = :id', { id: uuid('id', id) }).getOne();
    if (!found) throw new NotFoundError('Model', id);
    return found;
  }

  async getByName(caller: Caller, name: string): Promise<ModelRecord> {
    const found = await this.scoped(caller).andWhere('m.name = :name', { name: name.trim().toLowerCase() }).getOne();
    if (!found) throw new NotFoundError('Model', name);
    return found;
  }

  /** The readable ones among `ids` (DataLoader batches); the others are simply absent. */
  async byIds(caller: Caller, ids: readonly string[]): Promise<ModelRecord[]> {
    if (ids.length === 0) return [];
    return this.plain(this.scoped(caller).andWhere('m.id IN (:...ids)', { ids: [...ids] }));
  }

  async list(caller: Caller, filter: ModelFilter, first: number, after: string | null, order: ModelOrder, byEvidence: EvidenceOrder | null = null): Promise<ModelPage> {
    if (byEvidence) return this.listByEvidence(caller, validateFilter(filter), validateEvidenceOrder(byEvidence), first, after);
    const sort = SORTS[order];
    const query = this.filtered(caller, validateFilter(filter));
    if (after) this.applyCursor(query, sort, decodeCursor(after, order));
    const rows = await this.plain(query.orderBy(sort.expression, sort.direction).addOrderBy('m.id', sort.direction).limit(first + 1));
    const page = rows.slice(0, first);
    const nodes = page.map((node) => ({ node, cursor: encodeCursor({ order, value: sort.valueOf(node), id: node.id }) }));
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.cursor ?? null };
  }

  /**
   * Models with a counted result for the ordering's metric (a board: the others have no value to rank by), best
   * first, each at its best; keyset pages on (value, id) like every other ordering. Under a filter the best value
   * is a LATERAL probe per model into an index on (model, evaluation or profile, provenance, value), so a filtered
   * board reads only its models' rows; the page's ids then load as entities (two statements, whatever the page size).
   */
  private async listByEvidence(caller: Caller, filter: ValidModelFilter, order: ValidEvidenceOrder, first: number, after: string | null): Promise<ModelPage> {
    const { bind, params } = positionalBinder();
    const condition = filterCondition(filter, bind);
    // A filter narrows the models first, then each is probed; without one, the metric's rows are grouped once.
    const source = condition === 'TRUE' ? `JOIN ${evidenceBestOfAll(MODEL_SUBJECT, order, bind)} k ON k.key = m.id` : `CROSS JOIN LATERAL ${evidenceBestOf(MODEL_SUBJECT, order, bind)} k`;
    const where = ['k.value IS NOT NULL', condition];
    // Null when the caller reads everything; the parameter is bound only when the condition uses it.
    if (!caller.readsAll) where.push(readableCondition(caller, 'm', bind(readableParam(caller)))!);
    if (after) {
      const cursor = decodeEvidenceCursor(after, order);
      where.push(`(k.value, m.id) ${order.direction === 'ASC' ? '>' : '<'} (CAST(${bind(cursor.value)} AS float8), CAST(${bind(cursor.id)} AS uuid))`);
    }
    const rows: { id: string; value: number }[] = await this.db.query(
      `SELECT m.id, k.value FROM models m ${source}
        WHERE ${where.join(' AND ')} ORDER BY k.value ${order.direction}, m.id ${order.direction} LIMIT ${bind(first + 1)}`,
      params,
    );
    const page = rows.slice(0, first);
    const byId = new Map((await this.byIds(caller, page.map((r) => r.id))).map((m) => [m.id, m]));
    const nodes = page
      .filter((r) => byId.has(r.id))
      .map((r) => ({ node: byId.get(r.id)!, cursor: encodeEvidenceCursor(order, { value: Number(r.value), id: r.id }) }));
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.cursor ?? null };
  }

  count(caller: Caller, filter: ModelFilter, byEvidence: EvidenceOrder | null = null): Promise<number> {
    const query = this.filtered(caller, validateFilter(filter));
    if (!byEvidence) return query.getCount();
    const { bind, params } = namedBinder('o');
    return query.andWhere(evidenceHeldBy(MODEL_SUBJECT, validateEvidenceOrder(byEvidence), bind), params).getCount();
  }

  /** Lifecycle entries of the readable ones among `modelIds`, oldest first. */
  async transitionsFor(caller: Caller, modelIds: readonly string[]): Promise<TransitionRecord[]> {
    if (modelIds.length === 0) return [];
    return this.transitions(caller).andWhere('t.model_id IN (:...ids)', { ids: [...modelIds] }).getMany();
  }

  /** One lifecycle entry, as an event announces it by id. */
  async transition(caller: Caller, id: string): Promise<TransitionRecord> {
    const found = await this.transitions(caller).andWhere('t.id = :id', { id: uuid('id', id) }).getOne();
    if (!found) throw new NotFoundError('Lifecycle transition', id);
    return found;
  }

  async transitionsForVersions(caller: Caller, versionIds: readonly string[]): Promise<TransitionRecord[]> {
    if (versionIds.length === 0) return [];
    return this.transitions(caller).andWhere('t.version_id IN (:...ids)', { ids: [...versionIds] }).getMany();
  }

  /** The query's models as plain rows: lists and loader batches skip TypeORM's entity hydration. */
  private async plain(query: SelectQueryBuilder<ModelEntity>): Promise<ModelRecord[]> {
    return this.rows.read(await query.select(this.rows.select('m')).getRawMany());
  }

  private applyCursor(query: SelectQueryBuilder<ModelEntity>, sort: SortSpec, cursor: Cursor): void {
    const op = sort.direction === 'ASC' ? '>' : '<';
    query.andWhere(`(${sort.expression}, m.id) ${op} (CAST(:cursorValue AS ${sort.cast}), CAST(:cursorId AS uuid))`, {
      cursorValue: cursor.value,
      cursorId: cursor.id,
    });
  }

  /** Models of the projects the caller reads (and public ones): every read path starts here. */
  private scoped(caller: Caller): SelectQueryBuilder<ModelEntity> {
    return readableOnly(caller, this.db.getRepository(ModelEntity).createQueryBuilder('m'));
  }

  private transitions(caller: Caller): SelectQueryBuilder<LifecycleTransitionEntity> {
    const q = this.db.getRepository(LifecycleTransitionEntity).createQueryBuilder('t').innerJoin(ModelEntity, 'm', 'm.id = t.model_id');
    return readableOnly(caller, q).orderBy('t.occurred_at', 'ASC').addOrderBy('t.id', 'ASC');
  }

  /** The filter tree compiled to one condition with bound parameters, after the caller's read scope. */
  private filtered(caller: Caller, filter: ValidModelFilter): SelectQueryBuilder<ModelEntity> {
    const q = this.scoped(caller);
    const { bind, params } = namedBinder('f');
    const condition = filterCondition(filter, bind);
    return condition === 'TRUE' ? q : q.andWhere(condition, params);
  }

}

/** Adds the caller's read scope over the models alias `m` of a query (nothing when the caller reads everything). */
export function readableOnly<T extends object>(caller: Caller, q: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  const condition = readableCondition(caller, 'm', ':readable');
  return condition ? q.andWhere(condition, { readable: readableParam(caller) }) : q;
}
