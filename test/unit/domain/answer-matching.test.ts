import { binomialStderr, exactMatch, extractChoice } from '../../../src/domain/evaluation/answer-matching';
import { validateSuite } from '../../../src/domain/evaluation/eval-suite';
import { EvalTaskKind } from '../../../src/domain/evaluation/eval-suite';

describe('answer matching', () => {
  it.each([
    ['B', 'B'], ['(c)', 'C'], ['Answer: D', 'D'], ['The answer is A.', 'A'], ['b) because', 'B'], ['I think (C) is right', 'C'], ['none of these', null], ['E', null],
  ])('extracts the letter of %j', (text, letter) => {
    expect(extractChoice(text, ['A', 'B', 'C', 'D'])).toBe(letter);
  });

  it('matches exactly after normalising case, space and punctuation', () => {
    expect(exactMatch('  Paris. ', 'paris')).toBe(true);
    expect(exactMatch('New   York', 'new york')).toBe(true);
    expect(exactMatch('Parisian', 'Paris')).toBe(false);
  });

  it('gives the sample standard error of a proportion', () => {
    expect(binomialStderr(3, 4)).toBeCloseTo(0.25, 10);
    expect(binomialStderr(1, 1)).toBeNull();
  });

  it('keeps dataset paths inside the datasets folder', () => {
    const task = (dataset: string) => ({ name: 't', kind: EvalTaskKind.EXACT_MATCH, dataset });
    expect(validateSuite({ name: 's', tasks: [task('a/b.jsonl')] }).tasks[0]).toMatchObject({ dataset: 'a/b.jsonl', maxTokens: 64, limit: null });
    for (const bad of ['../x.jsonl', '/etc/x.jsonl', 'a//b.jsonl', 'a/./b.jsonl', 'x.json', 'a\\b.jsonl']) {
      expect(() => validateSuite({ name: 's', tasks: [task(bad)] })).toThrow(/datasets folder/);
    }
  });

  it('takes a harness tokenizer: none by default, remote for the completions API only', () => {
    const task = (harness: Record<string, unknown>) => ({ name: 't', kind: EvalTaskKind.LM_EVAL, harness: { task: 'hellaswag', ...harness } });
    expect(validateSuite({ name: 's', tasks: [task({})] }).tasks[0].harness).toEqual({ task: 'hellaswag', numFewshot: null, api: 'completions', tokenizer: 'none' });
    expect(validateSuite({ name: 's', tasks: [task({ tokenizer: 'remote' })] }).tasks[0].harness?.tokenizer).toBe('remote');
    expect(() => validateSuite({ name: 's', tasks: [task({ tokenizer: 'tiktoken' })] })).toThrow(/must be "none" or "remote"/);
    expect(() => validateSuite({ name: 's', tasks: [task({ tokenizer: 'remote', api: 'chat' })] })).toThrow(/completions" only/);
  });
});
