import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import {
  type HardwareProfile,
  type HardwareProfileInput,
  profileLabel,
  type Scenario,
  type ScenarioInput,
  type StoredTarget,
  type TargetInput,
  validateProfile,
  validateScenario,
  validateTarget,
} from '../domain/benchmarking/benchmark-request';
import { Provenance } from '../domain/catalog/catalog-enums';
import { readableCondition, readableParam } from '../domain/governance/access';
import { OperationKind, type OperationRecord } from '../domain/onboarding/operation';
import type { LevelMetrics } from '../benchmarking/load-types';
import { BenchmarkEntity } from '../persistence/entities/benchmark.entity';
import { ConcurrencyCap } from './concurrency-cap';
import type { MeasuredRunService, RunIds } from './measured-run.service';

/** What a BENCHMARK operation row holds: the target with its key sealed, the profile and the scenario. */
export interface BenchmarkPlan {
  target: StoredTarget;
  profile: HardwareProfile;
  scenario: Scenario;
}

/** A stored samples value: its size, and slices of it read on demand. */
export interface StoredSamples {
  size: number;
  read(start: number, length: number): Promise<Buffer>;
}

export interface BenchmarkOutcome {
  levels: LevelMetrics[];
  requestRates: (number | null)[];
  samples: Buffer;
}

/** The headline of a sweep: its best-throughput level's figures go to the row's summary columns. */
function headline(levels: LevelMetrics[]): LevelMetrics | null {
  const ok = levels.filter((l) => l.requests > l.errors);
  return ok.length ? ok.reduce((best, l) => (l.outputTokensPerSecond > best.outputTokensPerSecond ? l : best)) : null;
}

/**
 * Samples slices read at once by all downloads of this process. Each read holds a pooled connection while
 * PostgreSQL sends 1 MiB; uncapped, a few downloads at full speed held the whole pool and every API query queued
 * behind their slices (20 downloads, pool of 5: GraphQL p50 4 → 265 ms; capped at 2: 19 ms, and the downloads
 * were no slower, 77 → 136 MB/s together: the API process's CPU bounds them). Downloads beyond it take turns.
 */
const SLICE_READS = 2;

/** runBenchmark: validates and records intent; the worker runs the sweep and settles it here. */
export class BenchmarkRunService {
  private readonly sliceReads = new ConcurrencyCap(SLICE_READS);

  constructor(
    private readonly db: DataSource,
    private readonly runs: MeasuredRunService,
  ) {}

  async requestBenchmark(caller: Caller, versionId: string, target: TargetInput, profile: HardwareProfileInput, scenario: ScenarioInput): Promise<OperationRecord> {
    await this.runs.authorizeRequest(caller, OperationKind.BENCHMARK, versionId);
    const plan: BenchmarkPlan = { target: await this.runs.sealTarget(validateTarget(target)), profile: validateProfile(profile), scenario: validateScenario(scenario) };
    return this.runs.request(caller, OperationKind.BENCHMARK, versionId, { ...plan });
  }

  async plan(caller: Caller, operationId: string): Promise<BenchmarkPlan | null> {
    const operation = await this.runs.plan(caller, operationId);
    return operation ? (operation.input as unknown as BenchmarkPlan) : null;
  }

  /** Writes the MEASURED benchmark row (summary, per-level metrics, compressed samples) and settles the operation. */
  async complete(caller: Caller, ids: RunIds, plan: BenchmarkPlan, outcome: BenchmarkOutcome, actor: string): Promise<boolean> {
    const best = headline(outcome.levels);
    const levels = outcome.levels.map((l, i) => ({ ...l, requestRate: outcome.requestRates[i] }));
    const message = best
      ? `${outcome.levels.length} level(s); best ${best.outputTokensPerSecond.toFixed(1)} tokens/s at concurrency ${best.concurrency}`
      : `${outcome.levels.length} level(s); every request failed`;
    return this.runs.settle(caller, ids, message, async (tx) => {
      const repo = tx.getRepository(BenchmarkEntity);
      await repo.save(
        repo.create({
          modelId: ids.modelId,
          versionId: ids.versionId,
          operationId: ids.operationId,
          provenance: Provenance.MEASURED,
          hardwareProfile: profileLabel(plan.profile),
          ttftP50Ms: best?.ttftMs.p50 ?? null,
          ttftP99Ms: best?.ttftMs.p99 ?? null,
          latencyP50Ms: best?.e2eMs.p50 ?? null,
          latencyP99Ms: best?.e2eMs.p99 ?? null,
          throughputTokensPerSecond: best?.outputTokensPerSecond ?? null,
          configuration: { engine: plan.profile.engine, model: plan.target.model, endpoint: plan.target.url, api: plan.scenario.api },
          profile: { ...plan.profile },
          scenario: { ...plan.scenario },
          levels: levels as unknown as Record<string, unknown>[],
          samples: outcome.samples,
          recordedBy: actor,
          recordedAt: new Date(),
        }),
      );
    });
  }

  /**
   * A run's raw samples (gzip'd JSON, every level's requests) for a caller who may read its model: NOT_FOUND for
   * an unknown id, a model out of the caller's projects (the same answer: a stranger learns nothing, not even that
   * the run exists), or a row without samples (recorded by hand). Only the size is read here; the bytes are read in
   * slices (`StoredSamples.read`), so a download never holds the whole value.
   */
  async samplesFor(caller: Caller, benchmarkId: string): Promise<StoredSamples> {
    const id = uuid('id', benchmarkId);
    const one = readableRun(caller, id);
    const [row] = (await this.db.query(`SELECT octet_length(b.samples) AS size ${one.from}`, one.params)) as { size: number | null }[];
    if (!row) throw new NotFoundError('Benchmark', id);
    if (row.size === null) throw new NotFoundError('Benchmark samples', id);
    return {
      size: Number(row.size),
      read: async (start, length) => {
        // substring() on a value stored uncompressed (migration 60) fetches only the TOAST chunks it needs.
        const [part] = (await this.sliceReads.run(() => this.db.query(`SELECT substring(samples FROM $2 FOR $3) AS bytes FROM benchmarks WHERE id = $1`, [id, start + 1, length]))) as { bytes: Buffer | null }[];
        // The model (and its runs) was deleted during the download: the body is cut, never padded.
        if (!part?.bytes || part.bytes.length !== Math.min(length, Number(row.size) - start)) throw new NotFoundError('Benchmark samples', id);
        return part.bytes;
      },
    };
  }

  /** The whole samples value of a run the caller may read (null when there is none or it is not readable). */
  async samples(caller: Caller, benchmarkId: string): Promise<Buffer | null> {
    const one = readableRun(caller, uuid('id', benchmarkId));
    const [row] = (await this.db.query(`SELECT b.samples ${one.from}`, one.params)) as { samples: Buffer | null }[];
    return row?.samples ?? null;
  }
}

/** FROM … WHERE for one benchmark, narrowed in SQL to the projects the caller may read. */
function readableRun(caller: Caller, id: string): { from: string; params: unknown[] } {
  const visible = readableCondition(caller, 'm', '$2');
  const from = `FROM benchmarks b JOIN models m ON m.id = b.model_id WHERE b.id = $1`;
  return visible ? { from: `${from} AND ${visible}`, params: [id, readableParam(caller)] } : { from, params: [id] };
}
