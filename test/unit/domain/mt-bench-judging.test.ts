import { EvalTaskKind, firstJudgeTask, validateSuite } from '../../../src/domain/evaluation/eval-suite';
import { judgeMessages, meanWithStderr, parseRating } from '../../../src/domain/evaluation/mt-bench-judging';

describe('MT-Bench judge verdicts', () => {
  it.each([
    ['The answer is helpful. Rating: [[7]]', 7],
    ['Rating: [[10]]', 10],
    ['Rating: [[ 8.5 ]]', 8.5],
    ['I will answer in the format "Rating: [[5]]". ... Rating: [[3]]', 3], // the last verdict counts
    ['Rating: [6]', 6], // FastChat's fallback pattern
    ['Rating: [[0]]', null],
    ['Rating: [[11]]', null],
    ['The response is good, I give it eight.', null],
    ['', null],
  ])('reads %j as %p', (reply, rating) => {
    expect(parseRating(reply)).toBe(rating);
  });

  it('gives the mean and its sample standard error', () => {
    expect(meanWithStderr([7, 7])).toEqual({ mean: 7, stderr: 0 });
    const { mean, stderr } = meanWithStderr([2, 4, 6, 8]);
    expect(mean).toBe(5);
    expect(stderr).toBeCloseTo(Math.sqrt(20 / 3 / 4), 10);
    expect(meanWithStderr([9]).stderr).toBeNull();
  });

  it("builds MT-Bench's single-answer prompts, with the reference variant when a reference is given", () => {
    const first = judgeMessages(['Q one'], ['A one'], 0, null);
    expect(first[0]).toEqual({ role: 'system', content: 'You are a helpful assistant.' });
    expect(first[1].content).toMatch(/^\[Instruction\]\nPlease act as an impartial judge/);
    expect(first[1].content).toContain('helpfulness, relevance, accuracy, depth, creativity, and level of detail');
    expect(first[1].content).toContain("[Question]\nQ one\n\n[The Start of Assistant's Answer]\nA one\n[The End of Assistant's Answer]");
    const ref = judgeMessages(['Q one'], ['A one'], 0, ['R one']);
    expect(ref[1].content).toContain('consider correctness and helpfulness');
    expect(ref[1].content).toContain('[The Start of Reference Answer]\nR one\n[The End of Reference Answer]');
    const second = judgeMessages(['Q one', 'Q two'], ['A one', 'A two'], 1, ['R one', 'R two']);
    expect(second[0].content).toContain("focus on the assistant's answer to the second question");
    expect(second[1].content).toContain('### User:\nQ two\n\n### Reference answer:\nR two');
    expect(second[1].content).toContain('### User:\nQ two\n\n### Assistant A:\nA two\n\n<|The End of Assistant A\'s Conversation with User|>');
  });

  it('validates JUDGE and LM_EVAL tasks', () => {
    const suite = validateSuite({ name: 's', tasks: [
      { name: 'mc', kind: EvalTaskKind.EXACT_MATCH, dataset: 'a.jsonl' },
      { name: 'mt', kind: EvalTaskKind.JUDGE, dataset: 'mt.jsonl' },
      { name: 'gsm', kind: EvalTaskKind.LM_EVAL, harness: { task: 'gsm8k', numFewshot: 5 } },
    ] });
    expect(firstJudgeTask(suite)).toBe(1);
    expect(suite.tasks[2]).toEqual({ name: 'gsm', kind: 'LM_EVAL', dataset: null, limit: null, maxTokens: 256, harness: { task: 'gsm8k', numFewshot: 5, api: 'completions', tokenizer: 'none' } });
    const bad = (task: object) => () => validateSuite({ name: 's', tasks: [{ name: 'x', ...task } as never] });
    expect(bad({ kind: 'LM_EVAL' })).toThrow(/harness/);
    expect(bad({ kind: 'LM_EVAL', harness: { task: 'a,b' } })).toThrow(/one harness task name/);
    expect(bad({ kind: 'LM_EVAL', harness: { task: '--limit' } })).toThrow(/one harness task name/);
    expect(bad({ kind: 'LM_EVAL', harness: { task: 'x', api: 'grpc' } })).toThrow(/completions/);
    expect(bad({ kind: 'LM_EVAL', dataset: 'a.jsonl', harness: { task: 'x' } })).toThrow(/take no dataset/);
    expect(bad({ kind: 'JUDGE' })).toThrow(/\.jsonl/);
    expect(bad({ kind: 'JUDGE', dataset: 'a.jsonl', harness: { task: 'x' } })).toThrow(/only LM_EVAL/);
  });
});
