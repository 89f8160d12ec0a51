import { randomBytes } from 'node:crypto';
import { filterTrees, type Leaf, rng, type Tree } from '../support/filter-trees';
import { Role } from '../../src/domain/auth/roles';
import { metricsOffScale } from '../../src/domain/measurements/score-ranges';
import { issueToken } from '../../src/services/auth-tokens';
import { type Caller, systemCaller, userCaller } from '../../src/domain/auth/caller';
import { LifecycleStage } from '../../src/domain/lifecycle/lifecycle-stage';
import type { EvidenceOrder } from '../../src/domain/catalog/evidence-order';
import { ServingMetric } from '../../src/domain/catalog/evidence-filter';
import { type ModelFilter, ModelOrder } from '../../src/domain/catalog/model-query';
import { type ModelPage, ModelQueryService } from '../../src/services/model-query.service';
import { errorCode } from '../support/catalog-fixtures';
import { type GraphQLResponse, startTestApp, type TestApp } from '../support/test-app';

/**
 * The filter language (and / or / not over catalog fields and measured evidence) against a plain SQL reference:
 * each leaf's rows come from a hand-written query over the seeded catalog, and the tree's from set operations on
 * them, so the compiler is checked by something that shares none of its code.
 */
let t: TestApp;
const project = `flt-${randomBytes(3).toString('hex')}`;
const other = `flt-other-${randomBytes(3).toString('hex')}`;
let universe: Set<string>;
const MODELS = 64;
const H100 = '1xH100 vllm';
const L4 = '1xL4 vllm';


async function seed(): Promise<void> {
  const r = rng(26);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  for (let i = 0; i < MODELS; i++) {
    const [m] = await t.dataSource.query(
      `INSERT INTO models (name, display_name, description, source_type, architecture, parameter_count, input_modalities, output_modalities, endpoints,
                           license_id, tags, owner, project, status, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'filter-test') RETURNING id`,
      [
        `${project}-m${i}`, `Model ${i}`, pick(['an alpha model', 'a beta model', 'a model']), pick(['HUGGING_FACE', 'DISK', 'URL']),
        pick(['LlamaForCausalLM', 'MistralForCausalLM', null]), pick([null, '1000000000', '7000000000', '70000000000']),
        pick([['TEXT'], ['TEXT', 'IMAGE'], []]), pick([['TEXT'], ['AUDIO'], []]), pick([['CHAT'], ['COMPLETION', 'CHAT'], []]),
        pick(['MIT', 'Apache-2.0', null]), ['a', 'b', 'c', 'd'].filter(() => r() < 0.4), pick(['alice', 'bob', null]),
        i === MODELS - 1 ? other : project, pick(['VERIFIED', 'EVALUATED', 'PUBLISHED', 'DRAFT']),
      ],
    );
    const [v] = await t.dataSource.query(`INSERT INTO model_versions (model_id, version, major, minor, patch, status, created_by) VALUES ($1, '1.0.0', 1, 0, 0, 'VERIFIED', 'filter-test') RETURNING id`, [m.id]);
    for (let k = Math.floor(r() * 3); k > 0; k--) {
      const [benchmark, metric, score] = pick([
        ['mmlu', pick(['acc', null]), r()], ['mmlu', 'perplexity', 1 + r() * 20], ['humaneval', 'pass@1', r()],
      ] as const);
      // Only a run writes MEASURED, and a run's row carries its runner (the RECORDED constraint needs no operation).
      const provenance = pick(['MEASURED', 'MEASURED', 'REPORTED', 'RECORDED']);
      await t.dataSource.query(
        `INSERT INTO evaluations (model_id, version_id, benchmark, metric, score, recorded_by, provenance, runner) VALUES ($1, $2, $3, $4, $5, 'filter-test', $6, $7)`,
        [m.id, v.id, benchmark, metric, score, provenance, provenance === 'MEASURED' ? 'lm-eval' : null],
      );
    }
    for (let k = Math.floor(r() * 3); k > 0; k--) {
      const provenance = pick(['MEASURED', 'MEASURED', 'REPORTED']);
      await t.dataSource.query(
        `INSERT INTO benchmarks (model_id, version_id, hardware_profile, ttft_p99_ms, throughput_tokens_per_second, recorded_by, provenance, levels)
         VALUES ($1, $2, $3, $4, $5, 'filter-test', $6, '[]')`,
        [m.id, v.id, pick([H100, L4]), pick([null, 50 + r() * 400]), 100 + r() * 900, provenance],
      );
    }
  }
  universe = await ids(`SELECT id FROM models m WHERE m.project = $1`, [project]);
}

async function ids(sql: string, params: unknown[] = []): Promise<Set<string>> {
  return new Set((await t.dataSource.query(sql, params)).map((row: { id: string }) => row.id));
}

/** A leaf of the language and its plain SQL reference (over `m`, the project's models). */
const OFF = `(e.metric IS NULL OR e.metric NOT IN (${metricsOffScale('mmlu').map((x) => `'${x}'`).join(',')}))`;
const LEAVES: Leaf[] = [
  { filter: { architecture: 'llamaforcausallm' }, sql: `lower(m.architecture) = 'llamaforcausallm'` },
  { filter: { sourceType: 'DISK' }, sql: `m.source_type = 'DISK'` },
  { filter: { tags: ['a'] }, sql: `'a' = ANY(m.tags)` },
  { filter: { tags: ['b', 'c'] }, sql: `'b' = ANY(m.tags) AND 'c' = ANY(m.tags)` },
  { filter: { license: 'mit' }, sql: `lower(m.license_id) = 'mit'` },
  { filter: { status: ['PUBLISHED', 'EVALUATED'] }, sql: `m.status IN ('PUBLISHED', 'EVALUATED')` },
  { filter: { minParameters: '7000000000' }, sql: `m.parameter_count >= 7000000000` },
  { filter: { maxParameters: '7000000000' }, sql: `m.parameter_count <= 7000000000` },
  { filter: { modality: 'IMAGE' }, sql: `'IMAGE' = ANY(m.input_modalities) OR 'IMAGE' = ANY(m.output_modalities)` },
  { filter: { endpoint: 'COMPLETION' }, sql: `'COMPLETION' = ANY(m.endpoints)` },
  { filter: { owner: 'alice' }, sql: `m.owner = 'alice'` },
  { filter: { search: 'alpha' }, sql: `m.description LIKE '%alpha%'` },
  { filter: { evaluation: { benchmark: 'mmlu', min: 0.5 } }, sql: `EXISTS (SELECT 1 FROM evaluations e WHERE e.model_id = m.id AND e.benchmark = 'mmlu' AND e.provenance = 'MEASURED' AND e.score >= 0.5 AND ${OFF})` },
  { filter: { evaluation: { benchmark: 'mmlu', metric: 'acc', min: 0.2, max: 0.7, provenances: ['MEASURED', 'REPORTED'] } }, sql: `EXISTS (SELECT 1 FROM evaluations e WHERE e.model_id = m.id AND e.benchmark = 'mmlu' AND e.metric = 'acc' AND e.provenance IN ('MEASURED', 'REPORTED') AND e.score BETWEEN 0.2 AND 0.7)` },
  { filter: { evaluation: { benchmark: 'mmlu', metric: 'perplexity', max: 8 } }, sql: `EXISTS (SELECT 1 FROM evaluations e WHERE e.model_id = m.id AND e.benchmark = 'mmlu' AND e.metric = 'perplexity' AND e.provenance = 'MEASURED' AND e.score <= 8)` },
  { filter: { evaluation: { benchmark: 'humaneval', provenances: ['RECORDED'] } }, sql: `EXISTS (SELECT 1 FROM evaluations e WHERE e.model_id = m.id AND e.benchmark = 'humaneval' AND e.provenance = 'RECORDED')` },
  { filter: { benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: H100, max: 200 } }, sql: `EXISTS (SELECT 1 FROM benchmarks b WHERE b.model_id = m.id AND b.hardware_profile = '${H100}' AND b.provenance = 'MEASURED' AND b.ttft_p99_ms <= 200)` },
  { filter: { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: L4, min: 500, provenances: ['REPORTED', 'MEASURED'] } }, sql: `EXISTS (SELECT 1 FROM benchmarks b WHERE b.model_id = m.id AND b.hardware_profile = '${L4}' AND b.provenance IN ('REPORTED', 'MEASURED') AND b.throughput_tokens_per_second >= 500)` },
];

const { toFilter, reference, generate, count } = filterTrees(LEAVES, (sql) => ids(`SELECT m.id FROM models m WHERE m.project = $1 AND (${sql})`, [project]), () => universe);

const QUERY = `query($filter: ModelFilterInput, $after: String, $order: ModelEvidenceOrderInput, $first: Int) {
  models(filter: $filter, first: $first, after: $after, orderByEvidence: $order) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`;

async function listed(filter: Record<string, unknown>, options: { token?: string; order?: Record<string, unknown>; first?: number } = {}) {
  const out: string[] = [];
  let after: string | null = null;
  let total = -1;
  for (;;) {
    const res: GraphQLResponse = await t.gql(QUERY, { filter: { project, and: [filter] }, after, order: options.order ?? null, first: options.first ?? 100 }, options.token ? { token: options.token } : {});
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    total = res.data!.models.totalCount;
    out.push(...res.data!.models.edges.map((e: { node: { id: string } }) => e.node.id));
    if (!res.data!.models.pageInfo.hasNextPage) break;
    after = res.data!.models.pageInfo.endCursor;
  }
  expect(total).toBe(out.length);
  return out;
}

const sorted = (s: Iterable<string>) => [...s].sort();

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

  test('and, or, not, and a node with its own field beside an or', async () => {
    const trees: Tree[] = [
      { and: [{ leaf: 2 }, { leaf: 12 }] },
      { or: [{ leaf: 4 }, { leaf: 16 }, { leaf: 13 }] },
      { not: { leaf: 12 } },
      { not: { leaf: 0 } }, // a NULL architecture is in the complement
      { not: { or: [{ leaf: 6 }, { leaf: 10 }] } },
      { leaf: 5, or: [{ leaf: 16 }, { not: { leaf: 17 } }] },
    ];
    for (const tree of trees) expect([JSON.stringify(tree), sorted(await listed(toFilter(tree)))]).toEqual([JSON.stringify(tree), sorted(await reference(tree))]);
    // Sanity of the seed: the operators are not trivially empty or full.
    const sizes = await Promise.all(trees.map(async (tree) => (await reference(tree)).size));
    expect(sizes.some((n) => n > 0 && n < universe.size)).toBe(true);
  });

  test('generated filters (property): 120 random trees agree with the reference', async () => {
    const r = rng(0x26f1);
    for (let i = 0; i < 120; i++) {
      let tree = generate(r, 1);
      // Within the caps (checked on their own below): at most 49 nodes beside the wrapping one, 16 evidence leaves.
      while (count(tree).nodes > 49 || count(tree).evidence > 16) tree = generate(r, 1);
      expect([i, JSON.stringify(tree), sorted(await listed(toFilter(tree)))]).toEqual([i, JSON.stringify(tree), sorted(await reference(tree))]);
    }
  });
});

describe('ordering by evidence, paged', () => {
  test('by best MEASURED mmlu score, pages of 7 follow the reference order', async () => {
    const expected = (await t.dataSource.query(
      `SELECT m.id FROM models m JOIN (SELECT e.model_id, max(e.score) AS v FROM evaluations e WHERE e.benchmark = 'mmlu' AND e.provenance = 'MEASURED' AND ${OFF} GROUP BY e.model_id) k ON k.model_id = m.id
        WHERE m.project = $1 ORDER BY k.v DESC, m.id DESC`,
      [project],
    )).map((r: { id: string }) => r.id);
    expect(expected.length).toBeGreaterThan(7);
    expect(await listed({}, { order: { evaluation: { benchmark: 'mmlu' } }, first: 7 })).toEqual(expected);
  });

  test('by lowest TTFT on a profile, combined with a filter', async () => {
    const expected = (await t.dataSource.query(
      `SELECT m.id FROM models m JOIN (SELECT b.model_id, min(b.ttft_p99_ms) AS v FROM benchmarks b WHERE b.hardware_profile = $2 AND b.provenance = 'MEASURED' AND b.ttft_p99_ms IS NOT NULL GROUP BY b.model_id) k ON k.model_id = m.id
        WHERE m.project = $1 AND m.status <> 'DRAFT' ORDER BY k.v ASC, m.id ASC`,
      [project, H100],
    )).map((r: { id: string }) => r.id);
    expect(await listed({ not: { status: ['DRAFT'] } }, { order: { benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: H100 } }, first: 3 })).toEqual(expected);
  });

  test('without a filter (a caller of this project only) the board is the same, in pages', async () => {
    const viewer = await issueToken(t.config.auth, 'board-viewer', [], 3600, new Map([[project, [Role.VIEWER]]]));
    const expected = (await t.dataSource.query(
      `SELECT m.id FROM models m JOIN (SELECT e.model_id, max(e.score) AS v FROM evaluations e WHERE e.benchmark = 'mmlu' AND e.provenance = 'MEASURED' AND ${OFF} GROUP BY e.model_id) k ON k.model_id = m.id
        WHERE m.project = $1 ORDER BY k.v DESC, m.id DESC`,
      [project],
    )).map((r: { id: string }) => r.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: GraphQLResponse = await t.gql(QUERY, { filter: null, first: 5, after, order: { evaluation: { benchmark: 'mmlu' } } }, { token: viewer });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      seen.push(...res.data!.models.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!res.data!.models.pageInfo.hasNextPage) break;
      after = res.data!.models.pageInfo.endCursor;
    }
    // Public projects' models may be listed too; this project's come in the reference order.
    expect(seen.filter((id) => universe.has(id))).toEqual(expected);
  });

  test('the index walk a broad filter takes pages exactly as the per-model probes do, ties included', async () => {
    // Ties: the best model's best score recorded twice (listed once), and a second model at the same best (by id, descending).
    const [top] = await t.dataSource.query(
      `SELECT e.model_id, e.version_id, e.score FROM evaluations e JOIN models m ON m.id = e.model_id
        WHERE m.project = $1 AND e.benchmark = 'mmlu' AND e.provenance = 'MEASURED' AND ${OFF} ORDER BY e.score DESC LIMIT 1`,
      [project],
    );
    const [twin] = await t.dataSource.query(`SELECT m.id, v.id AS version_id FROM models m JOIN model_versions v ON v.model_id = m.id WHERE m.project = $1 AND m.id <> $2 LIMIT 1`, [project, top.model_id]);
    for (const [model, version] of [[top.model_id, top.version_id], [twin.id, twin.version_id]]) {
      await t.dataSource.query(
        `INSERT INTO evaluations (model_id, version_id, benchmark, metric, score, recorded_by, provenance, runner) VALUES ($1, $2, 'mmlu', 'acc', $3, 'filter-test', 'MEASURED', 'lm-eval')`,
        [model, version, top.score],
      );
    }
    const walking = new ModelQueryService(t.dataSource, 0);
    const probing = new ModelQueryService(t.dataSource, Number.MAX_SAFE_INTEGER);
    const viewer = userCaller({ subject: 'walk-viewer', roles: [], projects: new Map([[project, [Role.VIEWER]]]) });
    const pages = async (service: ModelQueryService, caller: Caller, filter: ModelFilter, order: EvidenceOrder) => {
      const out: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: ModelPage = await service.list(caller, filter, 3, after, ModelOrder.CREATED_AT_DESC, order);
        out.push(...page.nodes.map((n) => n.node.id));
        if (!page.hasNextPage) return out;
        after = page.endCursor;
      }
    };
    const mmlu = { evaluation: { benchmark: 'mmlu' } };
    const ttft = { benchmark: { metric: ServingMetric.TTFT_P99_MS, hardwareProfile: H100 } };
    const expected = (await t.dataSource.query(
      `SELECT m.id FROM models m JOIN (SELECT e.model_id, max(e.score) AS v FROM evaluations e WHERE e.benchmark = 'mmlu' AND e.provenance = 'MEASURED' AND ${OFF} GROUP BY e.model_id) k ON k.model_id = m.id
        WHERE m.project = $1 ORDER BY k.v DESC, m.id DESC`,
      [project],
    )).map((r: { id: string }) => r.id);
    expect(expected.slice(0, 2)).toEqual([top.model_id, twin.id].sort().reverse());
    for (const service of [walking, probing]) expect(await pages(service, systemCaller('walk-test'), { project }, mmlu)).toEqual(expected);
    const cases: [Caller, ModelFilter, EvidenceOrder][] = [
      [systemCaller('walk-test'), { project, not: { status: [LifecycleStage.DRAFT] } }, ttft],
      [viewer, {}, mmlu],
      [viewer, { or: [{ tags: ['a'] }, { evaluation: { benchmark: 'mmlu', min: 0.5 } }] }, ttft],
    ];
    for (const [caller, filter, order] of cases) {
      const walked = await pages(walking, caller, filter, order);
      expect(walked.length).toBeGreaterThan(0);
      expect(walked).toEqual(await pages(probing, caller, filter, order));
    }
  });

  test('a cursor of one ordering is refused by another', async () => {
    const first = await t.gql(QUERY, { filter: { project }, first: 1, order: { evaluation: { benchmark: 'mmlu' } } });
    const after = first.data!.models.pageInfo.endCursor;
    const res = await t.gql(QUERY, { filter: { project }, first: 1, after, order: { evaluation: { benchmark: 'humaneval' } } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(QUERY, { filter: { project }, first: 1, after }))).toBe('BAD_USER_INPUT');
  });
});

describe('caps and bad input', () => {
  const nest = (depth: number): Record<string, unknown> => (depth <= 1 ? { owner: 'alice' } : { not: nest(depth - 1) });
  const refusal = async (filter: Record<string, unknown>, pattern: RegExp, order: Record<string, unknown> | null = null) => {
    const res = await t.gql(QUERY, { filter, order, first: 5 });
    expect([JSON.stringify(filter).slice(0, 60), errorCode(res)]).toEqual([JSON.stringify(filter).slice(0, 60), 'BAD_USER_INPUT']);
    expect(res.errors![0].message).toMatch(pattern);
  };

  test('depth, width, node and evidence caps, each named', async () => {
    expect((await t.gql(QUERY, { filter: nest(5), first: 1 })).errors).toBeUndefined();
    await refusal(nest(6), /at most 5 levels deep/);
    await refusal({ or: Array.from({ length: 11 }, () => ({ owner: 'x' })) }, /filter\.or: at most 10 entries/);
    await refusal({ and: Array.from({ length: 10 }, () => ({ or: Array.from({ length: 5 }, () => ({ owner: 'x' })) })) }, /at most 50 nodes/);
    await refusal({ and: Array.from({ length: 9 }, () => ({ evaluation: { benchmark: 'mmlu' }, benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: H100 } })) }, /at most 16 evaluation and benchmark conditions/);
    await refusal({ or: [] }, /filter\.or: must not be empty/);
  });

  test('ranges and names are checked against the measurement scales', async () => {
    await refusal({ evaluation: { benchmark: 'mmlu', min: 81 } }, /filter\.evaluation\.min: 81 is outside \[0, 1\]/);
    await refusal({ evaluation: { benchmark: 'mmlu', min: 0.8, max: 0.2 } }, /filter\.evaluation\.max: must not be below/);
    await refusal({ not: { evaluation: { benchmark: 'mmlu', provenances: [] } } }, /filter\.not\.evaluation\.provenances/);
    await refusal({ evaluation: { benchmark: "mmlu'; DROP TABLE models; --" } }, /filter\.evaluation\.benchmark/);
    await refusal({ benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: H100, max: -1 } }, /filter\.benchmark\.max/);
    await refusal({}, /exactly one of evaluation or benchmark/, { evaluation: { benchmark: 'mmlu' }, benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: H100 } });
    // Text is bound, never spliced: a quote in a profile label matches nothing and breaks nothing.
    expect(await listed({ benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: `${H100}' OR '1'='1` } })).toEqual([]);
  });
});

describe('authorization in the query', () => {
  test("a caller of another project never sees this project's models, whatever the filter", async () => {
    const [{ id }] = await t.dataSource.query(`SELECT id FROM models WHERE project = $1`, [other]);
    const hidden = await issueToken(t.config.auth, 'outsider', [], 3600, new Map([[project, [Role.VIEWER]]]));
    const own = await issueToken(t.config.auth, 'insider', [], 3600, new Map([[other, [Role.VIEWER]]]));
    const everything = { or: [{ not: { owner: 'nobody' } }, { evaluation: { benchmark: 'mmlu' } }] };
    const res = await t.gql(QUERY, { filter: everything, first: 100 }, { token: hidden });
    expect(res.data!.models.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(id);
    const mine = await t.gql(QUERY, { filter: everything, first: 100 }, { token: own });
    // Public projects' models are everyone's to read, and other test files make some while this one runs.
    const open: { id: string }[] = await t.dataSource.query(`SELECT m.id FROM models m JOIN projects p ON p.id = m.project WHERE p.public`);
    const publicIds = new Set(open.map((r) => r.id));
    expect(mine.data!.models.edges.map((e: { node: { id: string } }) => e.node.id).filter((x: string) => !publicIds.has(x))).toEqual([id]);
  });
});
