import { performance } from 'node:perf_hooks';
import { systemCaller } from '../src/domain/auth/caller';
import { AuditService } from '../src/services/audit.service';
import { MeasurementHistoryService } from '../src/services/measurement-history.service';
import { ProjectAccessService } from '../src/services/project-access.service';
import { openBenchDatabase } from './bench-database';

/** The benchmark reads as the system: it measures the service, not a caller's scope. */
const BENCH = systemCaller('benchmark');

/**
 * benchmarkHistory pages at depth: 200,000 runs of one model over 4 hardware profiles (beside 200,000 of 199 other
 * models), paged 50 at a time with keyset cursors, against the same page read with OFFSET. Prints per-page
 * latency (median and P99) at the first page and deep in the history, and the plan the page query uses.
 */
const RUNS = Number(process.env.HISTORY_RUNS ?? 200_000);
const PAGE = 50;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(): Promise<void> {
  const db = await openBenchDatabase();
  try {
    const q = db.dataSource.query.bind(db.dataSource);
    await q(`INSERT INTO models (name, source_type, status, created_by) SELECT 'hist-' || i, 'HUGGING_FACE', 'DRAFT', 'bench' FROM generate_series(1, 200) i`);
    await q(`INSERT INTO model_versions (model_id, version, major, minor, patch, status, created_by) SELECT id, '1.0.0', 1, 0, 0, 'VERIFIED', 'bench' FROM models`);
    const [{ id: modelId }] = (await q(`SELECT id FROM models WHERE name = 'hist-1'`)) as { id: string }[];
    const seeded = performance.now();
    await q(
      `INSERT INTO benchmarks (model_id, version_id, hardware_profile, ttft_p99_ms, recorded_by, recorded_at)
       SELECT v.model_id, v.id, (ARRAY['1xH100 vllm fp16','2xA100 vllm fp16','1xL4 tgi int8','0xcpu llama.cpp q4'])[1 + i % 4], i % 500, 'bench',
              timestamp '2026-01-01' + make_interval(secs => i * 7.3)
       FROM model_versions v JOIN models m ON m.id = v.model_id, generate_series(1, $1::int) i WHERE m.name = 'hist-1'`,
      [RUNS],
    );
    await q(
      `INSERT INTO benchmarks (model_id, version_id, hardware_profile, recorded_by, recorded_at)
       SELECT v.model_id, v.id, '1xH100 vllm fp16', 'bench', timestamp '2026-01-01' + make_interval(secs => i * 11)
       FROM model_versions v JOIN models m ON m.id = v.model_id, generate_series(1, $1::int / 199) i WHERE m.name <> 'hist-1'`,
      [RUNS],
    );
    await q('ANALYZE benchmarks');
    console.log(`seeded ${RUNS} runs of one model (+${Math.floor(RUNS / 199) * 199} of others) in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

    const history = new MeasurementHistoryService(db.dataSource, new ProjectAccessService(db.dataSource, new AuditService(db.dataSource)));
    for (const hardwareProfile of [null, '1xH100 vllm fp16']) {
      const total = hardwareProfile ? RUNS / 4 : RUNS;
      const keyset: number[] = [];
      const offset: number[] = [];
      let after: string | null = null;
      let pages = 0;
      // Walk the whole history by cursor, timing every page.
      for (;;) {
        const started = performance.now();
        const page = await history.benchmarks(BENCH, { modelId, hardwareProfile, order: 'newest', first: PAGE, after });
        keyset.push(performance.now() - started);
        pages += 1;
        if (!page.hasNextPage) break;
        after = page.endCursor;
      }
      // The same pages by OFFSET, sampled every 40th page (it grows with depth).
      for (let p = 0; p < pages; p += 40) {
        const started = performance.now();
        await q(
          `SELECT * FROM benchmarks WHERE model_id = $1 AND ($2::text IS NULL OR hardware_profile = $2) ORDER BY recorded_at DESC, id DESC LIMIT ${PAGE} OFFSET $3`,
          [modelId, hardwareProfile, p * PAGE],
        );
        offset.push(performance.now() - started);
      }
      const deep = keyset.slice(-Math.ceil(keyset.length / 10));
      const deepOffset = offset.slice(-Math.ceil(offset.length / 10));
      console.log(`\n${hardwareProfile ?? 'all profiles'}: ${total} runs, ${pages} pages of ${PAGE}`);
      console.log(`  keyset: first page ${keyset[0].toFixed(2)} ms; all pages p50 ${quantile(keyset, 0.5).toFixed(2)} ms, p99 ${quantile(keyset, 0.99).toFixed(2)} ms; last 10% p50 ${quantile(deep, 0.5).toFixed(2)} ms`);
      console.log(`  offset: last 10% of sampled pages p50 ${quantile(deepOffset, 0.5).toFixed(2)} ms → keyset is ${(quantile(deepOffset, 0.5) / quantile(deep, 0.5)).toFixed(1)}× faster deep in the history`);
    }
    const profiles: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      const started = performance.now();
      await history.hardwareProfiles(BENCH, modelId);
      profiles.push(performance.now() - started);
    }
    const distinctMs: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      await q(`SELECT DISTINCT hardware_profile FROM benchmarks WHERE model_id = $1 ORDER BY 1`, [modelId]);
      distinctMs.push(performance.now() - started);
    }
    console.log(`\nhardwareProfiles (4 profiles of ${RUNS} runs): loose index scan p50 ${quantile(profiles, 0.5).toFixed(2)} ms, SELECT DISTINCT p50 ${quantile(distinctMs, 0.5).toFixed(2)} ms`);
    const plan = (await q(
      `EXPLAIN SELECT * FROM benchmarks r WHERE r.model_id = $1 AND r.hardware_profile = $2 AND (r.recorded_at, r.id) < ('2026-06-01'::timestamptz, '00000000-0000-4000-8000-000000000000'::uuid) ORDER BY r.recorded_at DESC, r.id DESC LIMIT 51`,
      [modelId, '1xH100 vllm fp16'],
    )) as { 'QUERY PLAN': string }[];
    console.log(`\nplan of a deep page:\n${plan.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
