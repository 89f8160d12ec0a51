import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Role } from '../../src/domain/auth/roles';
import { encodeOpaqueCursor } from '../../src/domain/common/opaque-cursor';
import { issueToken } from '../../src/services/auth-tokens';
import { keyFingerprint } from '../../src/domain/signing/signature-trust';
import { errorCode, verifiedByRows } from '../support/catalog-fixtures';
import { type GraphQLResponse, startTestApp, type TestApp } from '../support/test-app';

/**
 * This session's new code attacked from another project: the versions' filter (every branch, cursors, caps, odd
 * values), the plain-row read path and its ftv1-traced schema copy, and the folded registerModel / createVersion
 * writes (conflicts, concurrency, half-written rows). Each case answers data of the caller's own projects only or a
 * clear error with extensions.code, and the service keeps answering.
 */
let t: TestApp;
const tag = randomBytes(3).toString('hex');
const secret = `atk29-secret-${tag}`;
const mine = `atk29-mine-${tag}`;
const HW = `atk29-hw-${tag}`;
let outsider: string;
let insider: string;
let secretModel: { id: string; name: string };
let secretVersion: { id: string; createdAt: string };
let myModel: { id: string; name: string };
let myVersion: { id: string };

type Res = GraphQLResponse;
const as = (token: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Res> =>
  t.gql(query, variables, { token, headers });
const VERSIONS = `query($f: VersionFilterInput, $first: Int, $after: String, $e: ModelEvidenceOrderInput) {
  versions(filter: $f, first: $first, after: $after, orderByEvidence: $e) { totalCount edges { cursor node { id model { id project } } } pageInfo { endCursor hasNextPage } } }`;

function ok(res: Res): Res {
  if (res.errors) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res;
}

async function register(token: string, project: string, name: string): Promise<{ id: string; name: string }> {
  const res = ok(await as(token, `mutation($i: RegisterModelInput!) { registerModel(input: $i) { id name } }`, { i: { name, sourceType: 'HUGGING_FACE', project } }));
  return res.data!.registerModel;
}

async function newVersion(token: string, modelId: string, version: string): Promise<Res> {
  return as(token, `mutation($i: CreateVersionInput!) { createVersion(input: $i) { id version } }`, { i: { modelId, version } });
}

async function evidence(modelId: string, versionId: string): Promise<void> {
  await t.dataSource.query(
    `INSERT INTO benchmarks (model_id, version_id, hardware_profile, throughput_tokens_per_second, recorded_by, provenance, levels) VALUES ($1, $2, $3, 500, 'atk29', 'MEASURED', '[]')`,
    [modelId, versionId, HW],
  );
  await t.dataSource.query(
    `INSERT INTO evaluations (model_id, version_id, benchmark, metric, score, recorded_by, provenance, runner) VALUES ($1, $2, 'mmlu', 'acc', 0.5, 'atk29', 'MEASURED', 'lm-eval')`,
    [modelId, versionId],
  );
}

beforeAll(async () => {
  t = await startTestApp();
  insider = await issueToken(t.config.auth, `atk29-insider-${tag}`, [], 3600, new Map([[secret, [Role.EDITOR]]]));
  outsider = await issueToken(t.config.auth, `atk29-outsider-${tag}`, [], 3600, new Map([[mine, [Role.EDITOR]]]));
  secretModel = await register(insider, secret, `atk29-secret-model-${tag}`);
  const sv = ok(await newVersion(insider, secretModel.id, '1.0.0')).data!.createVersion;
  const [row] = await t.dataSource.query(`SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS c FROM model_versions WHERE id = $1`, [sv.id]);
  secretVersion = { id: sv.id, createdAt: row.c };
  myModel = await register(outsider, mine, `atk29-my-model-${tag}`);
  myVersion = ok(await newVersion(outsider, myModel.id, '1.0.0')).data!.createVersion;
  await evidence(secretModel.id, secretVersion.id);
  await evidence(myModel.id, myVersion.id);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('the versions filter never shows another project', () => {
  const branches: [string, Record<string, unknown>][] = [
    ['project', { project: '$secret' }],
    ['model name', { model: '$secretName' }],
    ['or', { or: [{ project: '$secret' }, { model: '$secretName' }, { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: HW } }] }],
    ['not', { not: { project: '$mine' } }],
    ['not not', { not: { not: { project: '$secret' } } }],
    ['evaluation', { evaluation: { benchmark: 'mmlu', metric: 'acc', min: 0.4, max: 0.6 }, and: [{ not: { project: '$mine' } }] }],
    ['benchmark', { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: HW } }],
    ['stages and tags', { stages: ['DRAFT'], or: [{ project: '$secret' }, { not: { stages: ['DRAFT'] } }] }],
  ];
  const fill = (v: unknown): unknown =>
    typeof v === 'string' ? v.replace('$secretName', secretModel.name).replace('$secret', secret).replace('$mine', mine)
    : Array.isArray(v) ? v.map(fill)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]))
    : v;

  test.each(branches)('%s', async (_name, filter) => {
    for (const e of [null, { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: HW } }, { evaluation: { benchmark: 'mmlu', metric: 'acc' } }]) {
      const res = ok(await as(outsider, VERSIONS, { f: fill(filter), first: 100, e }));
      const ids = res.data!.versions.edges.map((x: { node: { id: string } }) => x.node.id);
      expect(ids).not.toContain(secretVersion.id);
      for (const edge of res.data!.versions.edges) expect(edge.node.model.project).not.toBe(secret);
      // The count of the secret side is not observable: filters on the secret project count nothing.
      if (JSON.stringify(filter).includes('$secret') && !JSON.stringify(filter).includes('or')) expect(res.data!.versions.totalCount).toBe(0);
    }
    // The benchmark ordering on this file's own hardware profile: the outsider's version only.
    const board = ok(await as(outsider, VERSIONS, { first: 10, e: { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: HW } } }));
    expect(board.data!.versions.totalCount).toBe(1);
    expect(board.data!.versions.edges.map((x: { node: { id: string } }) => x.node.id)).toEqual([myVersion.id]);
  });

  test('Model.versions(filter:) and _entities of another project answer nothing, traced or not', async () => {
    for (const headers of [{}, { 'apollo-federation-include-trace': 'ftv1' }] as Record<string, string>[]) {
      const direct = await as(outsider, `query($id: ID!) { model(id: $id) { versions(filter: { stages: [DRAFT] }) { id } } }`, { id: secretModel.id }, headers);
      expect(errorCode(direct)).toBe('NOT_FOUND');
      const entities = ok(
        await as(outsider, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Model { id versions(filter: { stages: [DRAFT] }) { id } } } }`, { r: [{ __typename: 'Model', id: secretModel.id }, { __typename: 'Model', id: myModel.id }] }, headers),
      );
      expect(entities.data!._entities).toEqual([null, { id: myModel.id, versions: [{ id: myVersion.id }] }]);
      const listed = ok(await as(outsider, VERSIONS, { f: { project: secret }, first: 5 }, headers));
      expect(listed.data!.versions).toMatchObject({ totalCount: 0, edges: [] });
      const version = await as(outsider, `query($id: ID!) { version(id: $id) { id } }`, { id: secretVersion.id }, headers);
      expect(errorCode(version)).toBe('NOT_FOUND');
    }
  });
});

describe('cursors', () => {
  test('a forged cursor pointing into a hidden project pages from there without showing it', async () => {
    const forged = encodeOpaqueCursor(['VERSION', 'CREATED_AT_DESC', secretVersion.createdAt, secretVersion.id]);
    const res = ok(await as(outsider, VERSIONS, { first: 50, after: forged }));
    for (const edge of res.data!.versions.edges) expect(edge.node.model.project).not.toBe(secret);
    const evid = encodeOpaqueCursor(['VERSION_EVIDENCE', JSON.stringify(['B', 'throughput_tokens_per_second', HW, ['MEASURED']]), 1e9, secretVersion.id]);
    const board = ok(await as(outsider, VERSIONS, { first: 10, after: evid, e: { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: HW } } }));
    expect(board.data!.versions.edges.map((x: { node: { id: string } }) => x.node.id)).toEqual([myVersion.id]);
  });

  test.each([
    ['garbage', '%%%not-base64%%%'],
    ['base64 of an object', Buffer.from('{"a":1}').toString('base64url')],
    ['models evidence cursor', encodeOpaqueCursor(['EVIDENCE', 'x', 1, '00000000-0000-4000-8000-000000000000'])],
    ['year 0', encodeOpaqueCursor(['VERSION', 'CREATED_AT_DESC', '0000-01-01T00:00:00.000000', '00000000-0000-4000-8000-000000000000'])],
    ['year 10000', encodeOpaqueCursor(['VERSION', 'CREATED_AT_DESC', '10000-01-01T00:00:00.000000', '00000000-0000-4000-8000-000000000000'])],
    ['other ordering', encodeOpaqueCursor(['VERSION', 'CREATED_AT_ASC', '2026-01-01T00:00:00.000000', '00000000-0000-4000-8000-000000000000'])],
    ['NUL in the id', encodeOpaqueCursor(['VERSION', 'CREATED_AT_DESC', '2026-01-01T00:00:00.000000', '00000000-0000-4000-8000-00000000000\u0000'])],
    ['a megabyte', 'A'.repeat(1_000_000)],
  ])('%s is refused on after', async (_name, after) => {
    const res = await as(outsider, VERSIONS, { first: 5, after });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  test.each([
    ['huge value', 1e308],
    ['tiny value', -1e308],
  ])('an evidence cursor with a %s pages or is refused, never an internal error', async (_name, value) => {
    const order = { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: HW } };
    const after = encodeOpaqueCursor(['VERSION_EVIDENCE', JSON.stringify(['B', 'throughput_tokens_per_second', HW, ['MEASURED']]), value, myVersion.id]);
    const res = await as(outsider, VERSIONS, { first: 5, after, e: order });
    expect(res.errors).toBeUndefined();
  });
});

describe('odd filters answer a clear error or no rows', () => {
  const nest = (depth: number): Record<string, unknown> => (depth === 0 ? { stages: ['DRAFT'] } : { not: nest(depth - 1) });
  test.each([
    ['too deep', nest(6)],
    ['too wide', { or: Array.from({ length: 11 }, () => ({ stages: ['DRAFT'] })) }],
    ['too many nodes', { and: Array.from({ length: 10 }, () => ({ or: Array.from({ length: 5 }, () => ({ stages: ['DRAFT'] })) })) }],
    ['too much evidence', { or: Array.from({ length: 9 }, () => ({ evaluation: { benchmark: 'mmlu' }, benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: HW } })) }],
    ['empty or', { or: [] }],
    ['empty stages', { stages: [] }],
    ['a negative latency', { benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: HW, min: -1 } }],
    ['min above max', { evaluation: { benchmark: 'mmlu', min: 0.9, max: 0.1 } }],
    ['a metric that is SQL', { evaluation: { benchmark: 'mmlu', metric: "acc' OR 1=1 --" } }],
    ['an empty benchmark', { evaluation: { benchmark: '' } }],
    ['a blank model', { model: '   ' }],
    ['a long tag', { tags: ['x'.repeat(65)] }],
    ['NUL in a tag', { tags: ['a\u0000b'] }],
    ['NUL in a model name', { model: 'a\u0000b' }],
    ['NUL in a hardware profile', { benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: '\u0000' } }],
    ['a bad project', { project: '../../etc' }],
    ['year 0', { createdSince: '0000-01-01T00:00:00Z' }],
    ['year 0 before', { createdBefore: '0000-06-01T00:00:00Z' }],
    ['year -1 through an offset', { createdSince: '0000-01-01T00:30:00+01:00' }],
    ['year 10000 through an offset', { createdBefore: '9999-12-31T23:59:59-12:00' }],
    ['year 0 deep in a tree', { or: [{ stages: ['DRAFT'] }, { not: { and: [{ createdSince: '0000-03-01T00:00:00Z' }] } }] }],
    ['since after before', { createdSince: '2026-01-02T00:00:00Z', createdBefore: '2026-01-01T00:00:00Z' }],
  ])('%s: BAD_USER_INPUT', async (_name, f) => {
    const res = await as(outsider, VERSIONS, { f, first: 5 });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  test.each([
    ['control bytes in a model name', { model: '\u0001\u001b[31m' }],
    ['an unknown metric', { evaluation: { benchmark: 'mmlu', metric: 'no-such-metric' } }],
    ['an unknown hardware profile', { benchmark: { metric: 'TTFT_P99_MS', hardwareProfile: 'no such \u0007 hardware' } }],
    ['enormous bounds', { benchmark: { metric: 'THROUGHPUT_TOKENS_PER_SECOND', hardwareProfile: HW, min: 1e308, max: 1.7976931348623157e308 } }],
    ['the last JavaScript day', { createdSince: '9999-12-31T23:59:59.999Z' }],
  ])('%s: no rows, no error', async (_name, f) => {
    const res = await as(outsider, VERSIONS, { f, first: 5 });
    if (res.errors) expect(errorCode(res)).toBe('BAD_USER_INPUT');
    else expect(res.data!.versions.totalCount).toBe(0);
  });

  test('a filter nested thousands deep in variables is refused and the service keeps answering', async () => {
    // Written by hand: JSON.stringify itself overflows on a value this deep.
    const deep = `${'{"not":'.repeat(5000)}{"stages":["DRAFT"]}${'}'.repeat(5000)}`;
    const raw = await fetch(t.app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${outsider}` },
      body: `{"query":${JSON.stringify(VERSIONS)},"variables":{"first":5,"f":${deep}}}`,
    });
    expect(errorCode((await raw.json()) as Res)).toBe('BAD_USER_INPUT');
    for (const first of [-1, 1_000_000]) expect(errorCode(await as(outsider, VERSIONS, { first }))).toBe('BAD_USER_INPUT');
    ok(await as(outsider, VERSIONS, { first: 1 }));
  });
});

describe('the ftv1 copy enforces the same limits', () => {
  test('depth and cost refusals keep their codes when traced', async () => {
    const deep = `{ models { edges { node { versions { model { versions { model { versions { model { versions { model { id } } } } } } } } } } } }`;
    for (const headers of [{}, { 'apollo-federation-include-trace': 'ftv1' }] as Record<string, string>[]) {
      const res = await as(outsider, deep, {}, headers);
      expect(errorCode(res)).toBe('QUERY_TOO_DEEP');
    }
  });

  test('production: introspection is off for traced requests too, and an anonymous traced request is refused', async () => {
    const prod = await startTestApp({ env: { NODE_ENV: 'production', JWT_SECRET: 'q'.repeat(40) } });
    try {
      const token = await issueToken(prod.config.auth, `atk29-prod-${tag}`, [], 3600, new Map([[mine, [Role.VIEWER]]]));
      for (const headers of [{}, { 'apollo-federation-include-trace': 'ftv1' }] as Record<string, string>[]) {
        const intro = await prod.gql(`{ __schema { types { name } } }`, {}, { token, headers });
        expect(errorCode(intro)).toBe('INTROSPECTION_DISABLED');
        const anon = await prod.gql(VERSIONS, { first: 1 }, { as: null, headers });
        expect(['UNAUTHENTICATED', 'FORBIDDEN']).toContain(errorCode(anon));
        const hidden = await prod.gql(`query($id: ID!) { model(id: $id) { id } }`, { id: secretModel.id }, { token, headers });
        expect(errorCode(hidden)).toBe('NOT_FOUND');
      }
    } finally {
      await prod.stop();
    }
  }, 120_000);
});

describe('folded writes', () => {
  const auditOf = async (where: string, params: unknown[]) => Number((await t.dataSource.query(`SELECT count(*) AS n FROM audit_log WHERE ${where}`, params))[0].n);

  test('a name taken in another project answers CONFLICT naming nothing of that model, and writes nothing', async () => {
    const before = await auditOf('actor = $1', [`atk29-outsider-${tag}`]);
    const res = await as(outsider, `mutation($i: RegisterModelInput!) { registerModel(input: $i) { id } }`, { i: { name: secretModel.name, sourceType: 'HUGGING_FACE', project: mine } });
    expect(errorCode(res)).toBe('CONFLICT');
    const text = JSON.stringify(res.errors);
    expect(text).not.toContain(secretModel.id);
    expect(text).not.toContain(secret);
    expect(await auditOf('actor = $1', [`atk29-outsider-${tag}`])).toBe(before);
  });

  test('registering into or versioning another project is refused inside the write, with nothing written', async () => {
    const name = `atk29-intrude-${tag}`;
    const into = await as(outsider, `mutation($i: RegisterModelInput!) { registerModel(input: $i) { id } }`, { i: { name, sourceType: 'HUGGING_FACE', project: secret } });
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(errorCode(into));
    expect(Number((await t.dataSource.query(`SELECT count(*) AS n FROM models WHERE name = $1`, [name]))[0].n)).toBe(0);
    const version = await newVersion(outsider, secretModel.id, '9.9.9');
    expect(errorCode(version)).toBe('NOT_FOUND');
    const parent = await as(outsider, `mutation($i: CreateVersionInput!) { createVersion(input: $i) { id } }`, { i: { modelId: myModel.id, version: '9.9.9', parentVersionId: secretVersion.id } });
    expect(errorCode(parent)).toBe('NOT_FOUND');
    expect(Number((await t.dataSource.query(`SELECT count(*) AS n FROM model_versions WHERE version = '9.9.9' AND model_id = ANY($1::uuid[])`, [[secretModel.id, myModel.id]]))[0].n)).toBe(0);
  });

  test('concurrent duplicate registerModel and createVersion: one wins, the rest CONFLICT, one row each with its audit and event', async () => {
    const name = `atk29-race-${tag}`;
    const regs = await Promise.all(Array.from({ length: 8 }, () => as(outsider, `mutation($i: RegisterModelInput!) { registerModel(input: $i) { id } }`, { i: { name, sourceType: 'HUGGING_FACE', project: mine } })));
    const won = regs.filter((r) => !r.errors);
    expect(won).toHaveLength(1);
    for (const r of regs.filter((x) => x.errors)) expect(errorCode(r)).toBe('CONFLICT');
    const modelId = won[0].data!.registerModel.id as string;
    expect(await auditOf(`model_id = $1 AND action = 'model.registered'`, [modelId])).toBe(1);
    expect(Number((await t.dataSource.query(`SELECT count(*) AS n FROM lifecycle_transitions WHERE model_id = $1`, [modelId]))[0].n)).toBe(1);

    const made = await Promise.all(Array.from({ length: 8 }, () => newVersion(outsider, modelId, '2.0.0')));
    expect(made.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of made.filter((x) => x.errors)) expect(errorCode(r)).toBe('CONFLICT');
    const versions = await t.dataSource.query(`SELECT id FROM model_versions WHERE model_id = $1`, [modelId]);
    expect(versions).toHaveLength(1);
    expect(await auditOf(`version_id = $1 AND action = 'version.created'`, [versions[0].id])).toBe(1);
    expect(Number((await t.dataSource.query(`SELECT count(*) AS n FROM event_outbox WHERE data ->> 'versionId' = $1`, [versions[0].id]))[0].n)).toBe(1);
  });

  test('invalid input halfway writes nothing', async () => {
    const name = `atk29-half-${tag}`;
    for (const i of [
      { name, sourceType: 'HUGGING_FACE', project: mine, licenseId: 'no-such-license-\u0007' },
      { name, sourceType: 'HUGGING_FACE', project: mine, description: 'x'.repeat(1_000_000) },
      { name, sourceType: 'HUGGING_FACE', project: mine, parameterCount: '-1' },
    ]) {
      const res = await as(outsider, `mutation($i: RegisterModelInput!) { registerModel(input: $i) { id } }`, { i });
      expect(res.errors).toBeDefined();
      expect(errorCode(res)).not.toBe('INTERNAL_SERVER_ERROR');
    }
    expect(Number((await t.dataSource.query(`SELECT count(*) AS n FROM models WHERE name = $1`, [name]))[0].n)).toBe(0);
    for (const version of ['1.0.0-\u0000', '99999999999999999999.0.0', '1.0', 'x'.repeat(10_000)]) {
      const res = await newVersion(outsider, myModel.id, version);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    }
    expect(await t.dataSource.query(`SELECT version FROM model_versions WHERE model_id = $1`, [myModel.id])).toEqual([{ version: '1.0.0' }]);
  });
});

describe('the signature-valid gate', () => {
  const REQUEST = `mutation($v: ID!, $to: LifecycleStage!) { requestPromotion(versionId: $v, target: $to, justification: "ready") { state evidence { gates { gate passed detail } } } }`;
  const pem = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const fp = (key: string) => keyFingerprint(createPublicKey(key));

  async function signedBy(project: string, fingerprint: string): Promise<string> {
    const { modelId, versionId } = await verifiedByRows(t, project, 'atk29sig');
    await t.dataSource.query(`INSERT INTO evaluations (model_id, version_id, benchmark, score, recorded_by, provenance, runner) VALUES ($1, $2, 'mmlu', 0.6, 'evaluation-runner', 'MEASURED', 'lm-eval')`, [modelId, versionId]);
    // What the import's check writes for a model.sig that verified, with the key trusted at that time.
    await t.dataSource.query(
      `INSERT INTO version_signatures (version_id, origin, valid, method, key_fingerprint, covered_files, problems, sha256, size) VALUES ($1, 'UPSTREAM', true, 'KEY', $2, '["model.safetensors"]', '[]', $3, 10)`,
      [versionId, fingerprint, 'c'.repeat(64)],
    );
    return versionId;
  }

  const configure = async (project: string, input: Record<string, unknown>) =>
    ok(await t.gql(`mutation($i: ConfigureProjectInput!) { configureProject(input: $i) { id } }`, { i: { id: project, ...input } }, { as: Role.ADMIN }));

  test('a version signed by a key its project does not trust now (revoked, or trusted by the project it came from) is refused', async () => {
    const project = `atk29-sig-${tag}`;
    const [trusted, stranger] = [pem(), pem()];
    await configure(project, { requireSignature: true, trustedSigningKeys: [trusted] });
    const editor = await t.token(Role.EDITOR, `atk29-erin-${tag}`);
    const good = await signedBy(project, fp(trusted));
    const foreign = await signedBy(project, fp(stranger));

    const refused = await as(editor, REQUEST, { v: foreign, to: 'EVALUATED' });
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'signature-valid' } });
    expect(refused.errors?.[0].message).toMatch(/does not trust now/);
    expect(ok(await as(editor, REQUEST, { v: good, to: 'EVALUATED' })).data!.requestPromotion.state).toBe('APPROVED');

    // The project stops trusting the key (compromised): what it signed earlier no longer passes.
    await configure(project, { trustedSigningKeys: [stranger] });
    const earlier = await signedBy(project, fp(trusted));
    const revoked = await as(editor, REQUEST, { v: earlier, to: 'EVALUATED' });
    expect(revoked.errors?.[0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'signature-valid' } });
    expect(ok(await as(editor, REQUEST, { v: foreign, to: 'EVALUATED' })).data!.requestPromotion.state).toBe('APPROVED');
  });
});
