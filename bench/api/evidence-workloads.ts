import type { Pool } from 'pg';
import type { BenchPlan } from './bench-plan';
import type { LoadSpec } from './load-runner';
import type { Gql } from './modelhub-client';
import type { ProcessMeter } from './process-stats';

export const EVIDENCE_PROFILES = ['1xH100 vllm', '1xL4 vllm'];

/**
 * One version per bulk model, an mmlu result per model (MEASURED for 4 in 5, REPORTED otherwise; one in ten also
 * a perplexity on another scale) and a benchmark per model on one of two profiles: evidence at catalog scale, so
 * the filter language's subqueries have rows to range over.
 */
export async function seedBulkEvidence(pool: Pool): Promise<void> {
  await pool.query(
    `INSERT INTO model_versions (model_id, version, major, minor, patch, status, created_by)
     SELECT id, '1.0.0', 1, 0, 0, 'VERIFIED', 'bench' FROM models WHERE name LIKE 'bulk-%'`,
  );
  await pool.query(
    `INSERT INTO evaluations (model_id, version_id, benchmark, metric, score, recorded_by, provenance, runner)
     SELECT v.model_id, v.id, 'mmlu', 'acc', random(), 'bench', CASE WHEN random() < 0.8 THEN 'MEASURED' ELSE 'REPORTED' END, 'lm-eval'
       FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name LIKE 'bulk-%'`,
  );
  await pool.query(
    `INSERT INTO evaluations (model_id, version_id, benchmark, metric, score, recorded_by, provenance, runner)
     SELECT v.model_id, v.id, 'mmlu', 'perplexity', 1 + random() * 30, 'bench', 'MEASURED', 'lm-eval'
       FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name LIKE 'bulk-%' AND random() < 0.1`,
  );
  await pool.query(
    `INSERT INTO benchmarks (model_id, version_id, hardware_profile, ttft_p99_ms, throughput_tokens_per_second, recorded_by, provenance, levels)
     SELECT v.model_id, v.id, (ARRAY[$1, $2])[1 + (abs(hashtext(v.id::text)) % 2)], 20 + random() * 800, 50 + random() * 3000, 'bench', 'MEASURED', '[]'
       FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name LIKE 'bulk-%'`,
    EVIDENCE_PROFILES,
  );
  // As autovacuum leaves a settled catalog: statistics, and a visibility map so index-only scans stay index-only.
  await pool.query('VACUUM ANALYZE models, model_versions, evaluations, benchmarks');
}

const FILTER_PAGE = `query($filter: ModelFilterInput, $order: ModelEvidenceOrderInput) {
  models(first: 20, filter: $filter, orderByEvidence: $order) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } }
}`;

interface FilterAnswer {
  models: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/**
 * The filter language at catalog scale: an evaluation range, an `or` of a tag and a serving-metric range, a `not`
 * of evidence under free text, three levels of nesting, and ordering by a metric (first page and the next one).
 */
export function evidenceLoads(gql: Gql, plan: BenchPlan, meters: ProcessMeter[]): LoadSpec[] {
  const base = { concurrency: plan.concurrency, warmup: plan.warmup, count: plan.searches, meters, system: 'ModelHub' };
  const scale = `${plan.bulkModels / 1000}k models`;
  const page = (filter: Record<string, unknown> | null, order: Record<string, unknown> | null = null) => async () => {
    const answer = await gql<FilterAnswer>(FILTER_PAGE, { filter, order });
    if (answer.models.pageInfo.hasNextPage && answer.models.edges.length !== 20) throw new Error('a short page with more to come');
  };
  const [h100, l4] = EVIDENCE_PROFILES;
  const mins = [0.5, 0.9, 0.99];
  return [
    { ...base, name: `filter: mmlu ≥ x (${scale})`, run: (i) => page({ evaluation: { benchmark: 'mmlu', min: mins[i % mins.length] } })() },
    { ...base, name: `filter: tag OR ttft ≤ x on a profile (${scale})`, run: (i) => page({ or: [{ tags: [`topic-${i % 20}`] }, { benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: i % 2 ? h100 : l4, max: 25 + (i % 5) } }] })() },
    { ...base, name: `filter: text AND NOT mmlu ≥ 0.2 (${scale})`, run: (i) => page({ search: ['llama', 'mistral', 'coder'][i % 3], not: { evaluation: { benchmark: 'mmlu', min: 0.2, provenances: ['MEASURED', 'REPORTED'] } } })() },
    {
      ...base,
      name: `filter: 3 levels and/or/not + evidence (${scale})`,
      run: (i) => page({ and: [{ or: [{ tags: [`family-${i % 100}`] }, { evaluation: { benchmark: 'mmlu', min: 0.98 } }] }, { not: { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: h100, max: 1000 } } }] })(),
    },
    { ...base, name: `order by best mmlu, tag filter (${scale})`, run: (i) => page({ tags: [`topic-${i % 20}`] }, { evaluation: { benchmark: 'mmlu' } })() },
    { ...base, name: `order by lowest ttft on a profile (${scale})`, run: () => page(null, { benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: h100 } })() },
  ];
}
