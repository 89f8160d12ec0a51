import type { BenchPlan } from './bench-plan';
import { SEARCH_WORDS, TOPIC_TAGS } from './catalog-seed';
import type { LoadSpec } from './load-runner';
import { type Gql, SEARCH_QUERY, type SearchAnswer } from './modelhub-client';
import type { ProcessMeter } from './process-stats';

/**
 * Free text cycles through common words (a tenth of the rows each), a name fragment matching one row, a
 * display-name prefix and a term matching nothing (trigram's worst case is a term most rows share, its best
 * one a miss); tags cycle through topic tags (1 in 20 rows) and family tags (1 in 100).
 */
export function searchLoads(gql: Gql, plan: BenchPlan, meter: ProcessMeter): LoadSpec[] {
  const texts = [...SEARCH_WORDS, `bulk-${Math.floor(plan.bulkModels / 2)}`, 'mistral 7', 'no-such-model-here'];
  const tags = [...TOPIC_TAGS, 'family-7', 'family-42'];
  const search = (filter: Record<string, unknown>) => async () => {
    const answer = await gql<SearchAnswer>(SEARCH_QUERY, { filter });
    if (answer.models.pageInfo.hasNextPage && answer.models.edges.length !== 20) throw new Error('a short page with more to come');
  };
  const base = { concurrency: plan.concurrency, warmup: plan.warmup, count: plan.searches, meters: [meter], system: 'ModelHub' };
  return [
    { ...base, name: `free-text search (${plan.bulkModels / 1000}k models)`, run: (i) => search({ search: texts[i % texts.length] })() },
    { ...base, name: `tag search (${plan.bulkModels / 1000}k models)`, run: (i) => search({ tags: [tags[i % tags.length]] })() },
  ];
}
