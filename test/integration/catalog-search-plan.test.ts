import { randomBytes } from 'node:crypto';
import { Role } from '../../src/domain/auth/roles';
import { encodeCursor, ModelOrder } from '../../src/domain/catalog/model-query';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Search and the filter language through the page plan (ModelQueryService: collect few, walk the order, collect and
 * sort, walk far) against plain SQL over the same seeded rows: every term class and filter returns exactly the
 * reference's rows in the reference's order, on page 1, on page 50 and across every page, and totalCount is exact
 * or flagged as an estimate. The catalog is built so each step of the plan answers some class: a common word and a
 * dense tag (walk), a rare name and a term matching nothing (few), a word on one row in sixty (collect and sort), a
 * word only the older half carries (walk far), and evidence ranges (collected from the evidence index).
 */
let t: TestApp;
const project = `splan-${randomBytes(3).toString('hex')}`;
const profile = `${project}-h100`;
const ROWS = 6000;
const WORDS = 'A {common}{sparse}{far} model';

beforeAll(async () => {
  t = await startTestApp();
  // Newest in the shared table (a day ahead), one second apart: the walks meet these rows first.
  await t.dataSource.query(
    `INSERT INTO models (name, display_name, description, source_type, tags, status, created_by, project, created_at, updated_at)
     SELECT $1 || '-' || i, 'Entry ' || i,
            replace(replace(replace($2, '{common}', CASE WHEN i % 3 = 0 THEN 'plancommon ' ELSE '' END),
                    '{sparse}', CASE WHEN i % 60 = 0 THEN 'plansparse ' ELSE '' END),
                    '{far}', CASE WHEN i > 3000 THEN 'planfar ' ELSE '' END),
            'HUGGING_FACE',
            array_remove(ARRAY[CASE WHEN i % 4 = 0 THEN 'plan-dense' END, CASE WHEN i % 80 = 0 THEN 'plan-sparse' END], NULL),
            'DRAFT', 'search-plan-test', $1, ts, ts
     FROM generate_series(1, $3::int) AS i, LATERAL (SELECT now() + interval '1 day' - make_interval(secs => i) AS ts) s`,
    [project, WORDS, ROWS],
  );
  await t.dataSource.query(
    `INSERT INTO model_versions (model_id, version, major, minor, patch, status, created_by)
     SELECT id, '1.0.0', 1, 0, 0, 'VERIFIED', 'search-plan-test' FROM models WHERE project = $1`,
    [project],
  );
  // mmlu on every model (MEASURED on even rows), a benchmark on every other one.
  await t.dataSource.query(
    `INSERT INTO evaluations (model_id, version_id, benchmark, metric, score, recorded_by, provenance, runner)
     SELECT v.model_id, v.id, 'mmlu', 'acc', (n % 1000) / 1000.0, 'search-plan-test', CASE WHEN n % 2 = 0 THEN 'MEASURED' ELSE 'REPORTED' END,
            CASE WHEN n % 2 = 0 THEN 'lm-eval' END
     FROM model_versions v JOIN models m ON m.id = v.model_id, LATERAL (SELECT split_part(m.name, '-', 3)::int AS n) x WHERE m.project = $1`,
    [project],
  );
  await t.dataSource.query(
    `INSERT INTO benchmarks (model_id, version_id, hardware_profile, ttft_p99_ms, throughput_tokens_per_second, recorded_by, provenance, levels)
     SELECT v.model_id, v.id, $2, 10 + n % 500, (n * 7) % 3000, 'search-plan-test', 'MEASURED', '[]'
     FROM model_versions v JOIN models m ON m.id = v.model_id, LATERAL (SELECT split_part(m.name, '-', 3)::int AS n) x
     WHERE m.project = $1 AND n % 2 = 1`,
    [project, profile],
  );
  await t.dataSource.query('ANALYZE models, evaluations, benchmarks');
}, 120_000);

afterAll(async () => {
  // 6,000 models with evidence would otherwise crowd unscoped boards and lists of the test files that run after.
  await t?.dataSource.query(`DELETE FROM models WHERE project = $1`, [project]);
  await t?.stop();
});

const mmlu = (min: number, provenance = `'MEASURED'`) =>
  `EXISTS (SELECT 1 FROM evaluations e WHERE e.model_id = m.id AND e.benchmark = 'mmlu' AND e.provenance IN (${provenance}) AND e.score >= ${min})`;
const bench = (column: string, op: string, value: number) =>
  `EXISTS (SELECT 1 FROM benchmarks b WHERE b.model_id = m.id AND b.hardware_profile = '${profile}' AND b.provenance = 'MEASURED' AND b.${column} ${op} ${value})`;
const text = (term: string) => `(m.search_text LIKE '%${term}%' OR '${term}' = ANY(m.tags))`;

/** Each case: the filter the API gets and the same selection in plain SQL over `models m` (the project added to both). */
const CASES: [string, Record<string, unknown>, string][] = [
  ['common word (walk)', { search: 'plancommon' }, text('plancommon')],
  ['rare name (few)', { search: `${project}-4321` }, text(`${project}-4321`)],
  ['word on one row in sixty (collect and sort)', { search: 'plansparse' }, text('plansparse')],
  ['term matching nothing', { search: 'zz-nothing-zz' }, text('zz-nothing-zz')],
  ['word only old rows carry (walk far)', { search: 'planfar' }, text('planfar')],
  ['fragment of a name', { search: `${project}-12` }, text(`${project}-12`)],
  ['dense tag', { tags: ['plan-dense'] }, `m.tags @> ARRAY['plan-dense']`],
  ['sparse tag', { tags: ['plan-sparse'] }, `m.tags @> ARRAY['plan-sparse']`],
  ['tag and text', { tags: ['plan-dense'], search: 'plansparse' }, `m.tags @> ARRAY['plan-dense'] AND ${text('plansparse')}`],
  ['mmlu at least 0.5 (dense evidence)', { evaluation: { benchmark: 'mmlu', min: 0.5 } }, mmlu(0.5)],
  ['mmlu at least 0.99 (sparse evidence)', { evaluation: { benchmark: 'mmlu', min: 0.99 } }, mmlu(0.99)],
  [
    'tag or ttft at most 12',
    { or: [{ tags: ['plan-sparse'] }, { benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: profile, max: 12 } }] },
    `(m.tags @> ARRAY['plan-sparse'] OR ${bench('ttft_p99_ms', '<=', 12)})`,
  ],
  [
    'text and not mmlu at least 0.2 (any provenance)',
    { search: 'plancommon', not: { evaluation: { benchmark: 'mmlu', min: 0.2, provenances: ['MEASURED', 'REPORTED'] } } },
    `${text('plancommon')} AND NOT ${mmlu(0.2, `'MEASURED', 'REPORTED'`)}`,
  ],
  [
    'three levels of and / or / not with evidence',
    {
      and: [
        { or: [{ tags: ['plan-sparse'] }, { evaluation: { benchmark: 'mmlu', min: 0.98 } }] },
        { not: { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: profile, max: 1000 } } },
      ],
    },
    `(m.tags @> ARRAY['plan-sparse'] OR ${mmlu(0.98)}) AND NOT ${bench('throughput_tokens_per_second', '<=', 1000)}`,
  ],
];

async function reference(condition: string): Promise<string[]> {
  const rows: { id: string }[] = await t.dataSource.query(
    `SELECT m.id FROM models m WHERE m.project = $1 AND ${condition}
      ORDER BY date_trunc('milliseconds', m.created_at) DESC, m.id DESC`,
    [project],
  );
  return rows.map((r) => r.id);
}

const PAGE = `query($filter: ModelFilterInput, $first: Int, $after: String) {
  models(filter: $filter, first: $first, after: $after) { totalCount totalCountExact edges { node { id } } pageInfo { hasNextPage endCursor } }
}`;

interface Page {
  totalCount: number;
  totalCountExact: boolean;
  edges: { node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

async function page(filter: Record<string, unknown>, first: number, after: string | null = null): Promise<Page> {
  const res = await t.gql(PAGE, { filter: { project, ...filter }, first, after }, { as: Role.VIEWER });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.models as Page;
}

describe.each(CASES)('%s', (_name, filter, condition) => {
  let expected: string[];
  beforeAll(async () => {
    expected = await reference(condition);
  });

  test('page 1 and page 50 are the reference rows in order; totalCount is exact or flagged', async () => {
    const first = await page(filter, 20);
    expect(first.edges.map((e) => e.node.id)).toEqual(expected.slice(0, 20));
    expect(first.pageInfo.hasNextPage).toBe(expected.length > 20);
    if (expected.length <= 1000) expect({ count: first.totalCount, exact: first.totalCountExact }).toEqual({ count: expected.length, exact: true });
    else expect({ atLeastCap: first.totalCount > 1000, exact: first.totalCountExact }).toEqual({ atLeastCap: true, exact: false });
    if (expected.length <= 980) return;
    // Page 50 of 20, from the cursor the API gives the 980th row (value: its creation to the millisecond).
    const [row]: { created: Date }[] = await t.dataSource.query(`SELECT created_at AS created FROM models WHERE id = $1`, [expected[979]]);
    const after = encodeCursor({ order: ModelOrder.CREATED_AT_DESC, value: row.created.toISOString(), id: expected[979] });
    const fiftieth = await page(filter, 20, after);
    expect(fiftieth.edges.map((e) => e.node.id)).toEqual(expected.slice(980, 1000));
  });

  // Pages of 20 through a sparse set take the collect-and-sort step with a cursor; pages of 100 keep large sets short.
  test('every page is the reference in order', async () => {
    const size = expected.length <= 400 ? 20 : 100;
    const seen: string[] = [];
    let after: string | null = null;
    for (let n = 0; n <= expected.length / size + 1; n++) {
      const p: Page = await page(filter, size, after);
      seen.push(...p.edges.map((e) => e.node.id));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });
});

test('the catalog is what the cases assume: each class has the share of rows its plan step needs', async () => {
  const counts = Object.fromEntries(await Promise.all(CASES.map(async ([name, , condition]) => [name, (await reference(condition)).length] as const)));
  expect(counts).toMatchObject({
    'common word (walk)': 2000,
    'rare name (few)': 1,
    'word on one row in sixty (collect and sort)': 100,
    'term matching nothing': 0,
    'word only old rows carry (walk far)': 3000,
    'dense tag': 1500,
  });
});
