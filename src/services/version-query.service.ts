import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import type { VersionRecord } from '../domain/catalog/catalog-records';
import { decodeEvidenceCursor, encodeEvidenceCursor, type EvidenceOrder, type ValidEvidenceOrder, validateEvidenceOrder } from '../domain/catalog/evidence-order';
import {
  decodeVersionCursor,
  encodeVersionCursor,
  type ValidVersionFilter,
  type VersionFilter,
  VersionOrder,
  validateVersionFilter,
} from '../domain/catalog/version-query';
import { readableCondition, readableParam } from '../domain/governance/access';
import { compareSemVer } from '../domain/versioning/semver';
import { type Bind, EVIDENCE_PROBE_LIMIT, evidenceAfter, evidenceBestOf, type EvidenceWalk, evidenceHeldBy, evidenceWalk, positionalBinder } from './filter-tree-sql';
import { VersionEntity } from '../persistence/entities/version.entity';
import { PlainRows } from '../persistence/plain-rows';
import { cappedCount, type CappedCount } from './model-page-sql';
import { ofModels, VERSION_SUBJECT, versionFilterCondition } from './version-filter-sql';
import type { VersionService } from './version.service';

export interface VersionPage {
  nodes: { cursor: string; node: VersionRecord }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** The creation time as the cursor carries it: UTC to the microsecond, so a page boundary never splits or repeats a row. */
const CREATED_TEXT = `to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;

interface Ordered {
  /** The sorted statement's FROM/JOIN tail after the versions and their models. */
  source: string;
  /** What the source needs of its rows (an evidence ordering's). */
  conditions: string[];
  /** What is selected as `value` (and encoded into the cursor). */
  value: string;
  /** What is compared in the keyset. */
  key: string;
  /** The id the keyset breaks ties on (the walked evidence's key under an evidence ordering, for its index's order). */
  id: string;
  direction: 'ASC' | 'DESC';
}

/**
 * The versions' filter (filter-tree.ts, the same language as the models'): one statement of ids under the caller's read
 * scope, keyset-paged on (sort value, id), then the page's versions load by id (two statements whatever the page size).
 */
export class VersionQueryService {
  private readonly rows: PlainRows<VersionEntity>;

  constructor(
    private readonly db: DataSource,
    private readonly versions: VersionService,
    /** See EVIDENCE_PROBE_LIMIT (a test gives 0 to take the index walk on a small catalog). */
    private readonly evidenceProbeLimit = EVIDENCE_PROBE_LIMIT,
  ) {
    this.rows = new PlainRows(db, VersionEntity);
  }

  async list(caller: Caller, filter: VersionFilter, first: number, after: string | null, order: VersionOrder, byEvidence: EvidenceOrder | null): Promise<VersionPage> {
    const valid = validateVersionFilter(filter);
    const evidence = byEvidence ? validateEvidenceOrder(byEvidence) : null;
    const { bind, params } = positionalBinder();
    const condition = versionFilterCondition(valid, bind);
    const scoped = [condition, ...this.scope(caller, bind)];
    let ordered = byCreation(order);
    const where = [...scoped];
    if (evidence) {
      const cursor = after ? decodeEvidenceCursor(after, evidence, 'VERSION_EVIDENCE') : null;
      // As the models' (ModelQueryService.listByEvidence): few versions are each probed, more walk the metric's index.
      const [{ n }]: { n: number }[] = await this.db.query(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM model_versions v WHERE ${scoped.join(' AND ')} LIMIT ${this.evidenceProbeLimit + 1}) s`,
        [...params],
      );
      if (n === 0) return { nodes: [], hasNextPage: false, endCursor: null };
      ordered = n <= this.evidenceProbeLimit ? probedEvidence(evidence, bind) : walkedEvidence(evidenceWalk(VERSION_SUBJECT, evidence, bind), evidence);
      where.push(...ordered.conditions);
      if (cursor) where.push(evidenceAfter(ordered.key, ordered.id, ordered.direction, cursor, bind));
    } else if (after) {
      const cursor = decodeVersionCursor(after, order);
      where.push(`(v.created_at, v.id) ${ordered.direction === 'ASC' ? '>' : '<'} (CAST(${bind(`${cursor.createdAt}Z`)} AS timestamptz), CAST(${bind(cursor.id)} AS uuid))`);
    }
    const rows: { id: string; value: string | number }[] = await this.db.query(
      `SELECT v.id, ${ordered.value} AS value FROM model_versions v ${ordered.source}
        WHERE ${where.join(' AND ')} ORDER BY ${ordered.key} ${ordered.direction}, ${ordered.id} ${ordered.direction} LIMIT ${bind(first + 1)}`,
      params,
    );
    const page = rows.slice(0, first);
    const byId = new Map((await this.versions.byIds(caller, page.map((r) => r.id))).map((v) => [v.id, v]));
    const cursorOf = (r: { id: string; value: string | number }) =>
      evidence ? encodeEvidenceCursor(evidence, { value: Number(r.value), id: r.id }, 'VERSION_EVIDENCE') : encodeVersionCursor({ order, createdAt: String(r.value), id: r.id });
    const nodes = page.filter((r) => byId.has(r.id)).map((r) => ({ node: byId.get(r.id)!, cursor: cursorOf(r) }));
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.cursor ?? null };
  }

  /** How many versions the filter (and an evidence ordering, which lists only versions with a result) selects, capped as cappedCount says. */
  async count(caller: Caller, filter: VersionFilter, byEvidence: EvidenceOrder | null): Promise<CappedCount> {
    const valid = validateVersionFilter(filter);
    const { bind, params } = positionalBinder();
    const where = [versionFilterCondition(valid, bind), ...this.scope(caller, bind)];
    if (byEvidence) where.push(evidenceHeldBy(VERSION_SUBJECT, validateEvidenceOrder(byEvidence), bind));
    return cappedCount(this.db, 'model_versions v', where.join(' AND '), params);
  }

  /** The readable versions of each of `modelIds` the filter selects, newest semantic version first (a DataLoader's batch, as plain rows). */
  async forModels(caller: Caller, modelIds: readonly string[], filter: ValidVersionFilter): Promise<VersionRecord[]> {
    if (modelIds.length === 0) return [];
    const { bind, params } = positionalBinder();
    const where = [`v.model_id = ANY(CAST(${bind([...modelIds])} AS uuid[]))`, versionFilterCondition(filter, bind), ...this.scope(caller, bind)];
    const rows = this.rows.read(await this.db.query(`SELECT ${this.rows.select('v')} FROM model_versions v WHERE ${where.join(' AND ')}`, params));
    return rows.sort((a, b) => compareSemVer(b, a));
  }

  /** The caller's read scope: versions of the models the caller reads (nothing when the caller reads everything). */
  private scope(caller: Caller, bind: Bind): string[] {
    return caller.readsAll ? [] : [ofModels(readableCondition(caller, 'm', bind(readableParam(caller)))!)];
  }
}

function byCreation(order: VersionOrder): Ordered {
  return { source: '', conditions: [], value: CREATED_TEXT, key: 'v.created_at', id: 'v.id', direction: order === VersionOrder.CREATED_AT_ASC ? 'ASC' : 'DESC' };
}

/** Each version's best counted value, probed per version (evidenceBestOf). */
function probedEvidence(order: ValidEvidenceOrder, bind: Bind): Ordered {
  return { source: `CROSS JOIN LATERAL ${evidenceBestOf(VERSION_SUBJECT, order, bind)} k`, conditions: ['k.value IS NOT NULL'], value: 'k.value', key: 'k.value', id: 'v.id', direction: order.direction };
}

/** Each version at its best counted value, walked down the metric's index (evidenceWalk). */
function walkedEvidence(walk: EvidenceWalk, order: ValidEvidenceOrder): Ordered {
  return { source: `JOIN ${walk.table} ${walk.alias} ON ${walk.key} = v.id`, conditions: walk.conditions, value: walk.value, key: walk.value, id: walk.key, direction: order.direction };
}
