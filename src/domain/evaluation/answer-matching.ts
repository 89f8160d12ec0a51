/**
 * Scoring rules for built-in tasks: pure, so the same completion always gets the same score.
 */

/** The chosen letter in a free-form answer: "B", "(b)", "Answer: C", "The answer is D." — the first that fits. */
export function extractChoice(text: string, letters: readonly string[]): string | null {
  const set = letters.map((l) => l.toUpperCase()).join('');
  const patterns = [
    new RegExp(`answer\\s*(?:is|:)?\\s*\\(?([${set}])\\)?(?![A-Za-z])`, 'i'),
    new RegExp(`^\\s*\\(?([${set}])\\)?(?:[.):,\\s]|$)`, 'i'),
    new RegExp(`(?<![A-Za-z])\\(?([${set}])\\)?(?![A-Za-z])`),
  ];
  for (const pattern of patterns) {
    const m = pattern.exec(text);
    if (m) return m[1].toUpperCase();
  }
  return null;
}

/** Exact match after the usual normalisation: case, surrounding space and punctuation, inner runs of space. */
export function normaliseAnswer(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ').replace(/^[\s"'`.,:;!?]+|[\s"'`.,:;!?]+$/g, '');
}

export function exactMatch(completion: string, answer: string): boolean {
  return normaliseAnswer(completion) === normaliseAnswer(answer);
}

/** Standard error of a mean of 0/1 outcomes (sample form, as lm-evaluation-harness reports it). */
export function binomialStderr(correct: number, n: number): number | null {
  if (n < 2) return null;
  const p = correct / n;
  return Math.sqrt((p * (1 - p)) / (n - 1));
}
