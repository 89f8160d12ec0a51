import { randomBytes } from 'node:crypto';
import { filterTrees, type Leaf, rng, type Tree } from '../support/filter-trees';
import { Role } from '../../src/domain/auth/roles';
import { metricsOffScale } from '../../src/domain/measurements/score-ranges';
import { issueToken } from '../../src/services/auth-tokens';
import { type Caller, systemCaller, userCaller } from '../../src/domain/auth/caller';
import { LifecycleStage } from '../../src/domain/lifecycle/lifecycle-stage';
import type { EvidenceOrder } from '../../src/domain/catalog/evidence-order';
import { ServingMetric } from '../../src/domain/catalog/evidence-filter';
import { type VersionFilter, VersionOrder } from '../../src/domain/catalog/version-query';
import { type VersionPage, VersionQueryService } from '../../src/services/version-query.service';
import { errorCode } from '../support/catalog-fixtures';
import { type GraphQLResponse, startTestApp, type TestApp } from '../support/test-app';

/**
 * The versions' filter (the models' language over a version's own fields, its model's and its own evidence) against
 * a plain SQL reference: each leaf's rows come from a hand-written query over the seeded versions, and a tree's from
 * set operations on them, so the compiler is checked by something that shares none of its code.
 */
let t: TestApp;
const project = `vflt-${randomBytes(3).toString('hex')}`;
const other = `vflt-other-${randomBytes(3).toString('hex')}`;
let universe: Set<string>;
const MODELS = 24;
const H100 = '1xH100 vllm';
const L4 = '1xL4 vllm';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;


async function seedVersion(r: () => number, modelId: string, n: number): Promise<void> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const prerelease = pick([null, null, 'rc.1']);
  // Some versions share a creation time to the microsecond: the id breaks the tie in every page.
  const created = new Date(T0 + Math.floor(r() * 30) * DAY + (r() < 0.3 ? 0 : Math.floor(r() * 1000))).toISOString().replace('Z', `${pick(['', '123'])}Z`);
  const source = pick([null, { type: 'HUGGING_FACE', repoId: 'org/x', revision: 'main' }, { type: 'DISK', path: '/models/x' }, { type: 'CUSTOM', storagePath: 'versions/x' }]);
  const [v] = await t.dataSource.query(
    `INSERT INTO model_versions (model_id, version, major, minor, patch, prerelease, status, source, created_by, created_at)
     VALUES ($1, $2, 1, $3, 0, $4, $5, $6, 'vfilter-test', $7) RETURNING id`,
    [modelId, `1.${n}.0${prerelease ? `-${prerelease}` : ''}`, n, prerelease, pick(['DRAFT', 'VERIFIED', 'EVALUATED', 'PUBLISHED', 'NEEDS_ATTENTION', 'ARCHIVED']), source, created],
  );
  const signature = pick(['none', 'valid', 'invalid', 'registry-only']);
  if (signature === 'valid' || signature === 'invalid') {
    await t.dataSource.query(`INSERT INTO version_signatures (version_id, origin, valid, sha256, size) VALUES ($1, 'UPSTREAM', $2, $3, 10)`, [v.id, signature === 'valid', 'a'.repeat(64)]);
  }
  if (signature !== 'none') {
    // The registry's own signature never counts as the upstream one.
    await t.dataSource.query(`INSERT INTO version_signatures (version_id, origin, valid, sha256, size) VALUES ($1, 'REGISTRY', true, $2, 10)`, [v.id, 'b'.repeat(64)]);
  }
  for (let k = Math.floor(r() * 3); k > 0; k--) {
    // Rescans add rows: only the newest one is the verdict.
    const started = new Date(T0 + Math.floor(r() * 40) * DAY).toISOString();
    await t.dataSource.query(
      `INSERT INTO scan_results (model_id, version_id, scanner, status, files_scanned, bytes_scanned, started_at, completed_at) VALUES ($1, $2, 'modelhub', $3, 1, 1, $4, $4)`,
      [modelId, v.id, pick(['PASSED', 'FAILED', 'SKIPPED']), started],
    );
  }
  for (let k = Math.floor(r() * 3); k > 0; k--) {
    const [benchmark, metric, score] = pick([['mmlu', pick(['acc', null]), r()], ['mmlu', 'perplexity', 1 + r() * 20], ['humaneval', 'pass@1', r()]] as const);
    const provenance = pick(['MEASURED', 'MEASURED', 'REPORTED', 'RECORDED']);
    await t.dataSource.query(
      `INSERT INTO evaluations (model_id, version_id, benchmark, metric, score, recorded_by, provenance, runner) VALUES ($1, $2, $3, $4, $5, 'vfilter-test', $6, $7)`,
      [modelId, v.id, benchmark, metric, score, provenance, provenance === 'MEASURED' ? 'lm-eval' : null],
    );
  }
  for (let k = Math.floor(r() * 3); k > 0; k--) {
    await t.dataSource.query(
      `INSERT INTO benchmarks (model_id, version_id, hardware_profile, ttft_p99_ms, throughput_tokens_per_second, recorded_by, provenance, levels)
       VALUES ($1, $2, $3, $4, $5, 'vfilter-test', $6, '[]')`,
      [modelId, v.id, pick([H100, L4]), pick([null, 50 + r() * 400]), 100 + r() * 900, pick(['MEASURED', 'MEASURED', 'REPORTED'])],
    );
  }
}

async function seed(): Promise<void> {
  const r = rng(2626);
  for (let i = 0; i < MODELS; i++) {
    const [m] = await t.dataSource.query(
      `INSERT INTO models (name, display_name, source_type, tags, project, status, created_by) VALUES ($1, $2, 'HUGGING_FACE', $3, $4, 'VERIFIED', 'vfilter-test') RETURNING id`,
      [`${project}-m${i}`, `Model ${i}`, ['a', 'b', 'c'].filter(() => r() < 0.4), i === MODELS - 1 ? other : project],
    );
    for (let n = 1 + Math.floor(r() * 4); n > 0; n--) await seedVersion(r, m.id, n);
  }
  universe = await ids(`SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.project = $1`, [project]);
}

async function ids(sql: string, params: unknown[] = []): Promise<Set<string>> {
  return new Set((await t.dataSource.query(sql, params)).map((row: { id: string }) => row.id));
}

/** A leaf of the language and its plain SQL reference (over `v` and its model `m`). */
const at = (days: number) => new Date(T0 + days * DAY).toISOString();
const OFF = `(e.metric IS NULL OR e.metric NOT IN (${metricsOffScale('mmlu').map((x) => `'${x}'`).join(',')}))`;
const LATEST_SCAN_IS = (statuses: string) =>
  `EXISTS (SELECT 1 FROM scan_results s WHERE s.version_id = v.id AND s.status IN (${statuses})
     AND NOT EXISTS (SELECT 1 FROM scan_results s2 WHERE s2.version_id = v.id AND (s2.started_at > s.started_at OR (s2.started_at = s.started_at AND s2.id > s.id))))`;
const VALID_UPSTREAM = `EXISTS (SELECT 1 FROM version_signatures g WHERE g.version_id = v.id AND g.origin = 'UPSTREAM' AND g.valid)`;
const LEAVES: Leaf[] = [
  { filter: { stages: ['PUBLISHED', 'EVALUATED'] }, sql: `v.status IN ('PUBLISHED', 'EVALUATED')` },
  { filter: { stages: ['DRAFT'] }, sql: `v.status = 'DRAFT'` },
  { filter: { model: `${project}-M3 ` }, sql: `m.name = '${project}-m3'` },
  { filter: { tags: ['a'] }, sql: `'a' = ANY(m.tags)` },
  { filter: { tags: ['B', 'c'] }, sql: `'b' = ANY(m.tags) AND 'c' = ANY(m.tags)` },
  { filter: { createdSince: at(10) }, sql: `v.created_at >= '${at(10)}'` },
  { filter: { createdBefore: at(20) }, sql: `v.created_at < '${at(20)}'` },
  { filter: { prerelease: true }, sql: `v.version LIKE '%-%'` },
  { filter: { prerelease: false }, sql: `v.version NOT LIKE '%-%'` },
  { filter: { signature: ['VALID'] }, sql: VALID_UPSTREAM },
  { filter: { signature: ['UNSIGNED', 'INVALID'] }, sql: `NOT ${VALID_UPSTREAM}` },
  { filter: { signature: ['UNSIGNED'] }, sql: `NOT EXISTS (SELECT 1 FROM version_signatures g WHERE g.version_id = v.id AND g.origin = 'UPSTREAM')` },
  { filter: { scanStatus: ['FAILED'] }, sql: LATEST_SCAN_IS(`'FAILED'`) },
  { filter: { scanStatus: ['PASSED', 'SKIPPED'] }, sql: LATEST_SCAN_IS(`'PASSED', 'SKIPPED'`) },
  { filter: { sourceType: 'HUGGING_FACE' }, sql: `v.source @> '{"type": "HUGGING_FACE"}'` },
  { filter: { sourceType: 'CUSTOM' }, sql: `v.source @> '{"type": "CUSTOM"}'` },
  { filter: { evaluation: { benchmark: 'mmlu', min: 0.5 } }, sql: `EXISTS (SELECT 1 FROM evaluations e WHERE e.version_id = v.id AND e.benchmark = 'mmlu' AND e.provenance = 'MEASURED' AND e.score >= 0.5 AND ${OFF})` },
  { filter: { evaluation: { benchmark: 'mmlu', metric: 'acc', min: 0.2, max: 0.7, provenances: ['MEASURED', 'REPORTED'] } }, sql: `EXISTS (SELECT 1 FROM evaluations e WHERE e.version_id = v.id AND e.benchmark = 'mmlu' AND e.metric = 'acc' AND e.provenance IN ('MEASURED', 'REPORTED') AND e.score BETWEEN 0.2 AND 0.7)` },
  { filter: { evaluation: { benchmark: 'humaneval', provenances: ['RECORDED'] } }, sql: `EXISTS (SELECT 1 FROM evaluations e WHERE e.version_id = v.id AND e.benchmark = 'humaneval' AND e.provenance = 'RECORDED')` },
  { filter: { benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: H100, max: 200 } }, sql: `EXISTS (SELECT 1 FROM benchmarks b WHERE b.version_id = v.id AND b.hardware_profile = '${H100}' AND b.provenance = 'MEASURED' AND b.ttft_p99_ms <= 200)` },
  { filter: { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: L4, min: 500, provenances: ['REPORTED', 'MEASURED'] } }, sql: `EXISTS (SELECT 1 FROM benchmarks b WHERE b.version_id = v.id AND b.hardware_profile = '${L4}' AND b.provenance IN ('REPORTED', 'MEASURED') AND b.throughput_tokens_per_second >= 500)` },
];

const { toFilter, reference, generate, count } = filterTrees(LEAVES, (sql) => ids(`SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.project = $1 AND (${sql})`, [project]), () => universe);

const QUERY = `query($filter: VersionFilterInput, $after: String, $order: ModelEvidenceOrderInput, $orderBy: VersionOrder, $first: Int) {
  versions(filter: $filter, first: $first, after: $after, orderByEvidence: $order, orderBy: $orderBy) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`;

interface ListOptions {
  token?: string;
  order?: Record<string, unknown>;
  orderBy?: string;
  first?: number;
}

async function listed(filter: Record<string, unknown>, options: ListOptions = {}) {
  const out: string[] = [];
  let after: string | null = null;
  let total = -1;
  for (;;) {
    const variables = { filter: { project, and: [filter] }, after, order: options.order ?? null, orderBy: options.orderBy ?? null, first: options.first ?? 100 };
    const res: GraphQLResponse = await t.gql(QUERY, variables, options.token ? { token: options.token } : {});
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    total = res.data!.versions.totalCount;
    out.push(...res.data!.versions.edges.map((e: { node: { id: string } }) => e.node.id));
    if (!res.data!.versions.pageInfo.hasNextPage) break;
    after = res.data!.versions.pageInfo.endCursor;
  }
  expect(total).toBe(out.length);
  return out;
}

const sorted = (s: Iterable<string>) => [...s].sort();
const column = async (sql: string, params: unknown[]) => (await t.dataSource.query(sql, params)).map((r: { id: string }) => r.id);

beforeAll(async () => {
  t = await startTestApp();
  await seed();
});
afterAll(async () => {
  await t?.stop();
});

describe('each operator returns exactly the rows of a plain SQL reference', () => {
  test.each(LEAVES.map((leaf, i) => [JSON.stringify(leaf.filter), i] as const))('%s', async (_, i) => {
    const expected = await reference({ leaf: i });
    expect(sorted(await listed(LEAVES[i].filter))).toEqual(sorted(expected));
  });

  test('the seed makes every leaf a proper subset, and and / or / not hand-picked', async () => {
    for (let i = 0; i < LEAVES.length; i++) {
      const n = (await reference({ leaf: i })).size;
      expect([JSON.stringify(LEAVES[i].filter), n > 0 && n < universe.size]).toEqual([JSON.stringify(LEAVES[i].filter), true]);
    }
    const trees: Tree[] = [
      { not: { leaf: 12 } }, // never scanned versions are in the complement of a scan verdict
      { not: { leaf: 14 } }, // and versions without a source in that of a source type
      { and: [{ leaf: 0 }, { leaf: 16 }] },
      { or: [{ leaf: 9 }, { leaf: 19 }, { leaf: 7 }] },
      { leaf: 3, or: [{ leaf: 5 }, { not: { leaf: 6 } }] },
    ];
    for (const tree of trees) expect([JSON.stringify(tree), sorted(await listed(toFilter(tree)))]).toEqual([JSON.stringify(tree), sorted(await reference(tree))]);
  });

  test('generated filters (property): 120 random trees agree with the reference', async () => {
    const r = rng(0x5ef1);
    for (let i = 0; i < 120; i++) {
      let tree = generate(r, 1);
      // Within the caps (checked on their own below): at most 49 nodes beside the wrapping one, 16 evidence leaves.
      while (count(tree).nodes > 49 || count(tree).evidence > 16) tree = generate(r, 1);
      expect([i, JSON.stringify(tree), sorted(await listed(toFilter(tree)))]).toEqual([i, JSON.stringify(tree), sorted(await reference(tree))]);
    }
  });

  test('Model.versions takes the same filter, per model, newest semantic version first', async () => {
    const filter = { or: [{ stages: ['PUBLISHED', 'EVALUATED'] }, { evaluation: { benchmark: 'mmlu', min: 0.5 } }] };
    const res = await t.gql(`query($p: String, $f: VersionFilterInput) { models(first: 100, filter: { project: $p }) { edges { node { id versions(filter: $f) { id } } } } }`, { p: project, f: filter });
    expect(res.errors).toBeUndefined();
    const expected = await reference({ or: [{ leaf: 0 }, { leaf: 16 }] });
    const got = res.data!.models.edges.flatMap((e: { node: { versions: { id: string }[] } }) => e.node.versions.map((v) => v.id));
    expect(sorted(got)).toEqual(sorted(expected));
    const bad = await t.gql(`query($p: String) { models(first: 5, filter: { project: $p }) { edges { node { versions(filter: { stages: [] }) { id } } } } }`, { p: project });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].message).toMatch(/filter\.stages/);
  });
});

describe('ordering and paging', () => {
  test('by creation time, both ways, in pages of 7 that follow the reference order (ties broken by id)', async () => {
    const desc = await column(`SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.project = $1 ORDER BY v.created_at DESC, v.id DESC`, [project]);
    const ties = await t.dataSource.query(`SELECT count(*) - count(DISTINCT v.created_at) AS n FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.project = $1`, [project]);
    expect(Number(ties[0].n)).toBeGreaterThan(0);
    expect(await listed({}, { first: 7 })).toEqual(desc);
    expect(await listed({}, { first: 7, orderBy: 'CREATED_AT_ASC' })).toEqual([...desc].reverse());
  });

  test('a version created while paging neither repeats nor shifts the pages after the cursor', async () => {
    const first = await t.gql(QUERY, { filter: { project }, first: 5 });
    const [{ id: modelId }] = await t.dataSource.query(`SELECT id FROM models WHERE name = $1`, [`${project}-m0`]);
    const [added] = await t.dataSource.query(`INSERT INTO model_versions (model_id, version, major, minor, patch, status, created_by) VALUES ($1, '9.9.9', 9, 9, 9, 'DRAFT', 'vfilter-test') RETURNING id`, [modelId]);
    try {
      const rest: string[] = [];
      let after = first.data!.versions.pageInfo.endCursor as string | null;
      while (after) {
        const res: GraphQLResponse = await t.gql(QUERY, { filter: { project }, first: 5, after });
        rest.push(...res.data!.versions.edges.map((e: { node: { id: string } }) => e.node.id));
        after = res.data!.versions.pageInfo.hasNextPage ? res.data!.versions.pageInfo.endCursor : null;
      }
      const seen = [...first.data!.versions.edges.map((e: { node: { id: string } }) => e.node.id), ...rest];
      expect(seen).not.toContain(added.id);
      expect(sorted(seen)).toEqual(sorted(universe));
    } finally {
      await t.dataSource.query(`DELETE FROM model_versions WHERE id = $1`, [added.id]);
    }
  });

  test('by best MEASURED mmlu score per version, pages of 3', async () => {
    const expected = await column(
      `SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id
         JOIN (SELECT e.version_id, max(e.score) AS s FROM evaluations e WHERE e.benchmark = 'mmlu' AND e.provenance = 'MEASURED' AND ${OFF} GROUP BY e.version_id) k ON k.version_id = v.id
        WHERE m.project = $1 ORDER BY k.s DESC, v.id DESC`,
      [project],
    );
    expect(expected.length).toBeGreaterThan(3);
    expect(await listed({}, { order: { evaluation: { benchmark: 'mmlu' } }, first: 3 })).toEqual(expected);
  });

  test('by lowest TTFT on a profile under a filter, pages of 3', async () => {
    const expected = await column(
      `SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id
         JOIN (SELECT b.version_id, min(b.ttft_p99_ms) AS s FROM benchmarks b WHERE b.hardware_profile = $2 AND b.provenance = 'MEASURED' AND b.ttft_p99_ms IS NOT NULL GROUP BY b.version_id) k ON k.version_id = v.id
        WHERE m.project = $1 AND v.status <> 'DRAFT' ORDER BY k.s ASC, v.id ASC`,
      [project, H100],
    );
    expect(expected.length).toBeGreaterThan(3);
    expect(await listed({ not: { stages: ['DRAFT'] } }, { order: { benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: H100 } }, first: 3 })).toEqual(expected);
  });

  test('totalCount is exact up to 1,000 versions, above that the estimate, flagged by totalCountExact', async () => {
    const COUNTED = `query($filter: VersionFilterInput) { versions(filter: $filter, first: 1) { totalCount totalCountExact } }`;
    const small = await t.gql(COUNTED, { filter: { project } });
    const seeded = await column(`SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.project = $1`, [project]);
    expect(small.data!.versions).toEqual({ totalCount: seeded.length, totalCountExact: true });
    const big = `vflt-big-${randomBytes(3).toString('hex')}`;
    const [m] = await t.dataSource.query(`INSERT INTO models (name, source_type, project, status, created_by) VALUES ($1, 'DISK', $2, 'VERIFIED', 'filter-test') RETURNING id`, [`${big}-m`, big]);
    try {
      await t.dataSource.query(
        `INSERT INTO model_versions (model_id, version, major, minor, patch, status, created_by) SELECT $1, '1.0.' || i, 1, 0, i, 'VERIFIED', 'filter-test' FROM generate_series(1, 1200) i`,
        [m.id],
      );
      await t.dataSource.query('ANALYZE model_versions');
      const res = await t.gql(COUNTED, { filter: { project: big } });
      expect(res.errors).toBeUndefined();
      expect({ over: res.data!.versions.totalCount > 1000, exact: res.data!.versions.totalCountExact }).toEqual({ over: true, exact: false });
    } finally {
      await t.dataSource.query(`DELETE FROM models WHERE id = $1`, [m.id]);
    }
  });

  test('the index walk a broad filter takes pages exactly as the per-version probes do', async () => {
    const walking = new VersionQueryService(t.dataSource, t.services.versions, 0);
    const probing = new VersionQueryService(t.dataSource, t.services.versions, Number.MAX_SAFE_INTEGER);
    const viewer = userCaller({ subject: 'vwalk-viewer', roles: [], projects: new Map([[project, [Role.VIEWER]]]) });
    const pages = async (service: VersionQueryService, caller: Caller, filter: VersionFilter, order: EvidenceOrder) => {
      const out: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: VersionPage = await service.list(caller, filter, 3, after, VersionOrder.CREATED_AT_DESC, order);
        out.push(...page.nodes.map((n) => n.node.id));
        if (!page.hasNextPage) return out;
        after = page.endCursor;
      }
    };
    const mmlu = { evaluation: { benchmark: 'mmlu' } };
    const ttft = { benchmark: { metric: ServingMetric.TTFT_P99_MS, hardwareProfile: H100 } };
    const expected = await column(
      `SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id
         JOIN (SELECT e.version_id, max(e.score) AS s FROM evaluations e WHERE e.benchmark = 'mmlu' AND e.provenance = 'MEASURED' AND ${OFF} GROUP BY e.version_id) k ON k.version_id = v.id
        WHERE m.project = $1 ORDER BY k.s DESC, v.id DESC`,
      [project],
    );
    for (const service of [walking, probing]) expect(await pages(service, systemCaller('vwalk-test'), { project }, mmlu)).toEqual(expected);
    const cases: [Caller, VersionFilter, EvidenceOrder][] = [
      [systemCaller('vwalk-test'), { project, not: { stages: [LifecycleStage.DRAFT] } }, ttft],
      [viewer, {}, mmlu],
    ];
    for (const [caller, filter, order] of cases) {
      const walked = await pages(walking, caller, filter, order);
      expect(walked.length).toBeGreaterThan(0);
      expect(walked).toEqual(await pages(probing, caller, filter, order));
    }
  });

  test("a cursor of another ordering, or of the models' list, is refused", async () => {
    const byScore = await t.gql(QUERY, { filter: { project }, first: 1, order: { evaluation: { benchmark: 'mmlu' } } });
    const byTime = await t.gql(QUERY, { filter: { project }, first: 1 });
    const models = await t.gql(`query($p: String) { models(first: 1, filter: { project: $p }, orderByEvidence: { evaluation: { benchmark: "mmlu" } }) { pageInfo { endCursor } } }`, { p: project });
    const refusals = [
      await t.gql(QUERY, { filter: { project }, first: 1, after: byScore.data!.versions.pageInfo.endCursor, order: { evaluation: { benchmark: 'humaneval' } } }),
      await t.gql(QUERY, { filter: { project }, first: 1, after: byScore.data!.versions.pageInfo.endCursor }),
      await t.gql(QUERY, { filter: { project }, first: 1, after: byTime.data!.versions.pageInfo.endCursor, orderBy: 'CREATED_AT_ASC' }),
      await t.gql(QUERY, { filter: { project }, first: 1, after: models.data!.models.pageInfo.endCursor, order: { evaluation: { benchmark: 'mmlu' } } }),
      await t.gql(QUERY, { filter: { project }, first: 1, after: 'bm90IG91cnM' }),
    ];
    expect(refusals.map(errorCode)).toEqual(refusals.map(() => 'BAD_USER_INPUT'));
  });
});

describe('caps and bad input', () => {
  const nest = (depth: number): Record<string, unknown> => (depth <= 1 ? { prerelease: true } : { not: nest(depth - 1) });
  const refusal = async (filter: Record<string, unknown>, pattern: RegExp, order: Record<string, unknown> | null = null) => {
    const res = await t.gql(QUERY, { filter, order, first: 5 });
    expect([JSON.stringify(filter).slice(0, 60), errorCode(res)]).toEqual([JSON.stringify(filter).slice(0, 60), 'BAD_USER_INPUT']);
    expect(res.errors![0].message).toMatch(pattern);
  };

  test('depth, width, node and evidence caps, each named with its path', async () => {
    expect((await t.gql(QUERY, { filter: nest(5), first: 1 })).errors).toBeUndefined();
    await refusal(nest(6), /filter\.not\.not\.not\.not\.not: .*at most 5 levels deep/);
    await refusal({ or: Array.from({ length: 11 }, () => ({ prerelease: true })) }, /filter\.or: at most 10 entries/);
    await refusal({ and: Array.from({ length: 10 }, () => ({ or: Array.from({ length: 5 }, () => ({ prerelease: false })) })) }, /at most 50 nodes/);
    await refusal({ and: Array.from({ length: 9 }, () => ({ evaluation: { benchmark: 'mmlu' }, benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: H100 } })) }, /filter\.and\[8\]: .*at most 16 evaluation and benchmark conditions/);
    await refusal({ or: [] }, /filter\.or: must not be empty/);
  });

  test('fields and ranges are checked', async () => {
    await refusal({ or: [{ scanStatus: [] }] }, /filter\.or\[0\]\.scanStatus: must not be empty/);
    await refusal({ createdSince: at(5), createdBefore: at(5) }, /filter\.createdBefore: must be after filter\.createdSince/);
    await refusal({ project: 'not a project!' }, /filter\.project/);
    await refusal({ not: { evaluation: { benchmark: 'mmlu', min: 81 } } }, /filter\.not\.evaluation\.min: 81 is outside \[0, 1\]/);
    await refusal({ benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: H100, max: -1 } }, /filter\.benchmark\.max/);
    await refusal({}, /exactly one of evaluation or benchmark/, { evaluation: { benchmark: 'mmlu' }, benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: H100 } });
    // Text is bound, never spliced: a quote in a name matches nothing and breaks nothing.
    expect(await listed({ model: `x' OR '1'='1` })).toEqual([]);
  });
});

describe('authorization in the query', () => {
  test("a caller of another project never sees this project's versions, whatever the filter or ordering", async () => {
    const theirs = await ids(`SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.project = $1`, [other]);
    expect(theirs.size).toBeGreaterThan(0);
    const insider = await issueToken(t.config.auth, 'vfilter-insider', [], 3600, new Map([[project, [Role.VIEWER]]]));
    const outsider = await issueToken(t.config.auth, 'vfilter-outsider', [], 3600, new Map([[other, [Role.VIEWER]]]));
    const everything = { or: [{ not: { prerelease: true } }, { prerelease: true }] };
    const page = async (token: string, order: Record<string, unknown> | null) => {
      const res = await t.gql(QUERY, { filter: everything, first: 100, order }, { token });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return { ids: res.data!.versions.edges.map((e: { node: { id: string } }) => e.node.id) as string[], total: res.data!.versions.totalCount as number };
    };
    for (const order of [null, { evaluation: { benchmark: 'mmlu', provenances: ['MEASURED', 'REPORTED', 'RECORDED'] } }]) {
      const inside = await page(insider, order);
      expect(inside.ids.filter((id) => theirs.has(id))).toEqual([]);
      const outside = await page(outsider, order);
      expect(outside.ids.filter((id) => universe.has(id))).toEqual([]);
    }
    // Public projects' versions (other test files make some while this runs) may fill a page: ask for their project.
    const own = await t.gql(QUERY, { filter: { project: other }, first: 100 }, { token: outsider });
    expect(sorted(own.data!.versions.edges.map((e: { node: { id: string } }) => e.node.id))).toEqual(sorted(theirs));
    // Asking for the other project by name finds nothing, and counts nothing.
    const res = await t.gql(QUERY, { filter: { project: other }, first: 100 }, { token: insider });
    expect([res.data!.versions.edges.length, res.data!.versions.totalCount]).toEqual([0, 0]);
  });
});
