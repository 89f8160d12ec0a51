import { Provenance } from '../../../src/domain/catalog/catalog-enums';
import { LicenseOutcome } from '../../../src/domain/governance/license-check';
import type { CandidateFacts } from '../../../src/domain/recommendation/candidate-facts';
import { validateRecommendInput } from '../../../src/domain/recommendation/recommend-input';
import { ExclusionReason, recommend } from '../../../src/domain/recommendation/recommendation';

function candidate(label: string, tps: number | null, extra: Partial<CandidateFacts> = {}, mmlu: number | null = 0.8): CandidateFacts {
  return {
    versionId: `${label}-id`,
    modelId: `${label}-model`,
    label,
    parameterCount: 7_000_000_000n,
    bytesPerParameter: 2,
    contextLimit: 8192,
    numLayers: 32,
    numKeyValueHeads: 8,
    headDim: 128,
    license: { outcome: LicenseOutcome.ALLOWED, licenseId: 'Apache-2.0', reasons: [], textHash: 'h', acknowledged: false },
    benchmarks: tps === null ? [] : [{ id: `${label}-b`, provenance: Provenance.MEASURED, hardwareProfile: '1xH100 vllm', recordedAt: new Date(0), levels: [{ concurrency: 4, ttftP99Ms: 100, tpotP99Ms: 20, throughputTokensPerSecond: tps }] }],
    evaluations: mmlu === null ? [] : [{ id: `${label}-e`, benchmark: 'mmlu', metric: 'acc', score: mmlu, provenance: Provenance.MEASURED }],
    ...extra,
  };
}

const input = (extra: Record<string, unknown> = {}) =>
  validateRecommendInput({ hardware: { gpuType: 'H100', gpuCount: 1, gpuMemoryGb: 80, pricePerHourUsd: 3 }, minQuality: [{ benchmark: 'mmlu', minScore: 0.5 }], contextLength: 4096, ...extra });

describe('recommend (pure)', () => {
  test('ranks by cost, ties broken by quality, then by label', () => {
    const result = recommend([candidate('b', 1000, {}, 0.7), candidate('a', 1000, {}, 0.9), candidate('c', 2000, {}, 0.6), candidate('d', 1000, {}, 0.7)], input());
    expect(result.recommendations.map((r) => r.candidate.label)).toEqual(['c', 'a', 'b', 'd']);
    expect(result.recommendations[0].costPerMillionOutputTokensUsd).toBeCloseTo((3 / (2000 * 3600)) * 1e6, 9);
  });

  test('the KV cache at the context asked and the measured concurrency decides the fit', () => {
    // 7B fp16 = 14 GB; KV = 2 × 32 × 8 × 128 × 2 B = 128 KiB per token: 4096 tokens × 4 sequences ≈ 2.1 GB.
    const fits = recommend([candidate('a', 1000)], input({ hardware: { gpuType: 'H100', gpuCount: 1, gpuMemoryGb: 19 } }));
    expect(fits.recommendations).toHaveLength(1);
    const tight = recommend([candidate('a', 1000)], input({ hardware: { gpuType: 'H100', gpuCount: 1, gpuMemoryGb: 17 }, contextLength: 8192 }));
    expect(tight.recommendations).toHaveLength(0);
    expect(tight.exclusions.map((e) => e.reason)).toEqual([ExclusionReason.DOES_NOT_FIT]);
  });

  test('without a benchmark a version is unmeasured, never ranked; without a result it misses the floor', () => {
    const result = recommend([candidate('m', null), candidate('q', 1000, {}, null)], input());
    expect(result.recommendations).toEqual([]);
    expect(result.unmeasured.map((u) => u.candidate.label)).toEqual(['m']);
    expect(result.unmeasured[0].explanation).toContain('has no MEASURED benchmark on 1xH100');
    expect(result.exclusions).toMatchObject([{ reason: ExclusionReason.QUALITY_UNMEASURED, count: 1 }]);
  });

  test('the closest miss per reason is the smallest relative gap', () => {
    const slow = (label: string, ttft: number): CandidateFacts => {
      const c = candidate(label, 1000);
      c.benchmarks[0].levels[0].ttftP99Ms = ttft;
      return c;
    };
    const result = recommend([slow('x', 900), slow('y', 240), slow('z', 500)], input({ slo: { maxTtftP99Ms: 200 } }));
    expect(result.exclusions).toHaveLength(1);
    expect(result.exclusions[0].message).toBe('3 versions exceed the TTFT target of 200 ms; the closest, y, measured 240 ms');
  });
});
