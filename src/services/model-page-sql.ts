import type { DataSource } from 'typeorm';
import type { Bind } from './filter-tree-sql';

/** The key a catalog ordering sorts on, over a models alias; each has an index on (key, id) (migration 320). */
export interface OrderKey {
  key: (alias: string) => string;
  /** The SQL type a cursor's value is cast to. */
  cast: string;
  direction: 'ASC' | 'DESC';
}

/**
 * The page plan's sizes for a catalog of `catalogRows` and pages of `limit` rows (the page and one more):
 * - `probe`: models read in order first: fills the page when a fortieth or more of the models match (a common word,
 *   a tag), and otherwise tells sparse (none or one match seen) from middling;
 * - `few`: sparse matches collected by the bitmaps before concluding there are more (a rare name, no match);
 * - `walk`: models read in order before concluding the matches are sparse. Walking costs about limit / density rows,
 *   collecting and sorting all matches density × catalog rows; they cross at sqrt(limit × catalog rows). Twice that
 *   (and at least 40 rows per row of the page: 1 % density) since a walked row is cheaper than a collected one;
 * - `sortCap`: sparse matches sorted at most; above, the order is walked without a bound (matches clustered far).
 */
export function pagePlan(limit: number, catalogRows: number): { probe: number; few: number; walk: number; sortCap: number } {
  const walk = Math.min(50_000, Math.max(40 * limit, Math.round(2 * Math.sqrt(limit * Math.max(catalogRows, 0)))));
  return { probe: Math.min(walk, 40 * limit), few: 2 * limit, walk, sortCap: 2 * walk };
}

/**
 * One statement answering a page of models matching `condition` (over alias `m`) in `order`, after `cursor`. Five
 * steps, of which only those needed run (each later one sits behind a one-time filter on the earlier ones' counts):
 * 1. probe: the first `probe` models in order, from the (key, id) index, filtered; fills the page when the matches
 *    are dense (a common word, a topic tag), reading the same rows whatever the catalog's size;
 * 2. few: when the probe saw at most one match, up to `few` + 1 matches collected without an ordering (the trigram and
 *    GIN bitmaps, the evidence indexes); when that is all of them, sorted, they are the page (a rare name, no match);
 * 3. walk: else the first `walk` models in order, filtered (a fragment on 1 % of a million models);
 * 4. sorted: else the matches are sparse: up to `sortCap` + 1 of them collected as in step 2 and sorted;
 * 5. far: else (many matches, none near the start of the order) walk until the page is full.
 * Collected matches are found by whatever plan the planner likes without an ordering, or, when the filter requires
 * evidence at its top (`driving`: a query of model ids), from that evidence's model ids, each model then fetched by its
 * key (a nested loop the planner cannot trade for a scan of every model). The walks read `models` through a subquery
 * with its own ordering and LIMIT (or `OFFSET 0`), which the planner answers by the order's index and never merges the
 * filter into, so it never walks the whole index for a term it misjudges as common. Answers the page's ids in order.
 */
export function pageStatement(input: {
  condition: string;
  order: OrderKey;
  cursor: { value: string | null; id: string } | null;
  first: number;
  catalogRows: number;
  driving: string | null;
  bind: Bind;
}): string {
  const { condition, order, cursor, first, bind, driving } = input;
  const dir = order.direction;
  const limit = first + 1;
  const plan = pagePlan(limit, input.catalogRows);
  let after = (_key: string, _id: string) => 'TRUE';
  if (cursor) {
    const value = bind(cursor.value);
    const id = bind(cursor.id);
    after = (key, idColumn) => `(${key}, ${idColumn}) ${dir === 'ASC' ? '>' : '<'} (CAST(${value} AS ${order.cast}), CAST(${id} AS uuid))`;
  }
  const inOrder = (fence: string) =>
    `(SELECT m0.*, ${order.key('m0')} AS k FROM models m0 WHERE ${after(order.key('m0'), 'm0.id')} ORDER BY ${order.key('m0')} ${dir}, m0.id ${dir} ${fence}) m`;
  const walk = (rows: number) => `SELECT m.id, m.k FROM ${inOrder(`LIMIT ${rows}`)} WHERE ${condition} ORDER BY m.k ${dir}, m.id ${dir} LIMIT ${limit}`;
  // Per collecting step: the candidates (`<step>_c`, at most cap + 1) and the matches among them (`<step>`), all of
  // them, before and after the cursor: the planner estimates the filter alone, not its share past a cursor. The limit
  // is a subquery so the planner does not know it: told "43 rows", it scans the table hoping to stop early for a
  // term it cannot estimate (a term matching nothing was a 1.3 s scan of 1M models); not told, it takes the bitmap.
  const collect = (step: string, cap: number) =>
    driving
      ? `${step}_c AS MATERIALIZED (SELECT d.id FROM (${driving}) d(id) LIMIT ${cap + 1}),
    ${step} AS MATERIALIZED (SELECT m.id, ${order.key('m')} AS k FROM models m WHERE m.id = ANY(ARRAY(SELECT id FROM ${step}_c)) AND ${condition})`
      : `${step}_c AS MATERIALIZED (SELECT m.id, ${order.key('m')} AS k FROM models m WHERE ${condition} LIMIT (SELECT ${cap + 1})),
    ${step} AS MATERIALIZED (SELECT id, k FROM ${step}_c)`;
  const sortedPage = (step: string) =>
    `SELECT id, k FROM (SELECT id, k FROM ${step} WHERE ${after('k', 'id')} ORDER BY k ${dir}, id ${dir} LIMIT ${limit}) ${step}_page`;
  const n = (cte: string) => `(SELECT count(*) FROM ${cte})`;
  // Short-circuit order matters: a later count is evaluated (its step run) only when the earlier ones call for it.
  const fewAnswers = `${n('probe')} <= 1 AND ${n('few_c')} <= ${plan.few}`;
  const unanswered = `${n('probe')} < ${limit} AND NOT (${fewAnswers})`;
  const sparse = `${unanswered} AND ${n('walk')} < ${limit}`;
  return `WITH probe AS MATERIALIZED (${walk(plan.probe)}),
    ${collect('few', plan.few)},
    walk AS MATERIALIZED (${walk(plan.walk)}),
    ${collect('sorted', plan.sortCap)},
    far AS MATERIALIZED (SELECT m.id, m.k FROM ${inOrder('OFFSET 0')} WHERE ${condition} LIMIT ${limit})
    SELECT page.id FROM (
      SELECT id, k FROM probe WHERE ${n('probe')} = ${limit}
      UNION ALL
      ${sortedPage('few')} WHERE ${n('probe')} < ${limit} AND ${fewAnswers}
      UNION ALL
      SELECT id, k FROM walk WHERE ${unanswered} AND ${n('walk')} = ${limit}
      UNION ALL
      ${sortedPage('sorted')} WHERE ${sparse} AND ${n('sorted_c')} <= ${plan.sortCap}
      UNION ALL
      SELECT id, k FROM far WHERE ${sparse} AND ${n('sorted_c')} > ${plan.sortCap}
    ) page ORDER BY page.k ${dir}, page.id ${dir}`;
}

/** Counted exactly up to this many matches; above, the planner's estimate (flagged as such). */
export const EXACT_COUNT_CAP = 1000;

/** A count of matches: exact, or (over EXACT_COUNT_CAP) the planner's estimate, never below the cap. */
export interface CappedCount {
  count: number;
  exact: boolean;
}

/**
 * The rows of `from` (`models m`, `model_versions v`) matching `condition`: exact up to EXACT_COUNT_CAP, which costs
 * at most that many rows (a bitmap or a scan that stops early); above it the planner's estimate, flagged as not
 * exact, since an exact count of a common term is a scan of every match (100+ ms at 100,000 rows).
 */
export async function cappedCount(db: Pick<DataSource, 'query'>, from: string, condition: string, params: unknown[]): Promise<CappedCount> {
  const [{ n }]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${from} WHERE ${condition} LIMIT ${EXACT_COUNT_CAP + 1}) s`, params);
  if (n <= EXACT_COUNT_CAP) return { count: n, exact: true };
  const [{ 'QUERY PLAN': plan }]: { 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }[] = await db.query(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${from} WHERE ${condition}`, params);
  return { count: Math.max(EXACT_COUNT_CAP + 1, Math.round(plan[0].Plan['Plan Rows'])), exact: false };
}
