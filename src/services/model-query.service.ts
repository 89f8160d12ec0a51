import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { ModelRecord, TransitionRecord } from '../domain/catalog/catalog-records';
import {
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
import { type Bind, EVIDENCE_PROBE_LIMIT, evidenceAfter, evidenceBestOf, evidenceHeldBy, evidenceWalk, positionalBinder } from './filter-tree-sql';
import { drivingEvidence, filterCondition, MODEL_SUBJECT } from './model-filter-sql';
import { cappedCount, type CappedCount, type OrderKey, pageStatement } from './model-page-sql';
import { LifecycleTransitionEntity } from '../persistence/entities/lifecycle-transition.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { PlainRows } from '../persistence/plain-rows';

/** How many models match a filter, and whether that figure is exact or the planner's estimate (above a cap). */
export type ModelCount = CappedCount;

export interface ModelPage {
  nodes: { cursor: string; node: ModelRecord }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

interface SortSpec extends OrderKey {
  valueOf: (model: ModelRecord) => string | null;
}

const SORTS: Record<ModelOrder, SortSpec> = {
  [ModelOrder.CREATED_AT_DESC]: timeSort('created_at', 'DESC', (m) => m.createdAt),
  [ModelOrder.CREATED_AT_ASC]: timeSort('created_at', 'ASC', (m) => m.createdAt),
  [ModelOrder.UPDATED_AT_DESC]: timeSort('updated_at', 'DESC', (m) => m.updatedAt),
  [ModelOrder.NAME_ASC]: { key: (a) => `${a}.name`, cast: 'text', direction: 'ASC', valueOf: (m) => m.name },
  [ModelOrder.NAME_DESC]: { key: (a) => `${a}.name`, cast: 'text', direction: 'DESC', valueOf: (m) => m.name },
  [ModelOrder.PARAMETER_COUNT_DESC]: paramSort('DESC'),
  [ModelOrder.PARAMETER_COUNT_ASC]: paramSort('ASC'),
};

/** Timestamps are cut to milliseconds so a JS Date round-trips in a cursor; in UTC, so the key is indexable. */
function timeSort(column: string, direction: 'ASC' | 'DESC', pick: (m: ModelRecord) => Date): SortSpec {
  return {
    key: (a) => `date_trunc('milliseconds', ${a}.${column}, 'UTC')`,
    cast: 'timestamptz',
    direction,
    valueOf: (m) => pick(m).toISOString(),
  };
}

function paramSort(direction: 'ASC' | 'DESC'): SortSpec {
  // Unknown sizes sort as -1: last when descending, first when ascending, and still keyset-comparable.
  return {
    key: (a) => `COALESCE(${a}.parameter_count, -1)`,
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
  private size = { rows: 0, at: 0 };

  /** `evidenceProbeLimit`: see EVIDENCE_PROBE_LIMIT (a test gives 0 to take the index walk on a small catalog). */
  constructor(
    private readonly db: DataSource,
    private readonly evidenceProbeLimit = EVIDENCE_PROBE_LIMIT,
  ) {
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
    const { bind, params } = positionalBinder();
    const valid = validateFilter(filter);
    const condition = this.scopedCondition(caller, valid, bind);
    const cursor = after ? decodeCursor(after, order) : null;
    const statement = pageStatement({ condition, order: sort, cursor, first, bind, catalogRows: await this.catalogRows(), driving: drivingEvidence(valid, bind) });
    const rows: { id: string }[] = await this.db.query(statement, params);
    const page = await this.inOrder(caller, rows.slice(0, first).map((r) => r.id));
    const nodes = page.map((node) => ({ node, cursor: encodeCursor({ order, value: sort.valueOf(node), id: node.id }) }));
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.cursor ?? null };
  }

  /**
   * The catalog's size as the planner last counted it (pg_class.reltuples, kept by ANALYZE and autovacuum), which
   * sizes a page's plan; read again at most once a minute.
   */
  private async catalogRows(): Promise<number> {
    if (Date.now() - this.size.at > 60_000) {
      const [{ rows }]: { rows: number }[] = await this.db.query(`SELECT greatest(reltuples, 0)::float8 AS rows FROM pg_class WHERE oid = 'models'::regclass`);
      this.size = { rows: Number(rows), at: Date.now() };
    }
    return this.size.rows;
  }

  /** The readable ones among `ids` as entities, in the order of `ids` (one statement). */
  private async inOrder(caller: Caller, ids: readonly string[]): Promise<ModelRecord[]> {
    const byId = new Map((await this.byIds(caller, ids)).map((m) => [m.id, m]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** The filter and the caller's read scope as one condition over alias `m`, bound through `bind`. */
  private scopedCondition(caller: Caller, filter: ValidModelFilter, bind: Bind): string {
    const condition = filterCondition(filter, bind);
    // Null when the caller reads everything; the parameter is bound only when the condition uses it.
    return caller.readsAll ? condition : `${condition} AND ${readableCondition(caller, 'm', bind(readableParam(caller)))!}`;
  }

  /**
   * Models with a counted result for the ordering's metric (a board: the others have no value to rank by), best
   * first, each at its best; keyset pages on (value, id) like every other ordering. The filter's models are counted
   * up to EVIDENCE_PROBE_LIMIT first: so few are each probed for their best value (evidenceBestOf); more walk the
   * metric's index in value order, keeping each model's best row while the filter tests the walked models, so the
   * page stops after its rows (evidenceWalk). The page's ids then load as entities.
   */
  private async listByEvidence(caller: Caller, filter: ValidModelFilter, order: ValidEvidenceOrder, first: number, after: string | null): Promise<ModelPage> {
    const cursor = after ? decodeEvidenceCursor(after, order) : null;
    const { bind, params } = positionalBinder();
    const condition = this.scopedCondition(caller, filter, bind);
    const [{ n }]: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM models m WHERE ${condition} LIMIT ${this.evidenceProbeLimit + 1}) s`, [...params]);
    if (n === 0) return { nodes: [], hasNextPage: false, endCursor: null };
    const dir = order.direction;
    let statement: string;
    if (n <= this.evidenceProbeLimit) {
      const where = [condition, 'k.value IS NOT NULL'];
      if (cursor) where.push(evidenceAfter('k.value', 'm.id', dir, cursor, bind));
      statement = `SELECT m.id, k.value FROM models m CROSS JOIN LATERAL ${evidenceBestOf(MODEL_SUBJECT, order, bind)} k
        WHERE ${where.join(' AND ')} ORDER BY k.value ${dir}, m.id ${dir} LIMIT ${bind(first + 1)}`;
    } else {
      const walk = evidenceWalk(MODEL_SUBJECT, order, bind);
      const where = [...walk.conditions, condition];
      if (cursor) where.push(evidenceAfter(walk.value, walk.key, dir, cursor, bind));
      statement = `SELECT m.id, ${walk.value} AS value FROM ${walk.table} ${walk.alias} JOIN models m ON m.id = ${walk.key}
        WHERE ${where.join(' AND ')} ORDER BY ${walk.value} ${dir}, ${walk.key} ${dir} LIMIT ${bind(first + 1)}`;
    }
    const rows: { id: string; value: number }[] = await this.db.query(statement, params);
    const page = rows.slice(0, first);
    const byId = new Map((await this.byIds(caller, page.map((r) => r.id))).map((m) => [m.id, m]));
    const nodes = page
      .filter((r) => byId.has(r.id))
      .map((r) => ({ node: byId.get(r.id)!, cursor: encodeEvidenceCursor(order, { value: Number(r.value), id: r.id }) }));
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.cursor ?? null };
  }

  /** Matches of the filter (and, under an evidence ordering, holding its metric), capped as cappedCount says. */
  async count(caller: Caller, filter: ModelFilter, byEvidence: EvidenceOrder | null = null): Promise<ModelCount> {
    const { bind, params } = positionalBinder();
    let condition = this.scopedCondition(caller, validateFilter(filter), bind);
    if (byEvidence) condition = `${condition} AND ${evidenceHeldBy(MODEL_SUBJECT, validateEvidenceOrder(byEvidence), bind)}`;
    return cappedCount(this.db, 'models m', condition, params);
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

  /** Models of the projects the caller reads (and public ones): every read path starts here. */
  private scoped(caller: Caller): SelectQueryBuilder<ModelEntity> {
    return readableOnly(caller, this.db.getRepository(ModelEntity).createQueryBuilder('m'));
  }

  private transitions(caller: Caller): SelectQueryBuilder<LifecycleTransitionEntity> {
    const q = this.db.getRepository(LifecycleTransitionEntity).createQueryBuilder('t').innerJoin(ModelEntity, 'm', 'm.id = t.model_id');
    return readableOnly(caller, q).orderBy('t.occurred_at', 'ASC').addOrderBy('t.id', 'ASC');
  }

}

/** Adds the caller's read scope over the models alias `m` of a query (nothing when the caller reads everything). */
export function readableOnly<T extends object>(caller: Caller, q: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  const condition = readableCondition(caller, 'm', ':readable');
  return condition ? q.andWhere(condition, { readable: readableParam(caller) }) : q;
}
