/**
 * MT-Bench single-answer grading (lm-sys/FastChat llm_judge, judge_prompts.jsonl: single-v1, single-math-v1 and their
 * multi-turn forms): the judge sees the question (or the conversation so far) and the answer, with the reference
 * answer when the dataset gives one, and ends with "Rating: [[N]]". Pure, so a judgement is reproducible from its inputs.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

const RATE = 'After providing your explanation, you must rate the response on a scale of 1 to 10 by strictly following this format: "[[rating]]", for example: "Rating: [[5]]".';
const GENERAL = 'Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of the response.';
const WITH_REFERENCE = "Your evaluation should consider correctness and helpfulness. You will be given a reference answer and the assistant's answer.";
const COMPARE = "Begin your evaluation by comparing the assistant's answer with the reference answer. Identify and correct any mistakes.";
const EXPLAIN = 'Begin your evaluation by providing a short explanation.';
const OBJECTIVE = 'Be as objective as possible.';
const ORDINAL = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth'];

/**
 * The judge's messages for the answer to turn `turn` (0-based) of `questions`. The first turn uses the single-turn
 * prompt; later turns the multi-turn prompt, which shows the whole conversation and asks about the last answer.
 * `references` (per turn) switches to the reference-guided ("math") variant.
 */
export function judgeMessages(questions: readonly string[], answers: readonly string[], turn: number, references: readonly string[] | null): ChatMessage[] {
  const reference = references?.[turn] ?? null;
  if (turn === 0) {
    const instruction = reference === null
      ? `Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. ${GENERAL} ${EXPLAIN} ${OBJECTIVE} ${RATE}`
      : `Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. ${WITH_REFERENCE} ${COMPARE} ${OBJECTIVE} ${RATE}`;
    const ref = reference === null ? '' : `[The Start of Reference Answer]\n${reference}\n[The End of Reference Answer]\n\n`;
    return [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: `[Instruction]\n${instruction}\n\n[Question]\n${questions[0]}\n\n${ref}[The Start of Assistant's Answer]\n${answers[0]}\n[The End of Assistant's Answer]` },
    ];
  }
  const which = `${ORDINAL[turn] ?? 'last'} user question`;
  const system = reference === null
    ? `Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. ${GENERAL} You evaluation should focus on the assistant's answer to the ${which}. ${EXPLAIN} ${OBJECTIVE} ${RATE}\n\n`
    : `Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question. ${WITH_REFERENCE} You evaluation should focus on the assistant's answer to the ${which.replace(' user', '')}. ${COMPARE} ${OBJECTIVE} ${RATE}\n\n`;
  const conversation = (label: string, replies: readonly string[]) =>
    questions.slice(0, turn + 1).map((q, i) => `### User:\n${q}\n\n### ${label}:\n${replies[i] ?? ''}\n\n`).join('');
  const refBlock = references === null ? '' : `<|The Start of Reference Answer|>\n\n${conversation('Reference answer', references)}<|The End of Reference Answer|>\n\n\n`;
  return [
    { role: 'system', content: system },
    { role: 'user', content: `${refBlock}<|The Start of Assistant A's Conversation with User|>\n\n${conversation('Assistant A', answers)}<|The End of Assistant A's Conversation with User|>` },
  ];
}

// FastChat reads "[[N]]" and falls back to "[N]"; the last such verdict counts (a judge may quote the format first).
const VERDICT = /\[\[\s*(\d+(?:\.\d+)?)\s*\]\]/g;
const BACKUP = /\[\s*(\d+(?:\.\d+)?)\s*\]/g;

/** The judge's rating, 1–10; null when the reply holds no verdict in range (counted as unparseable, not as a score). */
export function parseRating(reply: string): number | null {
  for (const pattern of [VERDICT, BACKUP]) {
    const matches = [...reply.matchAll(pattern)];
    if (matches.length === 0) continue;
    const rating = Number(matches[matches.length - 1][1]);
    return rating >= 1 && rating <= 10 ? rating : null;
  }
  return null;
}

/** Mean and its standard error (sample standard deviation / √n); null stderr below two ratings. */
export function meanWithStderr(values: readonly number[]): { mean: number; stderr: number | null } {
  const n = values.length;
  if (n === 0) return { mean: 0, stderr: null };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, stderr: null };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return { mean, stderr: Math.sqrt(variance / n) };
}
