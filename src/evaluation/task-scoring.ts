import { exactMatch, extractChoice } from '../domain/evaluation/answer-matching';
import { EvalTaskKind } from '../domain/evaluation/eval-suite';
import { boundedRegexTest } from './bounded-regex';
import { runCodeTest } from './code-verdict';

/** One dataset row turned into a prompt, and the rule that scores the completion (1 correct, 0 not). */
export interface ScoredItem {
  prompt: string;
  subject: string | null;
  score(completion: string): Promise<number>;
}

const str = (row: Record<string, unknown>, key: string): string => {
  const v = row[key];
  if (typeof v !== 'string') throw new Error(`dataset row lacks a string "${key}"`);
  return v;
};
const LETTERS = 'ABCDEFGHIJ';

/** Row formats, also named in a bad row's error so a dataset's author sees what was expected. */
export const ROW_FORMATS: Readonly<Partial<Record<EvalTaskKind, string>>> = {
  [EvalTaskKind.MULTIPLE_CHOICE]: '{"question", "choices": [2 to 10], "answer": "B" or 1 (0-based), "subject"?}',
  [EvalTaskKind.EXACT_MATCH]: '{"prompt", "answer"}',
  [EvalTaskKind.REGEX_MATCH]: '{"prompt", "pattern"}',
  [EvalTaskKind.CODE]: '{"prompt", "test", "entry_point"} (humaneval)',
};

/** One row as a prompt and its scoring rule; the row must have its kind's format (ROW_FORMATS). */
export function scoredItem(kind: EvalTaskKind, row: Record<string, unknown>): ScoredItem {
  switch (kind) {
    case EvalTaskKind.MULTIPLE_CHOICE: {
      const choices = row.choices;
      if (!Array.isArray(choices) || choices.length < 2 || choices.length > LETTERS.length) throw new Error('dataset row needs 2 to 10 "choices"');
      const letters = LETTERS.slice(0, choices.length).split('');
      const answer = typeof row.answer === 'number' ? letters[row.answer] : String(row.answer).trim().toUpperCase();
      const prompt = `${str(row, 'question')}\n${choices.map((c, i) => `${letters[i]}. ${String(c)}`).join('\n')}\nAnswer with the letter of the correct choice.`;
      return { prompt, subject: typeof row.subject === 'string' ? row.subject : null, score: async (c) => (extractChoice(c, letters) === answer ? 1 : 0) };
    }
    case EvalTaskKind.EXACT_MATCH:
      return { prompt: str(row, 'prompt'), subject: null, score: async (c) => (exactMatch(c, str(row, 'answer')) ? 1 : 0) };
    case EvalTaskKind.REGEX_MATCH: {
      const pattern = str(row, 'pattern');
      new RegExp(pattern, 'i'); // a malformed pattern is the row's error, found before any request
      // A pattern that runs too long scores like a failed request (counted), never blocks the worker.
      return { prompt: str(row, 'prompt'), subject: null, score: async (c) => (boundedRegexTest(pattern, c) ? 1 : 0) };
    }
    case EvalTaskKind.CODE:
      return {
        prompt: `Complete the following Python function. Reply with the function body only.\n\n${str(row, 'prompt')}`,
        subject: null,
        // Never run in this process; a pass is the sandboxed checker's nonce, never an exit status (code-verdict.ts).
        score: async (c) => ((await runCodeTest({ prompt: str(row, 'prompt'), completion: stripFences(c), test: str(row, 'test'), entryPoint: str(row, 'entry_point') })).passed ? 1 : 0),
      };
    default:
      // JUDGE and LM_EVAL tasks score whole conversations or runs, not single items (judge-task.ts, lm-eval-runner.ts).
      throw new Error(`${kind} tasks are not scored item by item`);
  }
}

function stripFences(completion: string): string {
  const fenced = /```(?:python)?\n([\s\S]*?)```/.exec(completion);
  return fenced ? fenced[1] : completion;
}
