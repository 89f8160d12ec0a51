import { Role } from '../../src/domain/auth/roles';
import { errorCode } from '../support/catalog-fixtures';
import { draftVersion } from '../support/files-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/** JSON inputs nested absurdly deep are a clear BAD_USER_INPUT (they overflowed the stack: an internal error). */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t.stop();
});

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

test.each([
  ['recordEvaluation', 'details', `mutation($v: ID!, $d: JSONObject) { recordEvaluation(input: { versionId: $v, benchmark: "deep", score: 0.5, details: $d }) { id } }`],
  ['recordBenchmark', 'configuration', `mutation($v: ID!, $d: JSONObject) { recordBenchmark(input: { versionId: $v, hardwareProfile: "deep", ttftP50Ms: 1, configuration: $d }) { id } }`],
])('%s with %s nested 100,000 deep is BAD_USER_INPUT, stores nothing, and the service answers', async (_mutation, _field, query) => {
  const { versionId } = await draftVersion(t);
  const body = `{"query":${JSON.stringify(query)},"variables":{"v":"${versionId}","d":${nested(100_000)}}}`;
  const res = await fetch(t.app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.token(Role.EDITOR)}` }, body });
  const answer = (await res.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
  expect(errorCode(answer)).toBe('BAD_USER_INPUT');
  // Refused before coercion, named by the variable that carries it.
  expect(answer.errors![0].message).toBe('$d (d.a.a.a…): variables nest at most 64 levels deep');
  const [rows] = (await t.dataSource.query(`SELECT (SELECT count(*) FROM evaluations WHERE version_id = $1) + (SELECT count(*) FROM benchmarks WHERE version_id = $1) AS n`, [versionId])) as { n: string }[];
  expect(Number(rows.n)).toBe(0);
  const shallow = await t.gql(query, { v: versionId, d: JSON.parse(nested(30)) });
  expect(shallow.errors).toBeUndefined();
});
