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
import { type Bind, evidenceBestOf, evidenceBestOfAll, evidenceHeldBy, positionalBinder } from './filter-tree-sql';
import { VersionEntity } from '../persistence/entities/version.entity';
import { PlainRows } from '../persistence/plain-rows';
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
  /** What is selected as `value` (and encoded into the cursor). */
  value: string;
  /** What is compared in the keyset. */
  key: string;
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
  ) {
    this.rows = new PlainRows(db, VersionEntity);
  }

  async list(caller: Caller, filter: VersionFilter, first: number, after: string | null, order: VersionOrder, byEvidence: EvidenceOrder | null): Promise<VersionPage> {
    const valid = validateVersionFilter(filter);
    const evidence = byEvidence ? validateEvidenceOrder(byEvidence) : null;
    const { bind, params } = positionalBinder();
    const condition = versionFilterCondition(valid, bind);
    const ordered = evidence ? byEvidenceOf(evidence, condition, bind) : byCreation(order);
    const where = [condition, ...this.scope(caller, bind)];
    if (evidence) where.push('k.value IS NOT NULL');
    if (after) {
      const op = ordered.direction === 'ASC' ? '>' : '<';
      if (evidence) {
        const cursor = decodeEvidenceCursor(after, evidence, 'VERSION_EVIDENCE');
        where.push(`(k.value, v.id) ${op} (CAST(${bind(cursor.value)} AS float8), CAST(${bind(cursor.id)} AS uuid))`);
      } else {
        const cursor = decodeVersionCursor(after, order);
        where.push(`(v.created_at, v.id) ${op} (CAST(${bind(`${cursor.createdAt}Z`)} AS timestamptz), CAST(${bind(cursor.id)} AS uuid))`);
      }
    }
    const rows: { id: string; value: string | number }[] = await this.db.query(
      `SELECT v.id, ${ordered.value} AS value FROM model_versions v ${ordered.source}
        WHERE ${where.join(' AND ')} ORDER BY ${ordered.key} ${ordered.direction}, v.id ${ordered.direction} LIMIT ${bind(first + 1)}`,
      params,
    );
    const page = rows.slice(0, first);
    const byId = new Map((await this.versions.byIds(caller, page.map((r) => r.id))).map((v) => [v.id, v]));
    const cursorOf = (r: { id: string; value: string | number }) =>
      evidence ? encodeEvidenceCursor(evidence, { value: Number(r.value), id: r.id }, 'VERSION_EVIDENCE') : encodeVersionCursor({ order, createdAt: String(r.value), id: r.id });
    const nodes = page.filter((r) => byId.has(r.id)).map((r) => ({ node: byId.get(r.id)!, cursor: cursorOf(r) }));
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.cursor ?? null };
  }

  /** How many versions the filter (and an evidence ordering, which lists only versions with a result) selects. */
  async count(caller: Caller, filter: VersionFilter, byEvidence: EvidenceOrder | null): Promise<number> {
    const valid = validateVersionFilter(filter);
    const { bind, params } = positionalBinder();
    const where = [versionFilterCondition(valid, bind), ...this.scope(caller, bind)];
    if (byEvidence) where.push(evidenceHeldBy(VERSION_SUBJECT, validateEvidenceOrder(byEvidence), bind));
    const [row]: { n: string }[] = await this.db.query(`SELECT count(*) AS n FROM model_versions v WHERE ${where.join(' AND ')}`, params);
    return Number(row.n);
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
  return { source: '', value: CREATED_TEXT, key: 'v.created_at', direction: order === VersionOrder.CREATED_AT_ASC ? 'ASC' : 'DESC' };
}

/** Each version at its best counted value: a probe per version under a filter, the metric's rows grouped once without. */
function byEvidenceOf(order: ValidEvidenceOrder, condition: string, bind: Bind): Ordered {
  const source = condition === 'TRUE' ? `JOIN ${evidenceBestOfAll(VERSION_SUBJECT, order, bind)} k ON k.key = v.id` : `CROSS JOIN LATERAL ${evidenceBestOf(VERSION_SUBJECT, order, bind)} k`;
  return { source, value: 'k.value', key: 'k.value', direction: order.direction };
}
