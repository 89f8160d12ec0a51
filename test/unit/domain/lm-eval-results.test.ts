import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mapHarnessResults } from '../../../src/domain/evaluation/lm-eval-results';

// Written by lm_eval 0.4.13 (local-completions against a scripted endpoint, a group of two --include_path tasks).
const REAL = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/lm-eval/results-group-0.4.13.json'), 'utf8')) as Record<string, unknown>;

describe('lm-evaluation-harness results', () => {
  it('maps a group with its subtasks from a real results file', () => {
    expect(mapHarnessResults(REAL, 'tiny_group')).toEqual({
      metric: 'exact_match', score: 1, stderr: 0, n: 4, taskVersion: '2.0', numFewshot: 0, harnessVersion: '0.4.13', gitHash: null,
      metrics: { exact_match: { value: 1, stderr: 0 } },
      subtasks: { tiny_capitals: { metric: 'exact_match', score: 1, n: 2 }, tiny_capitals_b: { metric: 'exact_match', score: 1, n: 2 } },
    });
    expect(mapHarnessResults(REAL, 'tiny_capitals')).toMatchObject({ score: 1, n: 2, taskVersion: '1', subtasks: {} });
  });

  it('prefers acc, keeps filters and other metrics, reads "N/A" stderr as none', () => {
    const file = {
      results: {
        gsm8k: { alias: 'gsm8k', 'exact_match,strict-match': 0.25, 'exact_match_stderr,strict-match': 0.1, 'exact_match,flexible-extract': 0.5, 'exact_match_stderr,flexible-extract': 'N/A' },
        hellaswag: { alias: 'hellaswag', 'acc_norm,none': 0.6, 'acc_norm_stderr,none': 0.02, 'acc,none': 0.5, 'acc_stderr,none': 0.03 },
      },
      'n-samples': { gsm8k: { original: 1319, effective: 20 }, hellaswag: { original: 10042, effective: 10042 } },
      versions: { gsm8k: 3.0, hellaswag: 1.0 },
      'n-shot': { gsm8k: 5, hellaswag: 0 },
      lm_eval_version: '0.4.9',
      git_hash: 'abc1234',
    };
    expect(mapHarnessResults(file, 'gsm8k')).toMatchObject({
      metric: 'exact_match,strict-match', score: 0.25, stderr: 0.1, n: 20, numFewshot: 5, taskVersion: '3', harnessVersion: '0.4.9', gitHash: 'abc1234',
      metrics: { 'exact_match,strict-match': { value: 0.25, stderr: 0.1 }, 'exact_match,flexible-extract': { value: 0.5, stderr: null } },
    });
    expect(mapHarnessResults(file, 'hellaswag')).toMatchObject({ metric: 'acc', score: 0.5, stderr: 0.03, n: 10042 });
  });

  it('refuses files without the task or without numbers, and never reads inherited keys', () => {
    expect(() => mapHarnessResults({}, 'x')).toThrow(/no "results"/);
    expect(() => mapHarnessResults({ results: { x: { alias: 'x' } } }, 'x')).toThrow(/no numeric metric/);
    expect(() => mapHarnessResults({ results: {} }, 'constructor')).toThrow(/no numeric metric/);
    expect(() => mapHarnessResults({ results: {} }, '__proto__')).toThrow(/no numeric metric/);
  });
});
