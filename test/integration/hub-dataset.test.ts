import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '../../src/domain/common/domain-error';
import { parseHubDataset } from '../../src/domain/evaluation/hub-dataset-ref';
import { EvalTaskKind } from '../../src/domain/evaluation/eval-suite';
import { type DatasetSources, openDataset } from '../../src/evaluation/dataset-reader';
import { runSuite } from '../../src/evaluation/suite-runner';
import { startScriptedOpenAiServer } from '../support/scripted-openai-server';
import { type HubServer, startHubServer } from '../fixtures/hub-server';

const jsonl = (rows: object[]) => Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
const V1 = [{ prompt: 'Capital of France?', answer: 'Paris' }, { prompt: '2+2?', answer: '4' }];
const V2 = [...V1, { prompt: 'Largest planet?', answer: 'Jupiter' }];

describe('evaluation datasets from the hub (hf://datasets/…)', () => {
  let hub: HubServer;
  let cacheDir: string;
  let sources: DatasetSources;
  beforeAll(async () => {
    hub = await startHubServer();
    cacheDir = await mkdtemp(path.join(tmpdir(), 'hub-datasets-'));
    sources = { dir: path.join(cacheDir, 'no-local-datasets'), hub: { endpoint: hub.url, token: null }, cacheDir };
    hub.repos.set('datasets/acme/qa', { files: { 'data/test.jsonl': jsonl(V1), 'README.md': Buffer.from('# qa\n') } });
    hub.repos.set('datasets/acme/gated', { files: { 'test.jsonl': jsonl(V1) }, token: 'hf_secret' });
    hub.repos.set('datasets/acme/huge', { files: { 'big.jsonl': Buffer.alloc(65 * 1024 * 1024, 0x20) } });
  });
  afterAll(async () => {
    await hub.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('reads a file at the commit its revision points to, once, and names that commit in the version', async () => {
    const first = await openDataset(sources, 'hf://datasets/acme/qa/data/test.jsonl', null);
    expect(first.rows).toEqual(V1);
    const commit = hub.commitOf('datasets/acme/qa', 'main');
    expect(first.version).toMatch(new RegExp(`^${commit.slice(0, 12)}:[0-9a-f]{16}$`));
    // Pinned to the commit, the second read comes from the cache.
    const again = await openDataset(sources, `hf://datasets/acme/qa@${commit}/data/test.jsonl`, 1);
    expect(again.rows).toEqual(V1.slice(0, 1));
    expect(hub.downloadsOf('datasets/acme/qa', 'data/test.jsonl')).toBe(1);

    // The branch moves: the new commit's file, under a new version; the old commit is still readable by sha.
    const moved = hub.moveBranch('datasets/acme/qa', 'main', { 'data/test.jsonl': jsonl(V2) });
    const next = await openDataset(sources, 'hf://datasets/acme/qa@main/data/test.jsonl', null);
    expect(next.rows).toEqual(V2);
    expect(next.version.startsWith(moved.slice(0, 12))).toBe(true);
    expect((await openDataset(sources, `hf://datasets/acme/qa@${commit}/data/test.jsonl`, null)).rows).toEqual(V1);
  });

  it('scores every task of a run at the commit its up-front check resolved, even when the branch moves meanwhile', async () => {
    hub.repos.set('datasets/acme/moving', { files: { 'qa.jsonl': jsonl(V1) } });
    const checked = hub.commitOf('datasets/acme/moving', 'main');
    const target = await startScriptedOpenAiServer({ firstTokenDelayMs: 1, interTokenDelayMs: 0, outputTokens: 1, answer: 'Paris' });
    let moved: string | null = null;
    try {
      const task = (name: string) => ({ name, kind: EvalTaskKind.EXACT_MATCH, dataset: 'hf://datasets/acme/moving@main/qa.jsonl', limit: null, maxTokens: 8 });
      const scores = await runSuite(
        { baseUrl: target.url, model: 'm' },
        { name: 's', tasks: [task('first'), task('second')] },
        { datasets: sources, judge: null, lmEval: { bin: 'lm_eval', includePath: null, concurrency: 1, env: {} } },
        new AbortController().signal,
        // While the first task runs, main moves to a commit with one more row.
        (index) => { if (index === 0 && !moved) moved = hub.moveBranch('datasets/acme/moving', 'main', { 'qa.jsonl': jsonl(V2) }); },
      );
      expect(moved).not.toBeNull();
      expect(scores.map((t) => [t.task, t.n, t.datasetVersion.slice(0, 12)])).toEqual([['first', 2, checked.slice(0, 12)], ['second', 2, checked.slice(0, 12)]]);
      // A new run reads the moved branch.
      expect((await openDataset(sources, 'hf://datasets/acme/moving@main/qa.jsonl', null)).rows).toEqual(V2);
    } finally {
      await target.close();
    }
  });

  it('answers a missing repository, revision or file, a gated repository and an oversized file as the request’s fault', async () => {
    const refusal = async (spec: string, message: RegExp) => {
      const error = await openDataset(sources, spec, null).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(message);
    };
    await refusal('hf://datasets/acme/missing/test.jsonl', /no acme\/missing at main/);
    await refusal('hf://datasets/acme/qa@nope/data/test.jsonl', /no acme\/qa at nope/);
    await refusal('hf://datasets/acme/qa/data/other.jsonl', /no such file in the dataset/);
    await refusal('hf://datasets/acme/gated/test.jsonl', /refused access to acme\/gated/);
    await refusal('hf://datasets/acme/huge/big.jsonl', /larger than/);
    expect(hub.downloadsOf('datasets/acme/huge', 'big.jsonl')).toBe(0);
    // With the token the gated repository is read.
    const gated = await openDataset({ ...sources, hub: { endpoint: hub.url, token: 'hf_secret' } }, 'hf://datasets/acme/gated/test.jsonl', null);
    expect(gated.rows).toEqual(V1);
  });

  it('accepts only references that stay inside one repository', () => {
    expect(parseHubDataset('hf://datasets/acme/qa@v1.0/sub/dir/x.jsonl')).toEqual({ repo: 'acme/qa', revision: 'v1.0', path: 'sub/dir/x.jsonl' });
    for (const bad of ['hf://datasets/acme/qa/../../etc/x.jsonl', 'hf://datasets/acme/qa/x.json', 'hf://datasets/../qa/x.jsonl', 'hf://models/acme/qa/x.jsonl', 'hf://datasets/acme/qa//x.jsonl', 'hf://datasets/acme/qa@a/b/x.jsonl\\y.jsonl', 'hf://datasets/acme/qa@../x.jsonl', 'hf://datasets/acme/qa@./x.jsonl', 'hf://datasets/acme/qa@v1..2/x.jsonl']) {
      expect([bad, parseHubDataset(bad)]).toEqual([bad, null]);
    }
  });
});
