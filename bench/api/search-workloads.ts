import type { Pool } from 'pg';
import { encodeCursor, ModelOrder } from '../../src/domain/catalog/model-query';
import type { BenchPlan } from './bench-plan';
import { SEARCH_WORDS } from './catalog-seed';
import type { LoadSpec } from './load-runner';
import type { Gql } from './modelhub-client';
import type { ProcessMeter } from './process-stats';

/** A search as the API takes it: free text, tags, or both. */
export interface SearchFilter {
  search?: string;
  tags?: string[];
}

/**
 * The term classes of the search table, each cycling through a few terms of the same kind (shares of the bulk rows as
 * seeded in catalog-seed.ts): a common word (a tenth of the display names and two tenths of the description words,
 * ~27 % of the rows), a rare name (a row or a dozen), a display-name fragment (~1.1 %), a term matching nothing, a tag (topic
 * tags on 5 %, family tags on 1 %), and a tag with a text (~0.5 %).
 */
export function termClasses(scale: number): { name: string; filters: SearchFilter[] }[] {
  const topic = (k: number) => `topic-${k}`;
  return [
    { name: 'common word', filters: SEARCH_WORDS.map((w) => ({ search: w })) },
    { name: 'rare name', filters: [Math.floor(scale / 2) + 7, Math.floor(scale / 4) + 3, scale - 11].map((i) => ({ search: `bulk-${i}` })) },
    { name: 'fragment', filters: ['mistral 7', 'coder 4', 'tiny 9'].map((search) => ({ search })) },
    { name: 'no match', filters: ['no-such-model-here', 'qqq-zzz', 'vllm-xyz-404'].map((search) => ({ search })) },
    { name: 'tag', filters: [...[0, 3, 7, 11, 19].map(topic), 'family-7', 'family-42'].map((t) => ({ tags: [t] })) },
    { name: 'tag + text', filters: [0, 5, 13].map((k) => ({ tags: [topic(k)], search: SEARCH_WORDS[(k + 1) % 10] })) },
  ];
}

const SEARCH_PAGE = `query($filter: ModelFilterInput!, $after: String) {
  models(first: 20, filter: $filter, after: $after) { edges { node { id name displayName tags } } pageInfo { hasNextPage } }
}`;

interface SearchAnswer {
  models: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean } };
}

/** The filter in plain SQL over `models` (no planner help asked): the reference the pages are checked against. */
function referenceCondition(filter: SearchFilter, params: unknown[]): string {
  const parts: string[] = [];
  if (filter.search) {
    params.push(`%${filter.search}%`, filter.search);
    parts.push(`(search_text LIKE $${params.length - 1} OR $${params.length} = ANY(tags))`);
  }
  if (filter.tags) {
    params.push(filter.tags);
    parts.push(`tags @> $${params.length}::text[]`);
  }
  return parts.join(' AND ');
}

/** Where page 50 starts (after the 980th match, newest first) and its first model, or null with fewer matches. */
async function page50(pool: Pool, filter: SearchFilter): Promise<{ after: string; firstId: string } | null> {
  const params: unknown[] = [];
  const { rows } = await pool.query<{ id: string; k: Date }>(
    `SELECT id, date_trunc('milliseconds', created_at) AS k FROM models WHERE ${referenceCondition(filter, params)}
      ORDER BY date_trunc('milliseconds', created_at) DESC, id DESC OFFSET 979 LIMIT 2`,
    params,
  );
  if (rows.length < 2) return null;
  return { after: encodeCursor({ order: ModelOrder.CREATED_AT_DESC, value: rows[0].k.toISOString(), id: rows[0].id }), firstId: rows[1].id };
}

export interface SearchSpec extends LoadSpec {
  termClass: string;
  page: 1 | 50;
  scale: number;
}

/** Per term class, page 1 and (where its terms have 50 pages) page 50, each page checked as it comes. */
export async function searchLoads(gql: Gql, pool: Pool, plan: BenchPlan, scale: number, meters: ProcessMeter[]): Promise<SearchSpec[]> {
  const base = { concurrency: plan.concurrency, warmup: plan.warmup, count: plan.searches, meters, system: 'ModelHub', scale };
  const specs: SearchSpec[] = [];
  for (const { name, filters } of termClasses(scale)) {
    const first = async (filter: SearchFilter) => {
      const answer = await gql<SearchAnswer>(SEARCH_PAGE, { filter });
      if (answer.models.pageInfo.hasNextPage && answer.models.edges.length !== 20) throw new Error(`${JSON.stringify(filter)}: a short page with more to come`);
    };
    specs.push({ ...base, termClass: name, page: 1, name: `search: ${name}, page 1 (${label(scale)})`, run: (i) => first(filters[i % filters.length]) });
    const deep = (await Promise.all(filters.map(async (filter) => ({ filter, at: await page50(pool, filter) })))).filter((d) => d.at);
    if (!deep.length) continue;
    const fiftieth = async (i: number) => {
      const { filter, at } = deep[i % deep.length];
      const answer = await gql<SearchAnswer>(SEARCH_PAGE, { filter, after: at!.after });
      if (answer.models.edges[0]?.node.id !== at!.firstId) throw new Error(`${JSON.stringify(filter)}: page 50 does not start where plain SQL says`);
    };
    specs.push({ ...base, termClass: name, page: 50, name: `search: ${name}, page 50 (${label(scale)})`, run: fiftieth });
  }
  return specs;
}

export function label(scale: number): string {
  return scale >= 1_000_000 ? `${scale / 1_000_000}M` : `${scale / 1000}k`;
}
