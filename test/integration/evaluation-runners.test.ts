import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode } from '../support/catalog-fixtures';
import { LM_EVAL_BIN } from '../support/lm-eval-python';
import { importVerified, OPERATION_FIELDS, waitForOperation } from '../support/onboarding-fixtures';
import { type ScriptedOpenAiServer, startScriptedOpenAiServer } from '../support/scripted-openai-server';
import { startTestApp, type TestApp } from '../support/test-app';

const RUN = `mutation($input: RunEvaluationInput!) { runEvaluation(input: $input) { ${OPERATION_FIELDS} } }`;
const CANCEL = `mutation($id: ID!) { cancelOperation(id: $id) { id status } }`;
const EVALS = `query($m: ID!) { model(id: $m) { evaluations { benchmark score provenance suite metric n stderr numShots datasetVersion runner runnerVersion details } } }`;
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const JUDGE_KEY = 'judge-key-never-stored-7f3a';
const TARGET_KEY = 'target-key-sealed-9c1d';

// mt_bench-style questions with known judgements: W1 → 8, W2 (second turn) → 6, M1 (with reference) → 10, W3 unparseable;
// R1's second turn is never asked (the target fails its first), J1's judge call fails.
const MT = [
  { id: 1, category: 'writing', turns: ['W1: write a haiku about rain', 'W2: now the same in French'] },
  { id: 2, category: 'math', turns: ['M1: what is 2+2?'], reference: ['4'] },
  { id: 3, category: 'writing', prompt: 'W3: a limerick about a cat' },
  { id: 4, category: 'roleplay', turns: ['R1: pretend to be a pirate', 'R2: and now a parrot'] },
  { id: 5, category: 'roleplay', turns: ['J1: pretend to be a judge'] },
];
// A harness task over a local dataset: the scripted endpoint answers two of three right.
const CAPITALS = [
  { question: 'capital of France?', answer: 'Paris' },
  { question: 'capital of Norway?', answer: 'Oslo' },
  { question: 'capital of Italy?', answer: 'Rome' },
];
const harnessTask = (name: string, data: string) => `task: ${name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: ${data}
test_split: test
output_type: generate_until
doc_to_text: "Q: {{question}}\\nA:"
doc_to_target: "{{answer}}"
generation_kwargs:
  until: ["\\n"]
  max_gen_toks: 16
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
`;

// A loglikelihood (multiple choice) harness task: the endpoint favours "Paris" and "Berlin", so two of three are right.
const MC = [
  { question: 'capital of France?', choices: ['London', 'Paris', 'Rome'], answer: 1 },
  { question: 'capital of Germany?', choices: ['Berlin', 'Madrid', 'Oslo'], answer: 0 },
  { question: 'capital of Italy?', choices: ['Paris', 'Berlin', 'Rome'], answer: 2 },
];
const FAVOURED = new Set(['Paris', 'Berlin']);
const choiceTask = (name: string, data: string) => `task: ${name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: ${data}
test_split: test
output_type: multiple_choice
doc_to_text: "Q: {{question}}\nA:"
doc_to_choice: "{{choices}}"
doc_to_target: "{{answer}}"
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
  - metric: acc_norm
    aggregation: mean
    higher_is_better: true
metadata:
  version: 2.0
`;

interface Seen { judged: { model: string | null; authorization: string | null }[]; targeted: { model: string | null; authorization: string | null }[] }

function answer(seen: Seen) {
  return (prompt: string, request: { model: string | null; authorization: string | null }): string => {
    if (prompt.includes('impartial judge')) {
      seen.judged.push(request);
      if (prompt.includes('W2')) return 'The French version keeps the image. Rating: [[6]]';
      if (prompt.includes('W1')) return 'A fine haiku. Rating: [[8]]';
      if (prompt.includes('M1')) return 'Matches the reference. Rating: [[10]]';
      if (prompt.includes('J1')) throw new Error('judge overloaded');
      return 'I cannot decide on a number.';
    }
    seen.targeted.push(request);
    if (prompt.includes('R1')) throw new Error('target down');
    if (prompt.includes('W2')) return 'Pluie douce';
    if (prompt.includes('W1')) return 'Soft rain on the roof';
    if (prompt.includes('M1')) return '4';
    if (prompt.includes('France')) return 'Paris';
    if (prompt.includes('Norway')) return 'Oslo';
    if (prompt.includes('Italy')) return 'Milan';
    return 'There once was a cat';
  };
}

/** Processes whose command line mentions `marker` (the harness of this file's runs). */
async function processesWith(marker: string): Promise<number> {
  let found = 0;
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) found += 1;
  }
  return found;
}

describe('JUDGE and LM_EVAL tasks through GraphQL and Temporal', () => {
  let t: TestApp;
  let server: ScriptedOpenAiServer;
  let dir: string;
  let ids: { modelId: string; versionId: string };
  const seen: Seen = { judged: [], targeted: [] };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-eval-runners-'));
    await mkdir(path.join(dir, 'datasets'));
    await mkdir(path.join(dir, 'harness-tasks'));
    await writeFile(path.join(dir, 'datasets/mt.jsonl'), jsonl(MT));
    await writeFile(path.join(dir, 'capitals.jsonl'), jsonl(CAPITALS));
    await writeFile(path.join(dir, 'harness-tasks/capitals.yaml'), harnessTask('modelhub_capitals', path.join(dir, 'capitals.jsonl')));
    await writeFile(path.join(dir, 'mc.jsonl'), jsonl(MC));
    await writeFile(path.join(dir, 'harness-tasks/mc.yaml'), choiceTask('modelhub_capitals_mc', path.join(dir, 'mc.jsonl')));
    server = await startScriptedOpenAiServer({ firstTokenDelayMs: 2, interTokenDelayMs: 0, outputTokens: 1, answer: answer(seen) });
    t = await startTestApp({ worker: true, env: {
      EVAL_DATASETS_DIR: path.join(dir, 'datasets'),
      EVAL_JUDGE_URL: server.url,
      EVAL_JUDGE_MODEL: 'judge-model',
      EVAL_JUDGE_API_KEY: JUDGE_KEY,
      LM_EVAL_BIN,
      LM_EVAL_INCLUDE_PATH: path.join(dir, 'harness-tasks'),
      LM_EVAL_CONCURRENCY: '2',
      // The harness's caches inside this run's folder, and no network: the task's dataset is a local file.
      HF_HOME: path.join(dir, 'hf-home'),
      HF_DATASETS_OFFLINE: '1',
      HF_HUB_OFFLINE: '1',
    } });
    ids = await importVerified(t);
  });
  afterAll(async () => {
    await t?.stop();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const evaluation = async (benchmark: string) => {
    const rows = (await t.gql(EVALS, { m: ids.modelId })).data!.model.evaluations as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- fields checked one by one
    const found = rows.find((e) => e.benchmark === benchmark);
    if (!found) throw new Error(`no evaluation "${benchmark}" among ${rows.map((e) => e.benchmark).join(', ')}`);
    return found;
  };

  it('rates every turn with the judge and stores the mean rating, per category and turn', async () => {
    const started = Date.now();
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: { url: server.url, model: 'tiny' }, suite: { name: 'chat', tasks: [{ name: 'mt-bench-fixture', kind: 'JUDGE', dataset: 'mt.jsonl' }] } } });
    expect(res.errors).toBeUndefined();
    expect(await waitForOperation(t, res.data!.runEvaluation.id)).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
    console.log(`JUDGE run: ${Date.now() - started} ms`);
    const mt = await evaluation('mt-bench-fixture');
    expect(mt).toMatchObject({ score: 8, n: 3, metric: 'mt_bench_score', provenance: 'MEASURED', suite: 'chat', runner: 'modelhub-builtin' });
    expect(mt.stderr).toBeCloseTo(2 / Math.sqrt(3), 6);
    expect(mt.details).toMatchObject({
      judgeModel: 'judge-model', questions: 5, failedRequests: 1, failedJudgements: 1, unparseableJudgements: 1,
      categories: { writing: { score: 7, n: 2 }, math: { score: 10, n: 1 } },
      turns: { 1: { score: 9, n: 2 }, 2: { score: 6, n: 1 } },
    });
    // Six target requests (W1, W2, M1, W3, the failed R1, J1) and five judge calls, each with the judge's model and key.
    expect(seen.targeted).toHaveLength(6);
    expect(seen.judged).toEqual(Array(5).fill({ model: 'judge-model', authorization: `Bearer ${JUDGE_KEY}` }));
    expect(seen.targeted.every((r) => r.model === 'tiny' && r.authorization === null)).toBe(true);
    const leaks = await t.dataSource.query(`SELECT (SELECT count(*) FROM operations WHERE input::text LIKE $1)::int AS ops, (SELECT count(*) FROM evaluations WHERE details::text LIKE $1)::int AS rows`, [`%${JUDGE_KEY}%`]);
    expect(leaks).toEqual([{ ops: 0, rows: 0 }]);
  });

  it('runs an lm-evaluation-harness task with the real lm_eval and stores its results', async () => {
    const started = Date.now();
    const before = seen.targeted.length;
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: { url: server.url, model: 'tiny', apiKey: TARGET_KEY }, suite: { name: 'harness', tasks: [
      { name: 'capitals-harness', kind: 'LM_EVAL', harness: { task: 'modelhub_capitals' } },
    ] } } });
    expect(res.errors).toBeUndefined();
    const done = await waitForOperation(t, res.data!.runEvaluation.id, 180_000);
    expect(done).toMatchObject({ status: 'SUCCEEDED', errorMessage: null });
    console.log(`LM_EVAL run (lm_eval subprocess, 3 items): ${Date.now() - started} ms`);
    const row = await evaluation('capitals-harness');
    expect(row).toMatchObject({ metric: 'exact_match', n: 3, numShots: 0, runner: 'lm-evaluation-harness', runnerVersion: '0.4.13', datasetVersion: 'modelhub_capitals@1', suite: 'harness' });
    expect(row.score).toBeCloseTo(2 / 3, 10);
    expect(row.stderr).toBeCloseTo(Math.sqrt((2 / 3) * (1 / 3) / 2), 6);
    expect(row.details).toMatchObject({ harnessTask: 'modelhub_capitals', metrics: { exact_match: { value: row.score } } });
    // The harness sent the served model and the key (through its environment, never its command line).
    const requests = seen.targeted.slice(before);
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.model === 'tiny' && r.authorization === `Bearer ${TARGET_KEY}`)).toBe(true);
  });

  it('runs a loglikelihood (multiple choice) harness task through the endpoint\'s tokenizer and echoed log-probabilities', async () => {
    server.script = { ...server.script, logprob: (token) => (FAVOURED.has(token.trim()) ? -0.1 : -2) };
    const started = Date.now();
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: { url: server.url, model: 'tiny', apiKey: TARGET_KEY }, suite: { name: 'harness-mc', tasks: [
      { name: 'capitals-mc', kind: 'LM_EVAL', harness: { task: 'modelhub_capitals_mc', tokenizer: 'remote' } },
    ] } } });
    expect(res.errors).toBeUndefined();
    const done = await waitForOperation(t, res.data!.runEvaluation.id, 180_000);
    expect(done).toMatchObject({ status: 'SUCCEEDED', errorMessage: null });
    console.log(`LM_EVAL loglikelihood run (3 questions × 3 choices): ${Date.now() - started} ms`);
    const row = await evaluation('capitals-mc');
    expect(row).toMatchObject({ metric: 'acc', n: 3, runner: 'lm-evaluation-harness', datasetVersion: 'modelhub_capitals_mc@2', suite: 'harness-mc' });
    expect(row.score).toBeCloseTo(2 / 3, 10);
    expect(row.details).toMatchObject({ metrics: { acc: { value: row.score }, acc_norm: { value: 2 / 3 } } });
    // Nine scored continuations, sent as token ids of the endpoint's own tokenizer with echo and logprobs.
    const echoed = server.lastBodies.filter((b) => b.echo === true);
    expect(echoed.length).toBeGreaterThanOrEqual(9);
    expect(echoed.every((b) => Array.isArray(b.prompt) && b.logprobs === 1 && b.model === 'tiny')).toBe(true);
  });

  it('refuses a remote tokenizer with the chat API before anything is recorded', async () => {
    const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: { url: server.url, model: 'tiny' }, suite: { name: 'bad', tasks: [
      { name: 'mc-chat', kind: 'LM_EVAL', harness: { task: 'modelhub_capitals_mc', tokenizer: 'remote', api: 'chat' } },
    ] } } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toMatch(/tokenizer.*completions" only/);
  });

  it('cancelling kills the harness subprocess and records nothing', async () => {
    server.script = { ...server.script, firstTokenDelayMs: 120_000 };
    try {
      const before = server.requests;
      const res = await t.gql(RUN, { input: { versionId: ids.versionId, target: { url: server.url, model: 'tiny' }, suite: { name: 'harness', tasks: [
        { name: 'capitals-cancelled', kind: 'LM_EVAL', harness: { task: 'modelhub_capitals', api: 'chat' } },
      ] } } });
      expect(res.errors).toBeUndefined();
      const op = res.data!.runEvaluation;
      for (let i = 0; i < 600 && server.requests === before; i += 1) await sleep(100);
      expect(server.requests).toBeGreaterThan(before); // the harness is running and waiting on the endpoint
      expect(await processesWith(path.join(dir, 'harness-tasks'))).toBeGreaterThan(0);
      const asked = Date.now();
      expect((await t.gql(CANCEL, { id: op.id })).errors).toBeUndefined();
      expect(await waitForOperation(t, op.id)).toMatchObject({ status: 'CANCELLED' });
      while ((await processesWith(path.join(dir, 'harness-tasks'))) > 0 && Date.now() - asked < 10_000) await sleep(100);
      console.log(`harness gone ${Date.now() - asked} ms after cancelOperation`);
      expect(await processesWith(path.join(dir, 'harness-tasks'))).toBe(0);
      const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM evaluations WHERE operation_id = $1`, [op.id]);
      expect(rows[0].n).toBe(0);
    } finally {
      server.script = { ...server.script, firstTokenDelayMs: 2 };
    }
  });

  it('refuses a suite with a JUDGE task when the judge endpoint is not allowed by the address policy', async () => {
    const strict = await startTestApp({ env: { URL_IMPORT_ALLOW: '', EVAL_JUDGE_URL: server.url, EVAL_JUDGE_MODEL: 'judge-model' } });
    try {
      const res = await strict.gql(RUN, { input: { versionId: ids.versionId, target: { url: 'https://example.com', model: 'tiny' }, suite: { name: 's', tasks: [{ name: 'mt', kind: 'JUDGE', dataset: 'mt.jsonl' }] } } });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toMatch(/judge endpoint \(EVAL_JUDGE_URL\) is refused/);
      expect(res.errors![0].message).not.toContain(server.url);
    } finally {
      await strict.stop();
    }
  });
});
